"""Production: everything secret or site-specific comes from the environment."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list


def required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in the environment for production."
        )
    return value


DEBUG = False
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # noqa: F405
SECRET_KEY = required_env("SECRET_KEY")
ALLOWED_HOSTS = required_env("ALLOWED_HOSTS").split(",")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Rate limits, the page cache and learner state must be shared by every worker, so
# production needs a shared cache: Redis (REDIS_URL, set in base.py), or else the database.
if not REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }

# A CDN in front: anonymous public pages say `s-maxage` (courses.page_cache), and every
# change that reaches them purges the CDN through wagtail.contrib.frontend_cache.
COURSES_PAGE_CACHE_SHARED_MAX_AGE = int(os.environ.get("PAGE_CACHE_SHARED_MAX_AGE", 60))
COURSES_PAGE_CACHE_RELEASE = os.environ.get("RELEASE_ID", "")
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE = {
        "cloudflare": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "BEARER_TOKEN": required_env("CLOUDFLARE_BEARER_TOKEN"),
            "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        }
    }
elif os.environ.get("FRONTEND_CACHE_PURGE_URL"):  # Varnish, Squid, nginx purge
    WAGTAILFRONTENDCACHE = {
        "http": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
        }
    }
if "WAGTAILFRONTENDCACHE" in globals():
    INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.contrib.frontend_cache"]  # noqa: F405

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", "")  # the file backend's directory

# The local test-mode payment page must never take real orders.
COURSES_PAYMENT_BACKEND = os.environ.get(
    "COURSES_PAYMENT_BACKEND", "courses.payments.stripe.StripeBackend"
)
if COURSES_PAYMENT_BACKEND.endswith(".TestModeBackend"):
    raise ImproperlyConfigured(
        "The test-mode payment backend is refused in production."
    )
COURSES_ALLOW_TEST_MODE_PAYMENTS = False

# --- Scale-out: object storage, JSON logs, error reporting ------------------------------
# Load balancers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]

# Media, documents and certificate PDFs in an S3-compatible bucket when one is named.
# "default" is private: objects carry no public ACL, and gated files (module images and
# documents, certificate PDFs) are streamed by the access-checked views, never linked.
# URLs made for the rest (page images rendered with {% image %}) are signed and expire
# after an hour: longer than the 10-minute page-fragment cache, so a cached page never
# holds an expired image URL.
# "public" holds files anyone may fetch (a separate prefix the bucket policy makes
# readable, or a CDN in front of it).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "location": "private",
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", 3600)),
        },
    }
    STORAGES["public"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "location": "public",
            "querystring_auth": False,
            "custom_domain": os.environ.get("AWS_S3_PUBLIC_DOMAIN") or None,
        },
    }

# Only for local testing against a Stripe stand-in (scripts/cluster-smoke).
COURSES_STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
if COURSES_STRIPE_API_BASE and not COURSES_STRIPE_SECRET_KEY.startswith("sk_test_"):  # noqa: F405
    raise ImproperlyConfigured("STRIPE_API_BASE is for test-mode keys only.")

LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
LOG_REQUESTS = env_bool("LOG_REQUESTS", True)
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from training.operations.logs import sentry_before_send

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", 0)),
        send_default_pii=False,
        before_send=sentry_before_send,
    )
