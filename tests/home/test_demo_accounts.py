import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from courses.roles import CERTIFICATE_ADMINISTRATORS, TRAINERS

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_idempotently_with_roles():
    call_command("load_demo_accounts")
    call_command("load_demo_accounts")
    User = get_user_model()
    assert User.objects.count() == 4
    trainer = User.objects.get(email="trainer@example.com")
    admin = User.objects.get(email="admin@example.com")
    assert trainer.groups.filter(name=TRAINERS).exists()
    assert admin.groups.filter(name=CERTIFICATE_ADMINISTRATORS).exists()
    assert User.objects.get(email="superuser@example.com").is_superuser
    assert not User.objects.get(email="clinician@example.com").is_staff
    assert EmailAddress.objects.filter(verified=True).count() == 4
    assert trainer.check_password("demo-trainer")


def test_demo_accounts_refused_when_not_allowed(settings):
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError, match="disabled"):
        call_command("load_demo_accounts")
    assert get_user_model().objects.count() == 0
