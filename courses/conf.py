"""App settings, read with defaults so the plugin works in any Wagtail site."""

from django.conf import settings


def _get(name, default):
    return getattr(settings, f"COURSES_{name}", default)


def catalogue_parent_page_types():
    # None lets a catalogue live under any page type of the host site.
    return _get("CATALOGUE_PARENT_PAGE_TYPES", None)


def provider_name():
    return _get(
        "PROVIDER_NAME", getattr(settings, "WAGTAIL_SITE_NAME", "Course provider")
    )


TEST_MODE_BACKEND = "courses.payments.testmode.TestModeBackend"
STRIPE_BACKEND = "courses.payments.stripe.StripeBackend"


def stripe_secret_key() -> str:
    return _get("STRIPE_SECRET_KEY", "")


def stripe_webhook_secret() -> str:
    return _get("STRIPE_WEBHOOK_SECRET", "")


def stripe_api_base() -> str:
    """Only set in tests, to point the real SDK at a local fake of Stripe's HTTP API."""
    return _get("STRIPE_API_BASE", "")


def task_backend() -> str:
    """The django-tasks backend alias the plugin's tasks run on (emails, PDFs, bulk issue).

    A site with a worker points this at a queue (the reference site: "background", on
    django-tasks-db); the default runs them in the request, where they were before."""
    return _get("TASK_BACKEND", "default")


def payment_backend_path() -> str:
    # Without Stripe keys the local test-mode checkout is used (development only).
    default = STRIPE_BACKEND if stripe_secret_key() else TEST_MODE_BACKEND
    return _get("PAYMENT_BACKEND", default)


def allow_test_mode_payments() -> bool:
    return _get("ALLOW_TEST_MODE_PAYMENTS", settings.DEBUG)


def require_profile_for_ce() -> bool:
    return _get("REQUIRE_PROFILE_FOR_CE", True)


def login_url() -> str:
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def signup_url() -> str:
    """Where the 'Sign up to enrol' button goes; the host's login page if it has no sign-up."""
    from django.shortcuts import resolve_url

    return resolve_url(_get("SIGNUP_URL", settings.LOGIN_URL))


def reading_words_per_minute() -> int:
    """The reading rate behind computed study time (see courses/study_time.py)."""
    return int(_get("READING_WORDS_PER_MINUTE", 120))
