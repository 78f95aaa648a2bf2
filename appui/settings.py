"""Appui settings — one module, configured by environment variables.

Profiles (``APPUI_PROFILE``):
- ``development`` (default): embedded SQLite, relaxed cookies for http://127.0.0.1;
- ``production``: secure cookies, HSTS, HTTPS redirect, TOTP second factor enforced for DAC staff.
Every value below can be overridden by its environment variable.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

import appui

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = appui.__version__


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PROFILE = os.environ.get("APPUI_PROFILE", "development")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("APPUI_DEBUG", False)
SECRET_KEY = os.environ.get("APPUI_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("APPUI_SECRET_KEY must be set in the production profile.")
    SECRET_KEY = "dev-only-not-secret-appui-0000000000000000000000000000000000000000"

ALLOWED_HOSTS = env_list("APPUI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("APPUI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "django_tasks",
    "django_tasks_db",
    "appui.core",
    "appui.accounts",
    "appui.territory",
    "appui.directory",
    "appui.persons",
    "appui.intake",
    "appui.care",
    "appui.circle",
    "appui.reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "appui.accounts.middleware.ActiveMembershipMiddleware",
    "appui.accounts.middleware.SecondFactorMiddleware",
    "appui.core.middleware.AuditMiddleware",
    # Last, so that a locked-out login attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "appui.urls"
WSGI_APPLICATION = "appui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "appui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "appui.core.context_processors.shell",
                "appui.circle.context_processors.notifications",
            ],
        },
    }
]
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

# --- Database -------------------------------------------------------------------------------
# Embedded SQLite by default (one DAC on a laptop); DATABASE_URL=postgres://… for production.
DEFAULT_SQLITE = BASE_DIR / "var" / "appui.sqlite3"
DEFAULT_SQLITE.parent.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE}"),
        conn_max_age=int(os.environ.get("APPUI_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "appui.core.sqlite"
    # Tests run in memory (Django's default for SQLite, said explicitly so that a test runner
    # that recognises SQLite by Django's own engine name keeps it so in each parallel worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "appui.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Session expiry after inactivity (seconds): the expiry is pushed back on every request.
SESSION_COOKIE_AGE = int(os.environ.get("APPUI_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lockout after repeated failures (django-axes), counted per account.
AXES_FAILURE_LIMIT = int(os.environ.get("APPUI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("APPUI_LOCKOUT_HOURS", "0.25"))
# Per account, not per address: a DAC's staff often share one public address behind their
# organisation's network, and an address lockout would lock the whole team out at once.
AXES_LOCKOUT_PARAMETERS = ["username"]
# models.W047: the demo's SQLite cannot enforce "one shipped grid per code and version" (a unique
# constraint over a nullable DAC); PostgreSQL, used in production and tests, does.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W047"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# TOTP second factor for DAC staff; the production profile turns it on.
APPUI_REQUIRE_2FA = env_bool("APPUI_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "Appui"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("APPUI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("APPUI_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = False
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: no inline script without the per-request nonce, nothing third-party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "appui" / "locale"]

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "appui" / "static"]
STATIC_ROOT = Path(os.environ.get("APPUI_STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Files are served from the app folders directly, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded files live outside the web root and are only served through authorised views.
MEDIA_ROOT = Path(os.environ.get("APPUI_MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Liaison-notebook attachments: never under a served folder, read only through the view that
# checks the reader's rights.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("APPUI_PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
# Largest file a liaison note accepts (each file), in megabytes.
APPUI_ATTACHMENT_MAX_BYTES = int(
    float(os.environ.get("APPUI_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "APPUI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("APPUI_FROM_EMAIL", "Appui <ne-pas-repondre@appui.invalid>")

# --- Appui ----------------------------------------------------------------------------------
APPUI_SITE_TITLE = "Appui"
# The address links in e-mails point to (notifications, invitations).
APPUI_BASE_URL = os.environ.get("APPUI_BASE_URL", "http://127.0.0.1:8000")
# Emergency access (bris de glace) lasts this long before a new justification is needed.
APPUI_EMERGENCY_ACCESS_HOURS = int(os.environ.get("APPUI_EMERGENCY_ACCESS_HOURS", "12"))
# Closed episodes are archived (read-only, out of the lists, never deleted) this many years after
# their exit, and not before the person's 28th birthday: the medical-file rule of the code de la
# santé publique (art. R1112-7), docs/decisions/0011-conservation-et-archivage.md.
APPUI_RETENTION_YEARS = int(os.environ.get("APPUI_RETENTION_YEARS", "20"))
# Regional view: a count below this is shown as "< N" (re-identification; CNIL's usual 5 or 10).
APPUI_SMALL_COUNT_THRESHOLD = int(os.environ.get("APPUI_SMALL_COUNT_THRESHOLD", "5"))
APPUI_SITE_TAGLINE = "Dispositif d'appui à la coordination"
APPUI_PAGE_SIZE = 25
# A directory resource not verified for this many days is flagged for upkeep.
APPUI_DIRECTORY_VERIFY_DAYS = int(os.environ.get("APPUI_DIRECTORY_VERIFY_DAYS", "365"))
# Stable name of this installation in the identifiers of its data·inclusion exports (a re-import
# recognises its own records); derived from the secret key when unset.
APPUI_INSTANCE_ID = os.environ.get("APPUI_INSTANCE_ID", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("APPUI_LOG_LEVEL", "WARNING")},
}

# DSFR: mark optional fields rather than required ones (the current DSFR guidance).
DSFR_MARK_OPTIONAL_FIELDS = True

# Public holidays for working-day delays (the `holidays` package: "FR", with an optional
# subdivision such as "Alsace-Moselle" where 26 December and Good Friday are off).
APPUI_HOLIDAYS_SUBDIVISION = os.environ.get("APPUI_HOLIDAYS_SUBDIVISION", "") or None

# Background tasks (django-tasks), queued in the database; `manage.py db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Caseload targets shown next to a coordinator's or a case manager's active episodes.
APPUI_CASELOAD_TARGET_COORDINATOR = int(os.environ.get("APPUI_CASELOAD_TARGET_COORDINATOR", "110"))
APPUI_CASELOAD_TARGET_CASE_MANAGER = int(os.environ.get("APPUI_CASELOAD_TARGET_CASE_MANAGER", "35"))
