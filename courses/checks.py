from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError


@register()
def check_payment_backend(app_configs, **kwargs):
    from . import conf

    backend = conf.payment_backend_path()
    errors = []
    if backend == conf.TEST_MODE_BACKEND and not conf.allow_test_mode_payments():
        errors.append(
            Error(
                "The test-mode payment backend takes no real payments and is only for "
                "development.",
                hint="Set COURSES_STRIPE_SECRET_KEY and COURSES_STRIPE_WEBHOOK_SECRET, or "
                "COURSES_PAYMENT_BACKEND to a real backend.",
                id="courses.E001",
            )
        )
    if backend == conf.STRIPE_BACKEND and not (
        conf.stripe_secret_key() and conf.stripe_webhook_secret()
    ):
        errors.append(
            Error(
                "Stripe payments need both a secret key and a webhook signing secret.",
                hint="Set COURSES_STRIPE_SECRET_KEY and COURSES_STRIPE_WEBHOOK_SECRET.",
                id="courses.E002",
            )
        )
    if not getattr(settings, "DEFAULT_FROM_EMAIL", ""):
        errors.append(
            Error("DEFAULT_FROM_EMAIL is needed for receipts.", id="courses.E003")
        )
    return errors


@register(Tags.database)
def check_claimed_hours(app_configs, databases=None, **kwargs):
    """Flag a live course that claims more hours than its content supports.

    Runs only where the database may be read (`manage.py check --database default`,
    `migrate`, the test runner), since the figure comes from the published modules."""
    if not databases:
        return []
    from .models import CoursePage
    from .study_time import (
        CLAIM_TOLERANCE,
        claim_exceeds,
        claimed_course_minutes,
        course_study_time,
        format_hours,
    )

    try:
        courses = list(CoursePage.objects.live().filter(ce_hours__gt=0))
        warnings = []
        for course in courses:
            computed = course_study_time(course).total
            claimed = claimed_course_minutes(course)
            if not claim_exceeds(claimed, computed.total):
                continue
            warnings.append(
                Warning(
                    f"{course.title} claims {format_hours(claimed)}, more than "
                    f"{int(CLAIM_TOLERANCE * 100)}% above what its content supports "
                    f"({computed.basis()}).",
                    hint=f"Lower its hours or add content; `manage.py course_study_time "
                    f"{course.slug}` prints the breakdown.",
                    obj=course,
                    id="courses.W001",
                )
            )
        return warnings
    except DatabaseError:
        return []  # not migrated yet: nothing to check
