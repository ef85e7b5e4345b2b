from django.conf import settings
from django.core.checks import Error, register


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
