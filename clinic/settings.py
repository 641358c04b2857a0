"""Django settings for the intake site: every value comes from the environment.

The helpers below read one variable each and raise ImproperlyConfigured with the variable's name
and what it accepts, so a typo stops start-up instead of quietly changing behaviour. An empty
value counts as unset. README.md lists every variable with its default.
"""

import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path

import dj_database_url
import phonenumbers
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def _read(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str) -> str:
    value = _read(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _read(name)
    if value is None:
        return default
    try:
        return BOOL_WORDS[value.lower()]
    except KeyError:
        words = ", ".join(BOOL_WORDS)
        raise ImproperlyConfigured(f"{name} must be one of: {words} (got {value!r})") from None


def env_int(name: str, default: int, *, min_value: int = 0, max_value: int | None = None) -> int:
    value = _read(name)
    if value is None:
        return default
    if max_value is None:
        accepted = f"a whole number from {min_value} upwards"
    else:
        accepted = f"a whole number from {min_value} to {max_value}"
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {accepted} (got {value!r})") from None
    if number < min_value or (max_value is not None and number > max_value):
        raise ImproperlyConfigured(f"{name} must be {accepted} (got {value!r})")
    return number


def env_rate(name: str, default: str) -> str:
    """A rate such as 20/h: a count, a slash, and s, m, h or d."""
    value = env_str(name, default)
    count, _, period = value.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 20/h: a count, a slash and s, m, h or d (got {value!r})"
        )
    return value


def env_phone(name: str, default: str) -> str:
    """A phone number as people write it: digits, maybe after a "+", in groups joined by single
    spaces or hyphens ("020 7946 0958", "+44 20 7946 0958"), so that it dials as a tel: link."""
    value = env_str(name, default)
    if not re.fullmatch(r"\+?\d(?:[ -]?\d){2,19}", value):
        raise ImproperlyConfigured(
            f"{name} must be a phone number of digits in groups joined by spaces or hyphens, "
            f"maybe after a +, such as 020 7946 0958 (got {value!r})"
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = _read(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_env(name: str, *, default_url: str) -> dict:
    """Parse a database URL; the value is never echoed because it may hold a password."""
    url = env_str(name, default_url)
    example = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path/db.sqlite3"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except dj_database_url.UnknownSchemeError:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        reason = f"the scheme {scheme!r} is not supported" if scheme else "it has no scheme"
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as {example} ({reason})"
        ) from None
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as {example} (it is not a valid URL)"
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as {example} (it names no database)"
        )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # A file database gains nothing from persistent connections.
        config["CONN_MAX_AGE"] = 0
    return config


def owner_database_from_env(name: str, *, app: dict) -> dict | None:
    """The owner role's connection: the app's database, another user (and password)."""
    if _read(name) is None:
        return None
    config = database_from_env(name, default_url="")
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(f"{name} is for PostgreSQL: a postgres:// URL")
    where = ("ENGINE", "NAME", "HOST", "PORT")
    if [config.get(key) for key in where] != [app.get(key) for key in where]:
        raise ImproperlyConfigured(
            f"{name} must name the same server, port and database as DATABASE_URL, with the "
            "owner role's user name and password"
        )
    return config


def cache_from_env(name: str) -> dict:
    """The shared cache behind the rate limits. Unset: a table in the app's own database,
    which every worker process shares. A redis:// or rediss:// URL: that Redis server, whose
    counters are atomic (the better choice for several workers under load)."""
    url = _read(name)
    if url is None:
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "intake_cache",
        }
    if url.split("://", 1)[0] not in ("redis", "rediss") or "://" not in url:
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/0 (got a value that "
            "is not one)"
        )
    # Django's Redis backend, with its client objects kept (intake/redis_cache.py).
    return {"BACKEND": "intake.redis_cache.RedisCache", "LOCATION": url}


def time_zone_from_env(name: str, default: str) -> str:
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name} must be an IANA time zone name such as UTC or Europe/London (got {value!r})"
        ) from None
    return value


