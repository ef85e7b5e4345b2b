from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from courses import services
from courses.roles import CERTIFICATE_ADMINISTRATORS, TRAINERS, ensure_roles

# (email, password, first name, last name, group, is_superuser)
DEMO_ACCOUNTS = [
    ("clinician@example.com", "demo-clinician", "Casey", "Clinician", None, False),
    ("trainer@example.com", "demo-trainer", "Taylor", "Trainer", TRAINERS, False),
    (
        "admin@example.com",
        "demo-admin",
        "Alex",
        "Administrator",
        CERTIFICATE_ADMINISTRATORS,
        False,
    ),
    ("superuser@example.com", "demo-superuser", "Sam", "Superuser", None, True),
]


class Command(BaseCommand):
    help = "Create the demo accounts (development only; refused in production)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_ACCOUNTS_ALLOWED", False):
            raise CommandError(
                "Demo accounts are disabled in these settings (DEMO_ACCOUNTS_ALLOWED is off)."
            )
        from allauth.account.models import EmailAddress

        ensure_roles()
        User = get_user_model()
        for email, password, first, last, group_name, is_superuser in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=email.split("@")[0],
                defaults={"email": email, "first_name": first, "last_name": last},
            )
            user.email = email
            user.is_staff = bool(group_name) or is_superuser
            user.is_superuser = is_superuser
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if email.startswith("clinician@"):
                services.profile_update(
                    user=user,
                    legal_name="Casey Clinician",
                    profession="psychologist",
                    licence_number="PSY-0042-DEMO",
                    licence_jurisdiction="Colorado",
                    licence_in_good_standing=True,
                )
            self.stdout.write(f"  {email:<24} password: {password}")
