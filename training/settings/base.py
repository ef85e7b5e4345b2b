"""Settings shared by every environment. Secrets come only from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


INSTALLED_APPS = [
    "home",
    "courses",
    "assessments",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "csp",
    "django_tasks_db",
    "training.operations",
    "allauth",
    "allauth.account",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "training.operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "training.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "courses.middleware.RejectNullCharactersMiddleware",
    # Anonymous page views answered from the cache; outside the session, CSRF and
    # messages middleware so it sees the cookies they add (courses.page_cache).
    "courses.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "training.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "training.wsgi.application"

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
# Connections persist per worker thread (no reconnect and no PRAGMAs on every request);
# the health check replaces one the server closed before it is used.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", 600))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers proceed while one writer commits; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers queue instead of failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = None  # production sets it; dev and test serve through the finders
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    # Private: gated media, documents and certificate PDFs, reached only through the
    # access-checked views. Production switches it to S3 when a bucket is configured.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Public: files anyone may fetch by URL (page images that are not gated).
    "public": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": MEDIA_ROOT / "public",
            "base_url": MEDIA_URL + "public/",
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# REDIS_URL switches every environment to Django's Redis cache (training/cache.py: the
# built-in backend, keeping one client per connection pool): the page cache, cached
# learner state, sessions (cached_db: read from Redis, written through to the database)
# and rate limits are then shared by all workers. Without it, a local-memory cache
# (one process: enough for `make run`); production replaces that with the database cache.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "training.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kap-training",
        }
    }

# --- Background tasks (django-tasks with the django-tasks-db backend) -----------------
# The plugin's tasks (emails, certificate PDFs, bulk issue, reminders) run on
# "background", which `manage.py run_worker` serves (`make run` starts one beside the
# dev server). Wagtail's own tasks (search and reference index) stay on "default", in the
# request: module media access is decided from the reference index, so it must be
# current the moment a page is published.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
COURSES_TASK_BACKEND = "background"
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", 5))
TASKS_RETRY_BACKOFF = int(os.environ.get("TASKS_RETRY_BACKOFF", 30))  # s, doubling
TASKS_STALE_AFTER = int(os.environ.get("TASKS_STALE_AFTER", 600))  # s RUNNING = lost
TASKS_HOUSEKEEPING_INTERVAL = float(os.environ.get("TASKS_HOUSEKEEPING_INTERVAL", 30))
TASKS_MAX_PENDING_AGE = int(os.environ.get("TASKS_MAX_PENDING_AGE", 300))  # /readyz/
TASKS_SCHEDULE = {
    "certificate-expiry-reminders": {
        "task": "assessments.certificates.jobs.send_expiry_reminders",
        "every_seconds": 24 * 60 * 60,
    },
    "prune-task-results": {
        "task": "training.operations.jobs.prune_task_results",
        "every_seconds": 24 * 60 * 60,
    },
}

# --- Logging: a request id on every line; JSON in production ------------------------
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOG_REQUESTS = env_bool("LOG_REQUESTS", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "training.operations.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own loggers write through the handler above, not their defaults.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Content Security Policy (django-csp; training/csp.py) ----------------------------
# Everything is served from this site (no CDN). Inline script or style runs only with the
# response's nonce (`{{ request.csp_nonce }}`); the templates have none today. Module videos
# are the one third-party frame, and checkout redirects to Stripe after the form posts.
# The Wagtail admin gets the same local-only policy with inline code allowed: see csp.py.
CSP_VIDEO_FRAME_SOURCES = env_list(
    "CSP_VIDEO_FRAME_SOURCES",
    "https://www.youtube-nocookie.com,https://www.youtube.com,https://player.vimeo.com",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-src": [SELF, *CSP_VIDEO_FRAME_SOURCES],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com"],
    }
}
# The admin talks to this site only: avatars are not fetched from gravatar.com, and the
# dashboard does not ask releases.wagtail.org for updates (upgrades come with pyproject).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Wagtail -------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "KAP Clinician Training"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents go through Wagtail's view so access rules apply; never a public media URL.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- Accounts (django-allauth) -------------------------------------------------------
LOGIN_URL = "account_login"
WAGTAILADMIN_LOGIN_URL = "account_login"
ACCOUNT_ADAPTER = "home.adapter.AccountAdapter"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# The client address behind a reverse proxy, for allauth's rate limits and our own
# throttles alike (courses/throttles.py): the number of proxies of ours in front of the
# site, or the header the proxy sets to the client's address. See README, Configuration.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[KAP Training] "
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "KAP Training <training@example.org>"
)

# --- The plugin ----------------------------------------------------------------------
# The site decides where catalogues may live; the plugin alone allows any parent.
COURSES_CATALOGUE_PARENT_PAGE_TYPES = ["home.HomePage"]
COURSES_SIGNUP_URL = "account_signup"
COURSES_PROVIDER_NAME = os.environ.get(
    "COURSES_PROVIDER_NAME", "KAP Clinician Training"
)
# Stripe switches on only when its keys are present; otherwise dev uses the test-mode page.
COURSES_STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
COURSES_STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Open Badges 3.0 signing key (Ed25519, PEM): from the environment, or a file that
# `manage.py generate_issuer_key` writes for development.
ASSESSMENTS_OB3_SIGNING_KEY = os.environ.get("OB3_SIGNING_KEY", "")
ASSESSMENTS_OB3_SIGNING_KEY_FILE = os.environ.get(
    "OB3_SIGNING_KEY_FILE", str(BASE_DIR / ".keys" / "ob3-issuer-ed25519.pem")
)