def choice_from_env(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value.upper() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of: {', '.join(choices)} (got {value!r})")
    return value.upper()


def redis_url_from_env(name: str, default: str) -> str:
    url = env_str(name, default)
    if "://" not in url or url.split("://", 1)[0] not in ("redis", "rediss"):
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/0 (got a value that "
            "is not one)"
        )
    return url


# TASKS_BACKEND's names, and the backend each stands for (the full paths are accepted too).
TASKS_BACKENDS = {"database": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


def tasks_backend_from_env(name: str) -> str:
    value = env_str(name, "database")
    if value.lower() in TASKS_BACKENDS:
        return TASKS_BACKENDS[value.lower()]
    if value in TASKS_BACKENDS.values():
        return value
    raise ImproperlyConfigured(f"{name} must be one of: database, rq (got {value!r})")


def phone_region_from_env(name: str, default: str) -> str:
    value = env_str(name, default).upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ImproperlyConfigured(
            f"{name} must be a two-letter country code such as GB or IE (got {value!r})"
        )
    return value


BASE_DIR = Path(__file__).resolve().parent.parent

# --- Core ------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (a long random string; "
            "with DEBUG=true a development secret is generated)"
        )
    SECRET_KEY = get_random_secret_key()
    # runserver's autoreloader starts a child process that reads settings again; sharing the
    # generated secret keeps staff signed in across code reloads.
    os.environ["SECRET_KEY"] = SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "intake.apps.ClinicAdminConfig",  # django.contrib.admin with the clinic's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Early, so that every answer given by the middleware below it is framed by no one too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # After WhiteNoise, so that static files stay cacheable and no page is.
    "intake.middleware.NoStoreMiddleware",
    # Before the session and anything that reads the body (nothing above reads it): a body over
    # DATA_UPLOAD_MAX_MEMORY_SIZE is refused (413), with the headers above like any page.
    "intake.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The page's language: the patient's choice on patient pages, STAFF_LANGUAGE_CODE on staff
    # pages (intake.languages).
    "intake.languages.LanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "intake.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a refused rate limit into the 429 page (RATELIMIT_VIEW).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intake.context_processors.staff_session",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------

DATABASES = {
    "default": database_from_env(
        "DATABASE_URL", default_url=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    ),
}
# The role that owns the tables, for `migrate` and `createcachetable` only
# (intake/management/owner.py); the app connects with DATABASE_URL as a role that owns nothing
# (docs/deployment.md). None: those commands use DATABASE_URL's role too.
DATABASE_OWNER = owner_database_from_env("DATABASE_OWNER_URL", app=DATABASES["default"])
# /healthz asks the database on a new connection that gives up after this long (intake.health).
# libpq counts anything under 2 seconds as 2.
HEALTH_CHECK_TIMEOUT_SECONDS = env_int("HEALTH_CHECK_TIMEOUT_SECONDS", 3, min_value=2, max_value=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts --------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out user or address before the password is checked.
# Then Django's ModelBackend with each user's permissions kept in the shared cache where that
# is Redis (intake/auth_backends.py; PERMISSION_CACHE = True or False forces it either way).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "intake.auth_backends.CachedPermissionsBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "intake:landing"
LOGOUT_REDIRECT_URL = "intake:home"

# Lockout after repeated failed sign-ins, by user name and, separately, by address (axes).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, min_value=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, min_value=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "intake.http.client_ip"
# Staff sign in with a second factor (an authenticator app, with recovery codes).
OTP_TOTP_ISSUER = "RLS & Gut Health Intake"
# Staff sessions end after this long without a request; a warning comes first.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 15, min_value=1)
# A patient's browser left this long without a request must give the date of birth again
# before any answers are shown (what was typed is kept): intake/views/patient_access.py.
PATIENT_IDLE_MINUTES = env_int("PATIENT_IDLE_MINUTES", 30, min_value=1)

# --- HTTP security -------------------------------------------------------------------------

# HTTPS on (the default when DEBUG is off): redirect to https, secure cookies, HSTS.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Only behind a proxy that sets these headers itself (never trust a client's copy): the
    # scheme from X-Forwarded-Proto, the client's address from X-Forwarded-For
    # (intake.http.client_ip, used by the rate limits, the lockout and the audit log).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Nothing inline and nothing from elsewhere: scripts and styles come from our static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}
# Request bodies: a questionnaire step is small; refuse anything far larger. The limit is for
# the whole body, files included, checked before it is read (intake.middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# --- Cache and rate limits ------------------------------------------------------------------

# Shared by every worker process, so rate limits hold across them: a table in the database,
# or Redis with CACHE_URL.
CACHES = {"default": cache_from_env("CACHE_URL")}
if CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
    # django-ratelimit warns that the database cache's increments are not atomic: two requests
    # at the same instant can count as one, so a burst may get a few tries past the limit
    # before it is refused. Accepted for a single-server clinic; docs/security.md says to set
    # CACHE_URL (Redis) where that matters.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# Sessions: with Redis, read from it (a round trip in place of a query on every request) and
# written through to the database, so an evicted or emptied cache signs nobody out.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # django-ratelimit lists the backends it supports by name: intake.redis_cache.RedisCache is
    # Django's RedisCache (atomic increments) with its client objects kept.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "intake.http.client_ip"
RATELIMIT_VIEW = "intake.views.errors.rate_limited"
RATE_LIMIT_LOGIN = env_rate("RATE_LIMIT_LOGIN", "20/h")
RATE_LIMIT_PATIENT = env_rate("RATE_LIMIT_PATIENT", "30/h")
# Per API client (per address for a call without a valid token): ten a minute on average is
# ample for a system polling for changes and creating invitations as appointments are booked.
RATE_LIMIT_API = env_rate("RATE_LIMIT_API", "600/h")

# The API (/api/v1/, intake/api): bearer tokens of registered clients only, JSON in and out,
# nothing by default (each view names its scope). Rate limits: django-ratelimit, as elsewhere.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["intake.api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["intake.api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RLS & Gut Health Intake API",
    "DESCRIPTION": "Submitted cases (JSON and FHIR R4), the FHIR Questionnaire and invitations. "
    "docs/integration.md says how to connect.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Time and language -----------------------------------------------------------------------

# The patient side speaks each of LANGUAGES: a patient picks one on any page (the browser's
# language is the first guess) and it is kept on their intake, for reminders and the resumed
# questionnaire. Staff pages are in STAFF_LANGUAGE_CODE; their text is marked for translation
# too, so a clinic can add its language to locale/ without touching code (docs/languages.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
STAFF_LANGUAGE_CODE = env_str("STAFF_LANGUAGE_CODE", "en")
if STAFF_LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"STAFF_LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))} "
        f"(got {STAFF_LANGUAGE_CODE!r})"
    )
TIME_ZONE = time_zone_from_env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# With the manifest, files are served from STATIC_ROOT under hashed names, which needs
# `manage.py collectstatic` first. Without it (DEBUG, tests) WhiteNoise serves straight from the
# source folders, so nothing has to be collected.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST

# --- Forms and messages ----------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_TAGS = {message_constants.ERROR: "danger"}

# --- Email -----------------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, min_value=1, max_value=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "intake@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where new-case alerts and the crisis, emergency and "Not sure" contact alerts go (R3-23);
# empty means no alert email is sent.
CLINIC_ALERT_EMAIL = env_str("CLINIC_ALERT_EMAIL", "")
# Email that is only printed or kept in memory reaches no one; any other backend sends.
EMAIL_SENDS = EMAIL_BACKEND not in (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
# A link that travels by email may be read by someone else (a shared mailbox, a forwarded
# message): with this on, the date of birth is asked before the first answer too, not only
# once answers exist (intake/services/invitations.py). On by default when email really sends.
REQUIRE_DOB_ON_FIRST_OPEN = env_bool("REQUIRE_DOB_ON_FIRST_OPEN", EMAIL_SENDS)

# --- Text messages ---------------------------------------------------------------------------

# How a text message leaves (intake/notifications/sms.py): a class with send(to=..., body=...).
# The console backend logs that a message went and to which number's last digits, never its
# text; no provider is wired in yet.
SMS_BACKEND = env_str("SMS_BACKEND", "intake.notifications.sms.ConsoleBackend")
# Mobile numbers typed without a country code are read as this country's (ISO 3166 code).
PHONE_REGION = phone_region_from_env("PHONE_REGION", "GB")

# --- Background tasks (the outbox's deliveries) -----------------------------------------------

# Django's Tasks API through the django-tasks backport; the database backend and its worker
# (`manage.py db_worker`) are the embedded default, so nothing but the database is needed.
# TASKS_BACKEND=rq keeps the queue in Redis instead (TASKS_REDIS_URL), for clinics that run
# several web and worker processes: `manage.py rqworker --with-scheduler default`
# (docs/deployment.md).
TASKS_BACKEND = tasks_backend_from_env("TASKS_BACKEND")
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
RQ_QUEUES = {"default": {"URL": redis_url_from_env("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0")}}
# django-tasks-rq runs tasks through its own job class; the worker class loads the views once
# before it forks a process per job (intake/notifications/rq_worker.py).
RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "intake.notifications.rq_worker.Worker"}
if TASKS_BACKEND == TASKS_BACKENDS["rq"]:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
# A delivery that fails is tried again after OUTBOX_RETRY_SECONDS, doubled each time, and
# marked failed with its reason after OUTBOX_MAX_ATTEMPTS tries.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, min_value=1)
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60, min_value=1)
# Webhooks (the notice to a clinic's systems on each submission) go through the same outbox.
# A receiver must answer within WEBHOOK_TIMEOUT_SECONDS. Endpoints must be https; plain http
# (and an address on this machine) only with WEBHOOK_ALLOW_HTTP, for trying a receiver locally.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, min_value=1, max_value=30)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)

