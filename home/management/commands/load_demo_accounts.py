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
    # Training programs: the manager of the demo organization, and a consultant who
    # approves consultation hours (the trainer facilitates the demo cohort).
    ("manager@example.com", "demo-manager", "Morgan", "Manager", None, False),
    ("consultant@example.com", "demo-consultant", "Corey", "Consultant", None, False),
]
DEMO_ORGANIZATION = ("Riverside Community Clinic", "riverside-clinic")


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
        self.seed_programme()
        self.seed_quiz_history()

    def seed_programme(self) -> None:
        """An organization with its manager, a consultant, and a cohort of the flagship
        course with a live session next week, facilitated by the demo trainer."""
        from datetime import datetime, time, timedelta
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from courses.models import (
            Cohort,
            CoursePage,
            LiveSession,
            Organization,
            OrganizationManager,
        )
        from courses.roles import CONSULTANTS

        User = get_user_model()
        name, slug = DEMO_ORGANIZATION
        organization, _ = Organization.objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
        OrganizationManager.objects.get_or_create(
            organization=organization, user=User.objects.get(username="manager")
        )
        User.objects.get(username="consultant").groups.add(
            Group.objects.get(name=CONSULTANTS)
        )
        self.stdout.write(
            f"  manager@example.com manages {name} (/learn/organizations/{slug}/); "
            "consultant@example.com approves consultation hours"
        )
        course = CoursePage.objects.filter(slug="foundations-of-kap").first()
        if course is None or Cohort.objects.filter(course=course).exists():
            return
        today = timezone.localdate()
        cohort = Cohort.objects.create(
            course=course,
            name="Spring cohort",
            starts_on=today,
            ends_on=today + timedelta(weeks=10),
            facilitator=User.objects.get(username="trainer"),
            capacity=24,
        )
        denver = ZoneInfo("America/Denver")
        LiveSession.objects.create(
            cohort=cohort,
            title="Live case consultation: preparation and consent",
            starts_at=datetime.combine(today + timedelta(days=7), time(18, 0), denver),
            time_zone="America/Denver",
            duration_minutes=90,
            join_url="https://meet.example.com/kap-spring-cohort",
        )
        self.stdout.write(
            f"  cohort “{cohort.name}” of {course.title} with a live session; "
            "the trainer facilitates it"
        )

    def seed_quiz_history(self, learners: int = 12) -> None:
        """Demo learners with attempts on the first module quiz, so analytics have data."""
        import random

        from assessments import services as assessment_services
        from assessments.models import Attempt, Quiz
        from courses.models import CoursePage

        course = CoursePage.objects.filter(slug="foundations-of-kap").first()
        quiz = (
            Quiz.objects.filter(module__in=course.modules[:1]).first()
            if course
            else None
        )
        if (
            quiz is None
            or Attempt.objects.filter(
                quiz=quiz, user__username__startswith="demo-learner"
            ).exists()
        ):
            return
        from datetime import timedelta

        from django.utils import timezone

        User = get_user_model()
        rng = random.Random(2026)
        now = timezone.now()
        for number in range(1, learners + 1):
            user, _ = User.objects.get_or_create(
                username=f"demo-learner-{number:02d}",
                defaults={"email": f"demo-learner-{number:02d}@example.com"},
            )
            user.set_unusable_password()
            user.save()
            services.enrolment_grant(
                user=user, course=course, actor=None, reason="Demo data"
            )
            services.progress_record_visit(user=user, module=quiz.module)
            ability = (
                number / learners
            )  # stronger learners answer more questions correctly
            # Real sittings: spread over the last fortnight, 4 to 15 minutes each, so
            # the analytics' median time and "attempts this week" mean something.
            started = now - timedelta(days=rng.uniform(2, 14))
            for _ in range(2):
                attempt = assessment_services.attempt_start(
                    user=user, quiz=quiz, now=started
                )
                answers = {}
                for question in attempt.snapshot["questions"]:
                    right = [o["id"] for o in question["options"] if o["is_correct"]]
                    wrong = [
                        o["id"] for o in question["options"] if not o["is_correct"]
                    ]
                    knows = rng.random() < ability
                    if question["type"] == "ordering":
                        answers[question["id"]] = (
                            question["correct_order"]
                            if knows
                            else list(reversed(question["correct_order"]))
                        )
                    elif question["type"] == "multiple":
                        answers[question["id"]] = right if knows else wrong[:1]
                    else:
                        answers[question["id"]] = right[0] if knows else wrong[0]
                submitted = started + timedelta(seconds=rng.randint(240, 900))
                attempt = assessment_services.attempt_submit(
                    attempt=attempt, answers=answers, now=submitted
                )
                if attempt.passed:
                    break
                started = submitted + timedelta(hours=rng.uniform(1, 40))
        self.stdout.write(
            f"  {learners} demo learners with quiz attempts (for the analytics screens)"
        )
