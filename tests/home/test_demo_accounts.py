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
    assert User.objects.count() == 6
    trainer = User.objects.get(email="trainer@example.com")
    admin = User.objects.get(email="admin@example.com")
    assert trainer.groups.filter(name=TRAINERS).exists()
    assert admin.groups.filter(name=CERTIFICATE_ADMINISTRATORS).exists()
    assert User.objects.get(email="superuser@example.com").is_superuser
    assert not User.objects.get(email="clinician@example.com").is_staff
    assert EmailAddress.objects.filter(verified=True).count() == 6
    assert trainer.check_password("demo-trainer")


def test_demo_data_has_an_organization_a_cohort_with_a_live_session_and_a_consultant(
    home_page,
):
    from courses.models import Cohort, LiveSession, Organization
    from courses.programmes.selectors import consultants, managed_organizations

    call_command("load_curriculum", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    call_command("load_demo_accounts", verbosity=0)
    User = get_user_model()
    manager = User.objects.get(email="manager@example.com")
    assert list(managed_organizations(manager)) == list(Organization.objects.all())
    assert list(consultants()) == [User.objects.get(email="consultant@example.com")]
    cohort = Cohort.objects.get()
    assert cohort.facilitator.email == "trainer@example.com"
    assert LiveSession.objects.filter(cohort=cohort).count() == 1
    assert not manager.is_staff


def test_demo_accounts_refused_when_not_allowed(settings):
    settings.DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(CommandError, match="disabled"):
        call_command("load_demo_accounts")
    assert get_user_model().objects.count() == 0
