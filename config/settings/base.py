"""Settings shared by every environment.

Every value that differs between machines comes from the environment through
one reader (django-environ). The defaults give a working single-machine site:
an embedded PostgreSQL, a file-system Celery broker and a file cache under ``var/``.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core -------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "csp",
    "accounts.third_party_apps.LoginLockoutConfig",  # axes, named in Chinese
    "django_otp",
    "accounts.third_party_apps.TwoFactorConfig",  # django_otp.plugins.otp_totp, named in Chinese
    "accounts",
    "audit",
    "plans",
    "tracking",
    "reminders",
    "reports",
    "intake",
    "ops",
    "seeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a request body (CSRF reads forms in process_view, after every __call__).
    "accounts.uploads.RequestSizeLimitMiddleware",
    "accounts.bad_input.BadInputMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.context.AuditContextMiddleware",
    "accounts.middleware.LoginPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "admin:login"
# The admin lives at a documented path that is not the default /admin/.
ADMIN_URL = env.str("ADMIN_URL", default="manage/").strip("/") + "/"

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
                "accounts.context_processors.roles",
                "tracking.context_processors.review_count",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# Without DATABASE_URL, an embedded PostgreSQL under var/ (config/embedded_db.py): nothing to install.
# A sqlite:// URL still loads (migrate and the dry runs work), but the write paths need PostgreSQL.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif env.str("DJANGO_SETTINGS_MODULE", default="").endswith(".production"):
    # A production site never starts a database of its own by accident.
    raise ImproperlyConfigured("DATABASE_URL is required in production (postgres://user:password@host:5432/name).")
else:
    from config import embedded_db

    DATABASES = {
        "default": embedded_db.database(VAR_DIR / "postgres", durable=env.bool("EMBEDDED_DB_DURABLE", default=True))
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compiling pays off for long analytic queries, not for pages: measured, it added up to 1.3 s
    # to one "my tasks" query at 100,000 tasks (bench/pages_bench.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web process read while the worker writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Without Redis, kombu's file-system transport carries the messages: nothing to install.
CELERY_BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Longer than any task may run, so Redis does not redeliver a task still in progress.
    # A task whose worker died is handed out again after this; reminders do not wait for it (their
    # sweep takes over an abandoned claim within REMINDER_CLAIM_SECONDS).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{VAR_DIR / 'results'}")
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat's schedules, written into django-celery-beat's tables after migrate when missing, then edited
# in the admin (定时任务). Beat itself is given none of them, so a restart never undoes an edit.
# Times are Asia/Shanghai; "crontab" is "minute hour day-of-month month day-of-week".
DEFAULT_BEAT_SCHEDULE = {
    "heartbeat": {"task": "tracking.heartbeat", "every_seconds": 60},
    # The morning scan records the day's reminders; the sweep sends due messages, retries, and
    # takes over messages a dead worker had claimed.
    "reminders-scan": {"task": "reminders.scan", "crontab": "15 8 * * *"},
    "reminders-sweep": {"task": "reminders.sweep", "every_seconds": 60},
    # Deletes reminders and messages past REMINDER_RETENTION_DAYS that went out (or failed for good).
    "reminders-prune": {"task": "reminders.prune", "crontab": "30 3 * * *"},
    # Builds the weekly report on a week's first working day and the monthly one on a month's.
    "reports-build-due": {"task": "reports.build_due", "crontab": "30 7 * * *"},
    # A new day moves tasks between colours; pages would otherwise do it on their first view.
    "plans-refresh-colours": {"task": "plans.refresh_colours", "crontab": "1 0 * * *"},
    # Deletes audit events older than AUDIT_RETENTION_DAYS (never younger than 180 days).
    "audit-prune": {"task": "audit.prune", "crontab": "45 3 * * *"},
    # The database and the uploaded files into one archive in BACKUP_DIR (docs/operations.md).
    "ops-backup": {"task": "ops.backup", "crontab": "0 2 * * *"},
}

# --- Backups --------------------------------------------------------------------
# manage.py backup and the nightly task write here and keep the newest BACKUP_KEEP archives (0: all).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
# A Fernet key (python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"):
# archives are encrypted with it. Keep it apart from the backups: without it they cannot be restored.
BACKUP_ENCRYPTION_KEY = env.str("BACKUP_ENCRYPTION_KEY", default="")
# The folder of pg_dump and pg_restore; empty: next to the server's own binaries, then PATH.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")

# --- Mail ---------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="督办系统 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Passwords and login (docs/security.md, 身份鉴别) ----------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
# Administrators change their password after this many days (0: never asked).
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginBackend", "django.contrib.auth.backends.ModelBackend"]
# django-axes: after AXES_FAILURE_LIMIT wrong passwords a username, and separately an address, is locked
# for AXES_COOLOFF_MINUTES; an administrator unlocks by deleting the access attempt in the admin.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Reverse proxies in front of gunicorn that append X-Forwarded-For (audit.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "audit.client_ip.client_ip"
# Two-factor login (TOTP) required of these roles: "manager", "administrator" (default: nobody, optional).
OTP_REQUIRED_FOR = env.list("OTP_REQUIRED_FOR", default=[])
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="督办系统")

# --- Language and time --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# One date style on the site and in the admin, in both languages: 2026-12-31 (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and uploaded files ------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
# The plan-document review posts one form row per task (a long plan: thousands of fields).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 50000
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Upload limits that hold before anything reaches the disk (accounts.uploads): a request body over
# MAX_REQUEST_BYTES is refused from its Content-Length, and an upload is cut off the moment one file
# passes MAX_UPLOAD_FILE_BYTES (the larger of the evidence and sheet limits) or the body passes the total.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=64 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "accounts.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Security audit log (audit) ------------------------------------------------
# Days audit events are kept; the prune never deletes younger than 180 whatever this says.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)

# --- Secrets at rest (accounts.encryption) -------------------------------------
# Fernet keys, comma-separated: the first encrypts, all decrypt. Rotate with manage.py rotate_field_key.
# Without any, development derives one from SECRET_KEY; production.py requires them.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# --- Sessions and cookies -----------------------------------------------------
# Signed out after this many idle minutes: a request renews the session's expiry when its last renewal
# is a minute old (accounts.middleware), rather than writing the session on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Content-Security-Policy (django-csp) and other headers ---------------------
# No inline script anywhere: behaviour lives in static/js. Inline style attributes stay allowed (the
# admin's own templates use them); images may be data: URIs (the admin's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page uses (accounts.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- Product rules ------------------------------------------------------------
# A task this many percentage points behind its expected progress (序时进度) is behind pace.
PACE_TOLERANCE_POINTS = env.float("PACE_TOLERANCE_POINTS", default=5.0)
# A task due within this many days and not done is "due soon".
DUE_SOON_DAYS = env.int("DUE_SOON_DAYS", default=7)
# An extension may move a deadline to the end of the plan's year plus this many years at most.
EXTENSION_LIMIT_YEARS = env.int("EXTENSION_LIMIT_YEARS", default=1)
# Evidence files (佐证材料) attached to progress updates.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
EVIDENCE_EXTENSIONS = [
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "gif",
    "webp",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "wps",
    "et",
    "ofd",
    "txt",
    "zip",
]

# --- Reminders (see reminders/rules.py) ----------------------------------------
# Days before a deadline on which the owner and the department's contact are reminded (0 = on the day).
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[7, 3, 1, 0])
# Overdue tasks: the owner again every N working days; the leader once more than M days overdue.
REMINDER_OVERDUE_EVERY_WORKING_DAYS = env.int("REMINDER_OVERDUE_EVERY_WORKING_DAYS", default=3)
REMINDER_ESCALATE_AFTER_DAYS = env.int("REMINDER_ESCALATE_AFTER_DAYS", default=5)
# A missing report (催报) reaches the leader this many working days after the reporting day.
REMINDER_REPORT_LEADER_AFTER_WORKING_DAYS = env.int("REMINDER_REPORT_LEADER_AFTER_WORKING_DAYS", default=3)
# Messages found in these hours (Asia/Shanghai) wait for the morning.
REMINDER_QUIET_HOURS = env.str("REMINDER_QUIET_HOURS", default="21:00-08:00")
# A worker that claimed a message and has not finished within this time is presumed dead: the sweep
# hands the message to another. Longer than EMAIL_TIMEOUT + REMINDER_WEBHOOK_TIMEOUT.
REMINDER_CLAIM_SECONDS = env.int("REMINDER_CLAIM_SECONDS", default=120)
# A send whose outcome is unknown (no answer after the message was handed over, or a worker that died
# while sending) is marked 待确认 and sent again only this long after its lease: email with the same
# Message-ID once a slow server has surely answered, chat marked 【补发】. See docs/delivery.md.
REMINDER_UNCONFIRMED_EMAIL_SECONDS = env.int("REMINDER_UNCONFIRMED_EMAIL_SECONDS", default=900)
REMINDER_UNCONFIRMED_CHAT_SECONDS = env.int("REMINDER_UNCONFIRMED_CHAT_SECONDS", default=1800)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=8)
# Retries wait base × 2^(attempt − 1), at most an hour.
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
REMINDER_WEBHOOK_TIMEOUT = env.int("REMINDER_WEBHOOK_TIMEOUT", default=10)
# Sent and failed reminders and messages are deleted after this many days (never fewer than 120).
REMINDER_RETENTION_DAYS = env.int("REMINDER_RETENTION_DAYS", default=400)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Links in reminders and reports point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Spreadsheet import (django-import-export) --------------------------------
# Importing needs the change permission; the admin then limits staff to their own departments.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
SHEET_MAX_BYTES = env.int("SHEET_MAX_BYTES", default=20 * 1024 * 1024)
SHEET_MAX_UNPACKED_BYTES = env.int("SHEET_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
SHEET_MAX_ROWS = env.int("SHEET_MAX_ROWS", default=200_000)
# Confirmed imports of larger files run on a worker while the page shows their progress.
SHEET_ASYNC_BYTES = env.int("SHEET_ASYNC_BYTES", default=256 * 1024)
MAX_UPLOAD_FILE_BYTES = max(EVIDENCE_MAX_BYTES, SHEET_MAX_BYTES)