# --- Logging ---------------------------------------------------------------------------------

LOG_LEVEL = choice_from_env("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# --- Clinic (the configuration table at the top of clinical-spec.md) ---------------------

ENABLE_CLINIC_PROTOCOL_RULES = env_bool("ENABLE_CLINIC_PROTOCOL_RULES", True)
IRLS_LICENSED = env_bool("IRLS_LICENSED", False)
IRON_LOOKBACK_DAYS = env_int("IRON_LOOKBACK_DAYS", 90)
TSH_LOOKBACK_DAYS = env_int("TSH_LOOKBACK_DAYS", 365)
CELIAC_LOOKBACK_DAYS = env_int("CELIAC_LOOKBACK_DAYS", 365)
MIN_AGE = env_int("MIN_AGE", 6)
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14, min_value=1)
# Five wrong dates of birth lock a link for 15 minutes; this many locks in a row close it until
# staff issue a new link, and the clinic's alert address is told.
DOB_LOCKOUTS_BEFORE_CLOSING = env_int("DOB_LOCKOUTS_BEFORE_CLOSING", 3, min_value=1)
# Records whose last activity is older than this are listed for review (never deleted
# automatically): a clinic decides, per its legal retention period, what to erase.
RECORD_RETENTION_DAYS = env_int("RECORD_RETENTION_DAYS", 3650, min_value=1)
# The site's public address, for links in emails (alerts link to the case, never describe it).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The identifier system of the clinic's own patient numbers (MRN), as its record system names
# them in FHIR, e.g. https://hospital.example/fhir/sid/mrn or urn:oid:1.2.3.4. Empty: one under
# SITE_URL. The FHIR Patient is matched on it (docs/integration.md).
FHIR_MRN_SYSTEM = env_str("FHIR_MRN_SYSTEM", "")
if FHIR_MRN_SYSTEM and not re.fullmatch(r"(https?://|urn:(oid|uuid):)\S+", FHIR_MRN_SYSTEM):
    raise ImproperlyConfigured(
        "FHIR_MRN_SYSTEM must be an absolute URI such as https://hospital.example/fhir/sid/mrn "
        f"or urn:oid:1.2.3.4 (got {FHIR_MRN_SYSTEM!r})"
    )
