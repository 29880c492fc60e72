"""Sqeeze settings: every deployment knob comes from the environment.

See README.md ("Configuration") for the variables. With ``DATABASE_URL`` or
``REDIS_URL`` unset, private embedded servers start (``sqeeze.embedded``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sqeeze import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file fills in what the environment lacks; SQEEZE_ENV_FILE names another
# file (tests use /dev/null so a developer's .env cannot change what they check).
environ.Env.read_env(os.environ.get("SQEEZE_ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# `manage.py vapid_keys` only prints a new key pair (or checks the configured
# one): it needs no secret and no data store, so it runs on a bare machine (no
# .env, no DEBUG) and starts no embedded server.
_KEYS_ONLY = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] == ["vapid_keys"]

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or _KEYS_ONLY):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without it; "
            "set SECRET_KEY in the environment, or DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# The installation's own name: allauth's mails, the installed app, the Site record
# (SITE_ID; sqeeze.sites keeps it equal to SITE_NAME and SITE_URL's host).
SITE_NAME = env("SITE_NAME", default="Sqeeze")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "template_partials",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.kakao",
    "axes",
    # Sqeeze, one app per domain (DESIGN.md); core holds the shared template tags
    "core",
    "sqeeze",
    "accounts",
    "files",
    "journeys",
    "missions",
    "teams",
    "community",
    "points",
    "grading",
    "submissions",
    "insights",
    "people",
    "notifications",
    "blog",
    "inquiries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after auth, before anything reads the database: the request runs in
    # one transaction with its person, academy and role (accounts.tenancy).
    "accounts.tenancy.DatabaseContextMiddleware",
    # Budgets of anonymous writes per client address (after locale and auth).
    "core.ratelimit.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A first social log-in must finish the profile before anything else.
    "accounts.middleware.ProfileCompletionMiddleware",
    "sqeeze.middleware.UserTimezoneMiddleware",
    # Signed-in pages say "X-Robots-Tag: noindex, nofollow" (after auth).
    "sqeeze.middleware.RobotsTagMiddleware",
    # axes last: it answers locked-out log-ins after everything else has run
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sqeeze.urls"
WSGI_APPLICATION = "sqeeze.wsgi.application"
ASGI_APPLICATION = "sqeeze.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
            ],
            # {% url %} reversed from memory (core.links.remembered_reverse).
            "builtins": ["core.templatetags.addresses"],
        },
    },
]

# --- Data stores -----------------------------------------------------------

# Two roles (README "Configuration", docs/architecture.md "Tenancy in the
# database"): DATABASE_URL is the runtime role Sqeeze connects as, bound by Row
# Level Security (neither superuser nor owner of the tables, no BYPASSRLS);
# DATABASE_OWNER_URL is the tables' owner, used only to migrate, back up and
# restore (core.database_roles.as_owner). Unset, the owner is DATABASE_URL's role:
# one role for both, which RLS does not bind (migrate warns; the tests refuse it).
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASE_OWNER = env.db("DATABASE_OWNER_URL", default=env("DATABASE_URL"))
elif _KEYS_ONLY:
    DATABASES = {"default": env.db_url_config("postgres://unused@localhost/unused")}  # never opened
    DATABASE_OWNER = DATABASES["default"]
else:
    DATABASES = {"default": env.db_url_config(embedded.postgres_url())}
    DATABASE_OWNER = env.db_url_config(embedded.postgres_url(embedded.OWNER_ROLE))
# The runtime role's own settings, kept apart: while the owner migrates,
# DATABASES["default"] holds the owner's (core.database_roles.as_owner).
DATABASE_RUNTIME = dict(DATABASES["default"])
# Django's backend with a health check that reads the socket instead of
# sending SELECT 1 at every request (core.postgresql).
DATABASES["default"]["ENGINE"] = "core.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def _prepare_threshold(raw: str) -> int | None:
    """DB_PREPARE_THRESHOLD: a number of runs, or ``off`` (never prepare: for a
    pooler that cannot keep prepared statements, such as PgBouncer's
    transaction mode before 1.21)."""
    return None if raw.strip().lower() == "off" else int(raw)


# Statements are bound and prepared by PostgreSQL, not pasted into SQL text by
# psycopg: a page's statements are planned once per connection (psycopg
# prepares a statement from its fifth run on; the connection lives for
# DB_CONN_MAX_AGE) instead of at every request, where planning cost more than
# running them (1.5 to 10 times for the home page's; README "Performance").
# A prepared statement's generic plan does not see its parameters: range conditions
# must bound an index walk by themselves (core.keyset.older_than).
DATABASES["default"]["OPTIONS"] = {
    **DATABASES["default"].get("OPTIONS", {}),
    "server_side_binding": True,
    "prepare_threshold": _prepare_threshold(env("DB_PREPARE_THRESHOLD", default="5")),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The hottest querysets are compiled to SQL once per process
# (core.statements). With this on (development and tests), every call also
# builds its queryset the ordinary way and fails if the SQL differs.
VERIFY_STATEMENTS = env.bool("VERIFY_STATEMENTS", default=DEBUG)
# Rows drawn once per process (core.fragments): with this on, every row found
# kept is drawn again and must be the same.
VERIFY_FRAGMENTS = env.bool("VERIFY_FRAGMENTS", default=DEBUG)

REDIS_URL = env("REDIS_URL", default="") or (
    "redis://localhost/0" if _KEYS_ONLY else embedded.redis_url()  # never opened
)


def _celery_broker_url(redis_url: str) -> str:
    """Kombu names unix-socket Redis ``redis+socket://``; redis-py says ``unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "sqeeze",
    }
}

