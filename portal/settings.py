"""All settings, read from the environment. See the table in README.md.

Development defaults are safe to run on a laptop (loopback only, local SQLite, local disk, a key kept
under the data folder). With DEBUG off every value that matters must be given explicitly, and a missing
or malformed one stops start-up with a message naming the variable.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import dj_database_url
from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.backends import cache_from_url, tasks_backend
from portal.environment import env_bool, env_choice, env_int, env_list, env_str
from portal.keys import load_master_keys

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

_DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the portal is served on.")

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://; got {SITE_URL!r}")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must be an https:// address when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its admin integration patches in.
    "modeltranslation",
    "portal.apps.PortalAdminConfig",  # Django's admin behind two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "uploads",
    "django_tasks_db",  # the database task queue; its tables exist whichever backend is chosen
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from every web process itself (no shared folder, no separate static server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django 6's built-in Content-Security-Policy (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The storage or the database not answering: a 503 page in the visitor's language.
    "uploads.web.outages.OutageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.security.StaffIdleTimeoutMiddleware",
    "uploads.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

# Connections are kept for a minute between requests, and checked before a request reuses one:
# a kept connection the server dropped meanwhile (a restart, a failover, a network cut) is opened
# again instead of failing that request once per thread after the database is back.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web processes and a task worker share the file: writers take the lock when their
    # transaction starts and wait for it (instead of failing with "database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# Nothing may wait on the database longer than the load balancer waits for the page (60 s is
# common; gunicorn's worker timeout is 60 s too): a database that does not answer gives a 503 page
# in about DATABASE_STATEMENT_TIMEOUT_S, not a request hanging as long as the outage.
DATABASE_CONNECT_TIMEOUT_S = env_int("DATABASE_CONNECT_TIMEOUT_S", 5, minimum=1)
# 0 turns it off (e.g. for a long migration run by hand: DATABASE_STATEMENT_TIMEOUT_S=0).
DATABASE_STATEMENT_TIMEOUT_S = env_int("DATABASE_STATEMENT_TIMEOUT_S", 20, minimum=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, plus a deadline the client keeps when the server stops answering
    # altogether (portal/postgresql): the server's statement_timeout cannot fire then.
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_S)
    if DATABASE_STATEMENT_TIMEOUT_S:
        _statement_ms = DATABASE_STATEMENT_TIMEOUT_S * 1000
        _pg_options["options"] = (
            f"{_pg_options.get('options', '')} -c statement_timeout={_statement_ms}"
            # A row lock held by a stuck transaction ends the waiting statement sooner.
            f" -c lock_timeout={_statement_ms // 2}"
            f" -c idle_in_transaction_session_timeout={_statement_ms * 3}"
        ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Strict: staff accounts open passports (a second factor is required on top, see uploads/two_factor.py).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"max_similarity": 0.5},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages -------------------------------------------------------------------------------
# Russian is the default for customers; the seller's admin is offered in Chinese, Russian, English.
LANGUAGE_CODE = "ru"
LANGUAGES = [
    ("ru", _("Russian")),
    ("en", _("English")),
    ("kk", _("Kazakh")),
    ("uz", _("Uzbek")),  # Latin script, as Uzbekistan writes it today
    ("ky", _("Kyrgyz")),
    ("hy", _("Armenian")),
    ("be", _("Belarusian")),
    ("zh-hans", _("Simplified Chinese")),
]
# The seller's side (admin, exports, notifications to staff) is offered in these.
SELLER_LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ru"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ru", "en")
MODELTRANSLATION_LANGUAGES = tuple(code for code, _name in LANGUAGES)
USE_I18N = True
# Dates in each customer language's own order (portal/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

STORAGE_BACKEND = env_choice("STORAGE_BACKEND", "local", ("local", "s3"))
if STORAGE_BACKEND == "s3":
    _passport_storage = {
        "BACKEND": "uploads.core.s3_storage.PassportS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            # Blob names are 128 random bits (uploads/storage.py): asking S3 whether a name is taken
            # would cost a round trip per upload and never answer yes.
            "file_overwrite": True,
            # A storage that does not answer fails the call within about
            # S3_MAX_ATTEMPTS x (S3_CONNECT_TIMEOUT_S + S3_READ_TIMEOUT_S), under the load
            # balancer's minute: a 503 page, not a hanging upload (uploads/web/outages.py).
            "client_config": Config(
                connect_timeout=env_int("S3_CONNECT_TIMEOUT_S", 3, minimum=1),
                read_timeout=env_int("S3_READ_TIMEOUT_S", 10, minimum=1),
                retries={
                    "max_attempts": env_int("S3_MAX_ATTEMPTS", 2, minimum=1),
                    "mode": "standard",
                },
            ),
        },
    }
    if not _passport_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("S3_BUCKET must be set when STORAGE_BACKEND=s3.")
else:
    _passport_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: encrypted blobs are never served as static media.
        "OPTIONS": {"location": str(DATA_DIR / "passports"), "base_url": None},
    }
STORAGES = {
    "default": _passport_storage,
    "passports": _passport_storage,
    # Production serves hashed, compressed copies made by `collectstatic` at deployment (whitenoise).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads stay in memory (see uploads/upload_handlers.py): a plaintext passport is never spooled
# to a temporary file on disk. The handler stops reading past PASSPORT_MAX_UPLOAD_BYTES.
PASSPORT_MAX_UPLOAD_BYTES = env_int("PASSPORT_MAX_UPLOAD_MB", 20, minimum=1) * 1024 * 1024
PASSPORT_MAX_PIXELS = env_int("PASSPORT_MAX_MEGAPIXELS", 50, minimum=1) * 1_000_000
# Every decoder runs in a child process (uploads/core/decoder_process.py) limited to this much
# memory above its interpreter's, this many seconds of CPU (twice that on the wall clock), and this
# many at once per web process: a file built to burn memory or CPU in a decoder is refused.
PASSPORT_DECODE_MEMORY_MB = env_int("PASSPORT_DECODE_MEMORY_MB", 400, minimum=64)
PASSPORT_DECODE_SECONDS = env_int("PASSPORT_DECODE_SECONDS", 8, minimum=1)
PASSPORT_DECODES_PER_PROCESS = env_int("PASSPORT_DECODES_PER_PROCESS", 2, minimum=1)
FILE_UPLOAD_HANDLERS = ["uploads.core.upload_handlers.BoundedMemoryUploadHandler"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # the non-file part of a form

# --- Passports -------------------------------------------------------------------------------
# A list of base64 (url-safe) 32-byte keys: the first encrypts new data keys, all decrypt.
PASSPORT_ENCRYPTION_KEYS = load_master_keys(
    env_str("PASSPORT_ENCRYPTION_KEYS", ""),
    dev_key_file=DATA_DIR / "dev-encryption.key" if DEBUG else None,
)
UPLOAD_LINK_TTL_DAYS = env_int("UPLOAD_LINK_TTL_DAYS", 30, minimum=1)
PASSPORT_RETENTION_DAYS = env_int("PASSPORT_RETENTION_DAYS", 90, minimum=1)
# The photo goes sooner than the fields: customs needs only the fields once a seller accepted.
PASSPORT_IMAGE_RETENTION_DAYS = env_int("PASSPORT_IMAGE_RETENTION_DAYS", 30, minimum=0)
# The papers of 152-FZ (uploads/papers): the information system's name in destruction acts, and who
# runs this installation for the shops (named as the processor, "обработчик", where it is not the
# shop itself; empty when each shop runs its own installation).
PAPERS_SYSTEM_NAME = env_str("PAPERS_SYSTEM_NAME", "")  # empty: the portal's own name
PAPERS_PROCESSOR = env_str("PAPERS_PROCESSOR", "")
MRZ_TESSDATA_DIR = BASE_DIR / "uploads" / "mrz" / "tessdata"

# Django's tasks framework. The immediate backend runs a task inside the request that enqueued it,
# which is what a one-machine install wants; a worker backend is a settings change.
TASKS = {"default": {"BACKEND": tasks_backend(env_str("TASKS_BACKEND", "immediate"))}}
# The "being read" page gives up waiting for the worker after this long and asks for the fields.
MRZ_READING_TIMEOUT_S = env_int("MRZ_READING_TIMEOUT_S", 60, minimum=1)
# django-tasks-db has no visibility timeout: a task whose worker died stays RUNNING for good. The
# reading keeps its own claim instead; one older than this was lost with its worker and is taken
# again (a reading takes a second or two), at most MRZ_READING_MAX_ATTEMPTS times in all.
MRZ_READING_RETRY_AFTER_S = env_int("MRZ_READING_RETRY_AFTER_S", 20, minimum=1)
MRZ_READING_MAX_ATTEMPTS = env_int("MRZ_READING_MAX_ATTEMPTS", 3, minimum=1)

# --- Cache and sessions ------------------------------------------------------------------------
# Nothing a request needs later is kept on the web machine's disk: sessions live in the database
# and the cache (rate limits) in Redis once there is more than one web process.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}
# Several sites (or a staging copy) sharing one Redis keep their counters apart by a prefix.
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "")
# Database sessions stored under a hash of their key (portal/sessions.py): a copy of the
# database holds no session key that works.
SESSION_ENGINE = "portal.sessions"

# --- The seller's own systems: order import, JSON API, webhooks ----------------------------------
ORDER_IMPORT_MAX_ROWS = env_int("ORDER_IMPORT_MAX_ROWS", 10_000, minimum=1)
ORDER_IMPORT_MAX_BYTES = env_int("ORDER_IMPORT_MAX_MB", 5, minimum=1) * 1024 * 1024
API_PAGE_SIZE_MAX = 100
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
# With the immediate task backend, webhook calls go to this many background threads per process,
# never the request's own (uploads/webhooks/tasks.py); 0 calls inline, in the request (tests).
WEBHOOK_BACKGROUND_THREADS = env_int("WEBHOOK_BACKGROUND_THREADS", 2, minimum=0)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60, minimum=1)
# Calls to loopback and private networks would let a seller probe the server's own network (SSRF).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", DEBUG)

# --- Carriers: handing the customs record over by API (uploads/carriers) ------------------------
# The two CDEK API v2 environments a shop's account chooses between (the tests point them at a
# stand-in on loopback).
CDEK_API_URL_TEST = env_str("CDEK_API_URL_TEST", "https://api.edu.cdek.ru").rstrip("/")
CDEK_API_URL_PRODUCTION = env_str("CDEK_API_URL_PRODUCTION", "https://api.cdek.ru").rstrip("/")
CARRIER_TIMEOUT_SECONDS = env_int("CARRIER_TIMEOUT_SECONDS", 10, minimum=1)
CARRIER_MAX_ATTEMPTS = env_int("CARRIER_MAX_ATTEMPTS", 8, minimum=1)
CARRIER_RETRY_BASE_SECONDS = env_int("CARRIER_RETRY_BASE_SECONDS", 60, minimum=0)

# --- Email -----------------------------------------------------------------------------------
_smtp_host = env_str("EMAIL_HOST", "")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "passports@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if _smtp_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("EMAIL_PORT", 587, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
elif DEBUG:
    # Development: each email is written to a file under the data folder, never to the console log.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "sent-emails")},
        }
    }
else:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set when DEBUG is off (customers get their links by email)."
    )

# --- Security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24  # a customer session lasts a day; the link itself lasts longer
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe /health over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health$"]
# Only these addresses or networks (the load balancer's) get an answer from /health, others a
# 404; empty: anyone. The caller's address is read as for rate limits (BEHIND_PROXY).
HEALTH_ALLOWED_IPS = env_list("HEALTH_ALLOWED_IPS", [])
for _network in HEALTH_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"HEALTH_ALLOWED_IPS must list IP addresses or networks (10.0.0.0/24); got {_network!r}"
        ) from None
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", not DEBUG)
CSRF_COOKIE_HTTPONLY = True  # no script of ours reads it; forms carry the token
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# A strict policy without nonces: every script and style is a static file of this site (the
# templates hold no inline <script>, <style> or style=""), nothing comes from elsewhere, and no
# site may frame a page. The admin's own scripts are static files too.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# Upload links carry a token in the path. It is traded for a session at once (no page with the
# token in its address loads anything), and no address is ever sent to another site. Not
# "no-referrer": with it, browsers send "Origin: null" on form posts and CSRF checks fail.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "uploads.web.errors.csrf_failure"
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)

# Staff sign-in: password (throttled by django-axes), then a one-time code (django-otp).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
# Locks the user name from the address that tried it; other staff and other places still get in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_LOCKOUT_TEMPLATE = "errors/login_locked.html"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "Passport uploads")
# Rate limits on the customer's link and pages (uploads/ratelimit.py), counted in the cache.
# Wrong links per address within the window before each further wrong link waits, the wait
# doubling (1, 2, 4 ... s) up to the maximum. A working link is never held back by its address:
# behind a carrier's NAT one guesser must not lock out the customers sharing the address.
RATE_LIMIT_LINK_FAILURES = env_int("RATE_LIMIT_LINK_FAILURES", 10, minimum=1)
RATE_LIMIT_LINK_FAILURE_WINDOW_SECONDS = env_int(
    "RATE_LIMIT_LINK_FAILURE_WINDOW_SECONDS", 600, minimum=1
)
RATE_LIMIT_LINK_MAX_DELAY_SECONDS = env_int("RATE_LIMIT_LINK_MAX_DELAY_SECONDS", 60, minimum=1)
RATE_LIMIT_LINK_OPENS = env_int("RATE_LIMIT_LINK_OPENS", 30, minimum=1)  # per link, hour
RATE_LIMIT_PAGES_PER_MINUTE = env_int("RATE_LIMIT_PAGES_PER_MINUTE", 120, minimum=1)
RATE_LIMIT_UPLOADS_PER_DAY = env_int("RATE_LIMIT_UPLOADS_PER_DAY", 20, minimum=1)
# A staff session ends after this long without a request; customers' sessions are not affected.
STAFF_SESSION_IDLE_MINUTES = env_int("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)

# Server errors are emailed to ADMINS through a reporter that leaves out every value (POST data,
# local variables, cookies, headers, the exception's message) and the link token in the path.
ADMINS = env_list("ADMINS", [])
DEFAULT_EXCEPTION_REPORTER = "portal.error_reports.PrivacyExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.error_reports.PrivacyExceptionReporterFilter"

# --- Logging ---------------------------------------------------------------------------------
# Every handler passes through the redacting filter so an upload token in a request path never
# reaches a log line (Django's request and server loggers print paths). LOG_FORMAT=json writes one
# JSON object a line (time, level, logger, message) for a log collector; the default in production.
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("text", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "portal.logging.RedactUploadTokens"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_tokens"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["redact_tokens"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_tokens"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
