"""Settings for the street governance portal, read from the environment.

Every variable is listed with its meaning in `.env.example` and the README.
Without DATABASE_URL the portal uses a SQLite file; without REDIS_URL Celery
tasks run in-process and the cache is local to the process.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_mapping,
    env_redis_url,
    env_str,
    env_url,
)
from portal.formats import FastXLSX, SafeCSV, SafeCSVImport, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent

# A local `.env` (created by `make setup`, never committed) fills in variables
# the real environment does not set; the environment always wins.
if (BASE_DIR / ".env").is_file() and not env_bool("PORTAL_IGNORE_DOTENV", False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. For a local try-out set DEBUG=1; "
            "in production generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off, e.g. ALLOWED_HOSTS=portal.example.gov.cn"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- HTTPS -----------------------------------------------------------------
# On by default in production. SECURE_HTTPS=0 is for a private network on plain
# HTTP, or behind a proxy that terminates TLS; in the latter case also set
# SECURE_PROXY_SSL_HEADER so Django knows the original request was HTTPS.
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
SILENCED_SYSTEM_CHECKS = []
if SECURE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    # The operator chose plain HTTP on purpose (SECURE_HTTPS=0); the deploy
    # checks for redirect, HSTS and secure cookies would only repeat that.
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

# Header set by a trusted reverse proxy with the client's address (for example
# X-Real-IP). Left unset, the socket address is used and X-Forwarded-For is
# ignored, because any client can forge it.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")

# --- Applications ------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "import_export",
    "axes",
    "django_ratelimit",
    # The layers, from the kernel up (docs/architecture.md); seed_demo runs the
    # apps' demo data in this order, each using what the apps listed before it made.
    "portal",
    "points",
    "grids",
    "alliances",
    "volunteers",
    "care",
    "wishes",
    "cases",
    # Open311 GeoReport v2 for the cases: in the cases layer, with tables of its own.
    "cases.open311",
    "deliberation",
    "dashboard",
    "reports",
    # On top: reads every app above, and no app imports it.
    "inbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.pagecache.CsrfPlaceholderMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "inbox.middleware.FreshCountsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.portal",
                "inbox.context_processors.inbox",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------
_database = env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes every transaction take the write lock up front, so two
    # writers wait for each other instead of failing with "database is locked".
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _database["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    _database["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a query whose estimated cost is high: tens of
    # milliseconds spent on the admin's searches and counts of a district,
    # which then run in a hundred. The portal's queries are short; batch work
    # that would gain turns it on for itself.
    _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seconds a process keeps the public pages it served in its own memory, in
# front of the shared cache (portal.pagecache); 0 turns that layer off.
PAGECACHE_LOCAL_SECONDS = env_int("PAGECACHE_LOCAL_SECONDS", 3, minimum=0)

# --- Redis: cache and Celery ----------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
# Rate limits count in their own alias of the same cache: the same keys, but
# while Redis is unreachable it keeps counting in the process's memory
# (portal.cache), so a limit holds per process instead of refusing everyone.
RATELIMIT_USE_CACHE = "ratelimit"
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
    }
    CACHES = {
        "default": _redis_cache,
        "ratelimit": {**_redis_cache, "OPTIONS": {"LOCAL_FALLBACK": True}},
    }
    # Django's RedisCache (which portal.cache.RedisCache extends) increments
    # atomically, which is all django-ratelimit needs; its check only lists
    # third-party backends.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]
else:
    # One store under two names, as with Redis.
    _local_cache = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    CACHES = {"default": _local_cache, "ratelimit": _local_cache}
    # Without Redis the portal runs as one process (the try-out default), where
    # a per-process cache is a correct rate-limit store.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# No caller reads a task's result; waiting on a result store that is down
# would hold every request that enqueues a task for twenty seconds.
CELERY_TASK_IGNORE_RESULT = True
# Publishing gives up quickly when the broker is down; the task is then kept
# in the outbox (portal.queue) and sent again once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "Asia/Shanghai"
# A task is acknowledged only after it finishes, so a worker that dies mid-task
# has it redelivered; every task is idempotent for that reason. The broker's
# visibility timeout must exceed the longest task, or Redis would hand a task
# that is still running to a second worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BEAT_SCHEDULE = {
    "portal-housekeeping": {
        "task": "portal.tasks.housekeeping",
        "schedule": crontab(minute=5, hour=3),
    },
    # Background jobs whose worker and message were lost: queued again (portal.jobs).
    "portal-tidy-jobs": {
        "task": "portal.tasks.tidy_jobs",
        "schedule": crontab(minute="*/15"),
    },
    # Tasks that could not be queued while the broker was down (portal.queue).
    "portal-resend-outbox": {
        "task": "portal.tasks.resend_outbox",
        "schedule": crontab(minute="*/2"),
    },
    # Grid cases: overdue sign-for and finishing marked and escalated, and
    # reminders near the limit; a cheap indexed query when nothing is due.
    "cases-check-overdue": {
        "task": "cases.tasks.check_overdue",
        "schedule": crontab(minute="*/5"),
    },
    "wishes-flag-overdue": {
        "task": "wishes.tasks.flag_overdue_wishes",
        "schedule": crontab(minute=10, hour=0),
    },
    "wishes-close-unconfirmed": {
        "task": "wishes.tasks.close_unconfirmed_wishes",
        "schedule": crontab(minute=20, hour=0),
    },
    # Notifications: anything still pending (a broker outage, quiet hours
    # over, a retry due) every five minutes; digests on the hour; reminders.
    "inbox-sweep": {
        "task": "inbox.tasks.sweep",
        "schedule": crontab(minute="*/5"),
    },
    "inbox-digests": {
        "task": "inbox.tasks.send_digests",
        "schedule": crontab(minute=2),
    },
    "inbox-remind-activities": {
        "task": "inbox.tasks.remind_activities",
        "schedule": crontab(minute=0, hour=17),
    },
    "inbox-remind-claims": {
        "task": "inbox.tasks.remind_claims",
        "schedule": crontab(minute=30, hour=9),
    },
    # Points totals and ranks: the current month every night (only if its
    # ledger changed), and the month just ended closed right after midnight.
    "points-rollup-nightly": {
        "task": "points.tasks.rollup_points_nightly",
        "schedule": crontab(minute=30, hour=1),
    },
    "points-rollup-month-end": {
        "task": "points.tasks.rollup_points_close_month",
        "schedule": crontab(minute=10, hour=0, day_of_month=1),
    },
    # The joint-meeting reports of the month just ended, built once its points
    # totals are final (the month-end rollup above runs at 00:10).
    "reports-monthly": {
        "task": "reports.tasks.monthly_reports_last_month",
        "schedule": crontab(minute=0, hour=2, day_of_month=1),
    },
}

# --- Auth --------------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions: volunteers and unit liaisons on their phones stay signed in for
# SESSION_DAYS; staff (admin roles, grid workers: they see personal data) are
# signed out after STAFF_SESSION_IDLE_HOURS without a request (portal.middleware).
SESSION_COOKIE_AGE = env_int("SESSION_DAYS", 14, minimum=1) * 24 * 3600
STAFF_SESSION_IDLE_HOURS = env_int("STAFF_SESSION_IDLE_HOURS", 8, minimum=1)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:after_login"
LOGOUT_REDIRECT_URL = "portal:landing"

# Failed sign-ins one client address may make per hour, whatever the usernames
# (password spraying); then it waits for the hour (portal.auth).
LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = env_int("LOGIN_FAILURES_PER_ADDRESS_PER_HOUR", 30, minimum=1)

# django-axes: lock a username from one address after repeated failures. The
# pair, never the username alone: then anyone could lock a real user out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "portal.net.client_ip"
AXES_VERBOSE = False

RATELIMIT_VIEW = "portal.views.ratelimited"

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Per-language date formats named in templates (DATE_FORMAT, YEAR_MONTH_FORMAT, …).
FORMAT_MODULE_PATH = ["portal.locale_formats"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files that only a view checking access may hand out (project progress and
# wish fulfilment photos).
# Kept outside MEDIA_ROOT so that no web server, and not the development media
# route, serves them by path.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # import-export's copy of an upload between preview and confirm: private,
    # and on the disk every web and worker host shares, not one host's /tmp.
    "import_export": {"BACKEND": "portal.models.PrivateFileStorage"},
}

# --- Mail -------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@localhost")

# --- Spreadsheets -------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"  # STORAGES["import_export"]
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_FORMATS = [FastXLSX, SafeCSVImport]
# Limits on every uploaded sheet (portal.imports), so a file can neither
# exhaust memory nor outlast the web worker's timeout: file size, size once
# unpacked (XLSX is a zip), rows and characters in one cell.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 20, minimum=1)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 200, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 5000, minimum=100)
# Imports of more rows than this are previewed and imported as background jobs (portal.import_jobs).
IMPORT_INLINE_MAX_ROWS = env_int("IMPORT_INLINE_MAX_ROWS", 2000, minimum=0)

# Every export goes through the portal's one writer (portal.xlsx): formulas
# neutralised, dates and numbers kept, header frozen.
EXPORT_FORMATS = [SafeXLSX, SafeCSV]

# --- Logging -----------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; keep its warnings only.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Portal policy ----------------------------------------------------------------------
# A vulnerable household (any rainbow category but 一般户) not visited for this
# many days is flagged on the grid page.
VISIT_OVERDUE_DAYS = env_int("VISIT_OVERDUE_DAYS", 30, minimum=1)

# --- Micro-wishes -------------------------------------------------------------------------
# A fulfilled wish the resident has not confirmed closes by itself after this many days.
WISH_CONFIRM_DAYS = env_int("WISH_CONFIRM_DAYS", 14, minimum=1)
# Claims a volunteer, team or unit may hold at once before marking any fulfilled.
WISH_MAX_OPEN_CLAIMS = env_int("WISH_MAX_OPEN_CLAIMS", 3, minimum=1)
# Wishes one phone number may save on the public form in 24 hours.
WISH_SUBMITS_PER_PHONE = env_int("WISH_SUBMITS_PER_PHONE", 3, minimum=1)
# Wishes one client address may save, per hour and per day: a ceiling well
# above one household's use, because a post station's Wi-Fi or a carrier's
# shared address serves many residents.
WISH_SUBMITS_PER_HOUR = env_int("WISH_SUBMITS_PER_HOUR", 60, minimum=1)
WISH_SUBMITS_PER_DAY = env_int("WISH_SUBMITS_PER_DAY", 300, minimum=1)
# Requests for a one-time SMS code to find lost tracking codes, per phone
# number and per client address per hour.
WISH_RECOVERY_PER_PHONE = env_int("WISH_RECOVERY_PER_PHONE", 3, minimum=1)
WISH_RECOVERY_PER_ADDRESS = env_int("WISH_RECOVERY_PER_ADDRESS", 20, minimum=1)
# Wrong tracking codes one client address may try per hour before it must wait.
WISH_TRACK_MISSES_PER_HOUR = env_int("WISH_TRACK_MISSES_PER_HOUR", 10, minimum=1)
# Largest photo accepted (fulfilments, project progress), in pixels: checked from
# the file's header before any pixel is decoded (portal.photos).
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 25_000_000, minimum=1_000_000)
# Largest fulfilment photo accepted, in megabytes.
WISH_PHOTO_MAX_MB = env_int("WISH_PHOTO_MAX_MB", 5, minimum=1)

# --- Grid cases ---------------------------------------------------------------------------
# Working hours that case time limits count, local time (on the Chinese calendar's workdays).
CASES_WORKDAY_START = env_int("CASES_WORKDAY_START", 9, minimum=0)
CASES_WORKDAY_END = env_int("CASES_WORKDAY_END", 17, minimum=1)
# Whoever holds a case (or a dispatch) is reminded this many hours before its finishing limit.
CASES_NEAR_LIMIT_HOURS = env_int("CASES_NEAR_LIMIT_HOURS", 4, minimum=1)
# Cases one phone number may report on the public form in 24 hours.
CASES_SUBMITS_PER_PHONE = env_int("CASES_SUBMITS_PER_PHONE", 5, minimum=1)
# Topics a resident may raise for deliberation from one phone number in 24 hours.
DELIBERATION_TOPICS_PER_PHONE = env_int("DELIBERATION_TOPICS_PER_PHONE", 3, minimum=1)
# Posts of the public form one client address may make per hour.
CASES_POSTS_PER_HOUR = env_int("CASES_POSTS_PER_HOUR", 60, minimum=1)
# ... and per day: phone numbers are not checked, so the per-phone limit alone does not hold one address back.
CASES_POSTS_PER_DAY = env_int("CASES_POSTS_PER_DAY", 300, minimum=1)
# Largest photo accepted with a case, in megabytes.
CASES_PHOTO_MAX_MB = env_int("CASES_PHOTO_MAX_MB", 5, minimum=1)
# Open311 (cases.open311): requests one client address may make per hour (reads and posts),
# posts one address may make per hour, and posts one API key may make per hour.
# Publish residents' own words (numbers masked) as the Open311 description; off: the category name.
OPEN311_PUBLISH_DESCRIPTIONS = env_bool("OPEN311_PUBLISH_DESCRIPTIONS", False)
OPEN311_READS_PER_HOUR = env_int("OPEN311_READS_PER_HOUR", 1200, minimum=1)
OPEN311_POSTS_PER_HOUR = env_int("OPEN311_POSTS_PER_HOUR", 60, minimum=1)
OPEN311_POSTS_PER_KEY_PER_HOUR = env_int("OPEN311_POSTS_PER_KEY_PER_HOUR", 300, minimum=1)

# --- Notifications (inbox) ---------------------------------------------------------------
# The address links in e-mails point at, e.g. https://portal.example.gov.cn
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000")
# Dotted path of the SMS backend: inbox.sms.LoggingSmsBackend only writes a
# log line with the number masked; inbox.sms.AliyunSmsBackend sends through
# Aliyun SMS (dysmsapi) with the settings below.
SMS_SENDER = env_str("SMS_SENDER", "inbox.sms.LoggingSmsBackend")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")
SMS_ALIYUN_ACCESS_KEY_ID = env_str("SMS_ALIYUN_ACCESS_KEY_ID", "")
SMS_ALIYUN_ACCESS_KEY_SECRET = env_str("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
SMS_ALIYUN_ENDPOINT = env_url("SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com")
SMS_ALIYUN_REGION = env_str("SMS_ALIYUN_REGION", "cn-hangzhou")
# Approved template per notification kind (kind=TemplateCode, …), and the
# template for kinds not listed (one variable, ${content}).
SMS_TEMPLATES = env_mapping("SMS_TEMPLATES")
SMS_DEFAULT_TEMPLATE = env_str("SMS_DEFAULT_TEMPLATE", "")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10, minimum=1)
# SMS quiet hours (local time) for residents and for users who did not set
# their own: nothing is sent from the start hour until the end hour.
INBOX_QUIET_START = env_int("INBOX_QUIET_START", 21, minimum=0, maximum=23)
INBOX_QUIET_END = env_int("INBOX_QUIET_END", 8, minimum=0, maximum=23)
# Attempts per message before it is marked failed (transient errors only).
INBOX_MAX_ATTEMPTS = env_int("INBOX_MAX_ATTEMPTS", 5, minimum=1)
# Seconds the top bar's to-do and unread counts are kept per user; a user's
# own change, or a notification for them, refreshes them at once.
INBOX_COUNT_CACHE_SECONDS = env_int("INBOX_COUNT_CACHE_SECONDS", 60, minimum=0)
# Remind a claimant this many days before the wished date.
INBOX_CLAIM_REMINDER_DAYS = env_int("INBOX_CLAIM_REMINDER_DAYS", 2, minimum=1)

# --- Monthly reports and the dashboard ---------------------------------------------------
# A report's PDF is cached under its revision (a rebuilt report gets a new one).
REPORT_PDF_CACHE_SECONDS = env_int("REPORT_PDF_CACHE_SECONDS", 24 * 60 * 60, minimum=0)
# Admin exports of more rows than this run as background jobs (portal.jobs) with a progress page.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 2000, minimum=0)
# Finished background jobs and their files are deleted after this many days (portal.tasks.housekeeping).
JOB_KEEP_DAYS = env_int("JOB_KEEP_DAYS", 7, minimum=1)
# The dashboard's numbers per scope node: saved rows invalidate them at once, and
# this bounds how long writes that bypass the ORM's signals (rollup, bulk imports) take to show.
DASHBOARD_CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 120, minimum=0)

# --- Volunteers and points ---------------------------------------------------------------
# Check-in opens this many minutes before an activity starts; arriving later
# than VOLUNTEER_LATE_MINUTES after the start is recorded as late (迟到).
VOLUNTEER_CHECKIN_OPENS_MINUTES = env_int("VOLUNTEER_CHECKIN_OPENS_MINUTES", 60, minimum=0)
VOLUNTEER_LATE_MINUTES = env_int("VOLUNTEER_LATE_MINUTES", 15, minimum=0)
# Days ahead a volunteer's to-do lists the activities they signed up for.
VOLUNTEER_TODO_DAYS = env_int("VOLUNTEER_TODO_DAYS", 7, minimum=1)
# How long a check-in QR code stays valid; the organiser's page shows a fresh one.
VOLUNTEER_CHECKIN_QR_MINUTES = env_int("VOLUNTEER_CHECKIN_QR_MINUTES", 10, minimum=1)
# Leaderboards: volunteer stars (志愿服务之星) and units (and teams) of the month per street.
VOLUNTEER_STARS_TOP_N = env_int("VOLUNTEER_STARS_TOP_N", 10, minimum=1)
VOLUNTEER_UNITS_TOP_N = env_int("VOLUNTEER_UNITS_TOP_N", 5, minimum=1)
# Service-record PDFs (several seconds of work each) one person may have made per hour.
VOLUNTEER_STATEMENTS_PER_HOUR = env_int("VOLUNTEER_STATEMENTS_PER_HOUR", 20, minimum=1)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # The ledger's covering index (points_rollup_idx) lists INCLUDE columns that
    # only PostgreSQL stores; on SQLite it is a plain index, which is fine.
    SILENCED_SYSTEM_CHECKS += ["models.W040"]