# --- Celery ------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or _celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True


def _beat_schedule_filename() -> str:
    """Where beat keeps its schedule (when each periodic task last ran), in a
    folder that exists, so ``celery -A sqeeze beat`` starts from any directory
    and in any checkout. Beside the embedded servers' data when that folder is
    there (``make run``; ``make clean-embedded`` forgets the schedule too);
    otherwise (the data stores are configured: a fresh checkout, CI, the
    image's read-only /app) in the temporary dir, named per checkout and user:
    importing settings makes no folder for the default. Losing the file is
    harmless: beat then counts its intervals from its start."""
    configured = env("CELERY_BEAT_SCHEDULE_FILENAME", default="")
    if configured:
        path = Path(configured).expanduser().absolute()
        # A folder that cannot be made is beat's to report, when it opens the file.
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)
    if embedded.EMBEDDED_DIR.is_dir() and os.access(embedded.EMBEDDED_DIR, os.W_OK):
        return str(embedded.EMBEDDED_DIR / "celerybeat-schedule")
    return str(Path(tempfile.gettempdir()) / f"sqeeze-{_checkout_tag()}-celerybeat-schedule")


def _checkout_tag() -> str:
    """Two checkouts (or two users) on one machine keep two schedules."""
    return hashlib.sha256(f"{BASE_DIR}:{os.getuid()}".encode()).hexdigest()[:12]


CELERY_BEAT_SCHEDULE_FILENAME = _beat_schedule_filename()
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {
    # A lost task message must not lose mail: beat drains the queue anyway.
    "drain-email-queue": {
        "task": "notifications.drain_email_queue",
        "schedule": env.int("EMAIL_QUEUE_DRAIN_SECONDS", default=60),
    },
    # Soft-deleted files keep their bytes FILES_PURGE_AFTER_DAYS, then lose them.
    "purge-deleted-files": {
        "task": "files.purge_deleted_files",
        "schedule": 6 * 60 * 60,
    },
    # A scheduled mission's status follows its dates (not started, in progress, completed).
    "sync-mission-statuses": {
        "task": "missions.sync_mission_statuses",
        "schedule": 60,
    },
    # "A new mission is open", once per student, for missions opened in the last day.
    "send-new-mission-notices": {
        "task": "missions.send_new_mission_notices",
        "schedule": 5 * 60,
    },
    # E-mail and push of notifications whose fan-out task was lost (the broker
    # was down when the write committed): a safety net, usually nothing to do.
    "fan-out-pending-notifications": {
        "task": "notifications.fan_out_pending",
        "schedule": 60,
    },
    # "It closes within 24 hours", once per student who has not submitted.
    "send-deadline-reminders": {
        "task": "missions.send_deadline_reminders",
        "schedule": 15 * 60,
    },
    # Teachers' daily digest of new submissions, at 08:00 on each teacher's own
    # clock: beat runs every hour (on the hour, UTC) and the digest goes to those
    # whose morning it is (submissions.digest.DIGEST_HOUR).
    "send-daily-digests": {
        "task": "notifications.send_daily_digests",
        "schedule": crontab(minute=0),
    },
    # Submission exports are kept a day: then their rows and files go. Exports
    # no worker finished in time are marked failed (submissions.export_files).
    "expire-submission-exports": {
        "task": "submissions.expire_exports",
        "schedule": 10 * 60,
    },
}