# Shown to a patient at once when their mood answers meet the crisis rule (RF-12), or when they
# answer "Not sure" to the self-harm question (RF-U).
CRISIS_RESOURCES_TEXT = env_str(
    "CRISIS_RESOURCES_TEXT",
    "If you are in danger now or might act on thoughts of harming yourself, call your local "
    "emergency number (112 in Europe, 911 in the US, 999 in the UK) or go to the nearest "
    "emergency department. You can also call or text a crisis line at any hour: 988 in the US, "
    "Samaritans on 116 123 in the UK and Ireland.",
)
# Shown to a patient at once when their answers point to an emergency, or when they answer
# "Not sure" to an emergency-level question (clinical-spec §9, R3-1, R3-16, R3-23). Phone numbers
# in this text and the one above become tap-to-call links.
EMERGENCY_ADVICE_TEXT = env_str(
    "EMERGENCY_ADVICE_TEXT",
    "Go to an emergency department or call your emergency number now.",
)
PUBLIC_START_ENABLED = env_bool("PUBLIC_START_ENABLED", False)
# Who is asking: the clinic's name and phone number head and foot every patient page and the
# welcome page, so a patient knows whose questionnaire this is and whom to call (a tap-to-call
# link). The defaults read well in the demo; 020 7946 0958 is a number set aside for fiction.
CLINIC_NAME = env_str("CLINIC_NAME", "Riverside Sleep and Gut Clinic")
CLINIC_PHONE = env_phone("CLINIC_PHONE", "020 7946 0958")
# The clinic's own time zone, for the quiet hours in which no reminder is sent (the hours and
# the reminder schedule are clinic settings in the admin).
CLINIC_TIME_ZONE = time_zone_from_env("CLINIC_TIME_ZONE", TIME_ZONE)