# --- Web push ------------------------------------------------------------------

# `manage.py vapid_keys` prints a new pair. Without keys, push is switched off.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:admin@sqeeze.test")
# Only tests point subscriptions at a push endpoint on this machine; real
# browsers always use an https push service.
WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS = env.bool("WEBPUSH_ALLOW_LOOPBACK_ENDPOINTS", default=False)

# --- Accounts ----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.Profile"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    # Refuses an address another person uses (allauth would mail its owner).
    "add_email": "accounts.forms.AddEmailForm",
}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the current session stays; the others end
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True


def _social_provider(prefix: str, **extra) -> dict:
    """A provider is on only when its client id and secret are configured."""
    client_id = env(f"{prefix}_CLIENT_ID", default="")
    secret = env(f"{prefix}_CLIENT_SECRET", default="")
    if not (client_id and secret):
        return {}
    return {"APPS": [{"client_id": client_id, "secret": secret, "key": ""}], **extra}


SOCIALACCOUNT_PROVIDERS = {
    name: config
    for name, config in {
        "google": _social_provider(
            "GOOGLE", SCOPE=["profile", "email"], AUTH_PARAMS={"access_type": "online"}
        ),
        "kakao": _social_provider("KAKAO"),
    }.items()
    if config
}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Said here rather than read from the Site record, so a subject never depends on the database.
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# --- Client addresses, lock-out and rate limits ------------------------------------

# Reverse proxies in front of Sqeeze that append to X-Forwarded-For; only then
# is that header believed (core.client_ip). One (Caddy, nginx) behind a TLS
# proxy, none otherwise: a forged header then changes nothing.
TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0
)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# The one lock-out policy (django-axes): AXES_FAILURE_LIMIT failed log-ins for
# one account from one client address lock that pair out for
# AXES_COOLOFF_HOURS; meanwhile even the right password is refused (429).
# Admins unlock in Django admin ("Unlock log-in"). allauth's own log-in limits
# are switched off below so that there is only this one.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
# allauth authenticates with email=..., so axes never sees the form's "login"
# field; this names the account (lower-cased) so each account has its counter.
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}

# Budgets of anonymous writes per client address (core.ratelimit), counted in
# Redis and so shared by every process: "<count>/<period>" with s, m, h or d.
RATE_LIMITS = {
    # accounts created (a sign-up form sent back with errors does not count)
    "signup": env("RATE_LIMIT_SIGNUP", default="5/h"),
    # password-reset requests
    "password_reset": env("RATE_LIMIT_PASSWORD_RESET", default="5/h"),
    # verification mails sent again (at log-in of an unverified address, or asked for)
    "verification_email": env("RATE_LIMIT_VERIFICATION_EMAIL", default="5/h"),
    # invite-link visits by people not logged in (each leads to log-in with the
    # invite kept in a new session) and unknown tokens; a crawler's preview is free
    "join": env("RATE_LIMIT_JOIN", default="30/h"),
    # inquiries sent through the public form (each one mails the operators)
    "inquiry": env("RATE_LIMIT_INQUIRY", default="5/h"),
    # bug reports sent (signed-in people; a screenshot each costs storage)
    "bug_report": env("RATE_LIMIT_BUG_REPORT", default="10/h"),
    # exports of a journey's submissions queued, per teacher rather than per
    # address (submissions.export_views.export_prepare); asking again for one
    # already on its way queues nothing and costs nothing
    "submission_export": env("RATE_LIMIT_SUBMISSION_EXPORT", default="20/h"),
}
RATE_LIMITED_URLS = {
    "account_signup": {"scope": "signup"},
    "account_reset_password": {"scope": "password_reset"},
    "journeys:join": {
        "scope": "join",
        "methods": ["GET", "POST"],
        "anonymous_only": True,
        "counts_on": "unless_ok",
    },
    "inquiries:inquiry": {"scope": "inquiry"},
    "inquiries:bug_create": {"scope": "bug_report"},
}

# --- E-mail ------------------------------------------------------------------

# Every message goes into email_queue (nothing talks SMTP inside a request);
# Celery delivers it with the backend EMAIL_URL names.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "notifications.email_backend.QueueEmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_QUEUE_BATCH_SIZE = env.int("EMAIL_QUEUE_BATCH_SIZE", default=50)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=6)
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=60)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Sqeeze <no-reply@sqeeze.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ------------------------------------------------------

LANGUAGE_CODE = env("LANGUAGE_CODE", default="ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage and the database session; people see their own (core.moments)
# The zone of someone who chose none (profiles.timezone empty), and of visitors.
DEFAULT_USER_TIMEZONE = env("DEFAULT_USER_TIMEZONE", default="Asia/Seoul")

# --- Static and media files ------------------------------------------------------

STATIC_URL = "/static/"
# Where collectstatic writes and whitenoise serves from (a container or a
# second checkout may want it elsewhere).
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
WHITENOISE_USE_FINDERS = DEBUG  # development serves straight from static/ and the apps
# Uploads live in two storages: "public_files" (served directly: journey covers,
# blog and library images, profile images) and "private_files" (served only
# through files.views.download after an access check: post attachments,
# bug-report screenshots). Local disk by default; S3 when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
FILES_PRESIGNED_URL_SECONDS = env.int("FILES_PRESIGNED_URL_SECONDS", default=300)
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
        "file_overwrite": False,
        "default_acl": None,
        "signature_version": "s3v4",  # v2 signatures are deprecated and refused by new regions
    }
    _public_files = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": "public", "querystring_auth": False},
    }
    _private_files = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3_options,
            "location": "private",
            "custom_domain": None,  # presigned URLs must name the bucket itself
            "querystring_auth": True,
            "querystring_expire": FILES_PRESIGNED_URL_SECONDS,
        },
    }
else:
    _public_files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "public", "base_url": f"{MEDIA_URL}public/"},
    }
    _private_files = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private", "base_url": None},
    }

# Per bucket: public or private, and the largest file accepted (refused before
# the body is read). FILE_SIZE_LIMITS_MB overrides, e.g. "images=20,bug-reports=5".
FILE_BUCKETS = {
    "images": {"public": True, "max_bytes": 10 * 2**20},
    "profile-images": {"public": True, "max_bytes": 5 * 2**20},
    "journey-covers": {"public": True, "max_bytes": 10 * 2**20},
    "post-attachments": {"public": False, "max_bytes": 25 * 2**20},
    "bug-reports": {"public": False, "max_bytes": 10 * 2**20},
}
for _bucket, _megabytes in env.dict("FILE_SIZE_LIMITS_MB", cast={"value": int}, default={}).items():
    FILE_BUCKETS[_bucket]["max_bytes"] = _megabytes * 2**20
FILE_IMAGE_MAX_PIXELS = env.int("FILE_IMAGE_MAX_PIXELS", default=40_000_000)
# Who, besides the uploader and the academy's admins, may open a private file:
# each rule lives in the app whose rows attach files (files.access asks them).
FILE_VISIBILITY_RULES = (
    "community.attachments.attachments_visible_to",
    "inquiries.attachments.screenshots_visible_to",
)
FILES_PURGE_AFTER_DAYS = env.int("FILES_PURGE_AFTER_DAYS", default=30)

# What must happen elsewhere when a person is taken out of a journey (called in
# its transaction with journey= and user=): apps above journeys react here.
JOURNEY_MEMBER_REMOVED_HANDLERS = ("teams.services.team_memberships_end",)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "public_files": _public_files,
    "private_files": _private_files,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.staticfiles.RememberedManifestStorage"
        )
    },
}

# --- Security ------------------------------------------------------------------

# Sessions are read from Redis (and written through to PostgreSQL, which
# keeps them when the cache is flushed): one query less on every signed-in page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# A refused form gets a page in the site's look that says what to do (reload, cookies).
CSRF_FAILURE_VIEW = "sqeeze.error_views.csrf_failure"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Logs and error reports ------------------------------------------------------

# Everything goes to the console (stderr); the platform keeps it. LOG_FORMAT=json
# writes one JSON object per line for a log collector (sqeeze.logging); the
# default is plain text.
LOG_FORMAT = env("LOG_FORMAT", default="text").strip().lower()
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sqeeze.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"pgserver": {"level": "WARNING"}},
}
# Celery's worker and beat replace the root logger's handlers with their own
# text format; in JSON they keep ours, so every line a collector reads is JSON.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Errors of requests and Celery tasks go to Sentry when SENTRY_DSN is set. The
# academies' people include minors: no personal data (addresses, cookies, the
# signed-in person) and no request bodies (their posts and forms) are sent.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    # Imported only here: a tenth of a second every process without Sentry saves.
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        # Performance traces: a share of requests and tasks, none by default.
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        max_request_body_size="never",
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
