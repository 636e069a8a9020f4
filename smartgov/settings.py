"""Django settings for smartgov, read from the environment.

Environment variables:
    DATABASE_URL       default sqlite:///<VAR_DIR>/smartgov.sqlite3 (WAL mode)
    SECRET_KEY         default: generated once into <VAR_DIR>/secret_key
    SMARTGOV_VAR_DIR   where runtime state lives (default ./var)
    ALLOWED_HOSTS      comma separated (default 127.0.0.1,localhost)
    DEBUG              "1"/"true" turns debug on (default off)
    FIELD_ENCRYPTION_KEY  hex SM4 key for sensitive fields (default: generated into var/)
    TRUSTED_PROXY_COUNT   how many reverse proxies add X-Forwarded-For (default 0)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SMARTGOV_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_from_var(name: str, make) -> str:
    """Read a generated secret from var/, creating it (mode 0600) on first run."""
    path = VAR_DIR / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _new_rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _new_sm2_private_key() -> str:
    from smartgov.core.crypto import sm2_generate_keypair

    return sm2_generate_keypair().private_key


SECRET_KEY = os.environ.get("SECRET_KEY") or _secret_from_var(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY") or _secret_from_var(
    "field_key", lambda: secrets.token_hex(16)
)
# SM2 key signing audit-chain checkpoints; kept outside the database so that database access
# alone cannot rewrite the audit log unnoticed.
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY") or _secret_from_var(
    "audit_sm2.key", lambda: _new_sm2_private_key()
)
AUDIT_CHECKPOINT_INTERVAL = int(os.environ.get("AUDIT_CHECKPOINT_INTERVAL", "1000"))
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "smartgov.core",
    "smartgov.accounts",  # before oauth2_provider: its consent template overrides DOT's
    "smartgov.catalog",
    "smartgov.datastore",
    "smartgov.sharing",
    "smartgov.opendata",
    "smartgov.governance",
    "smartgov.licenses",
    "smartgov.services",
    "smartgov.portal",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "smartgov.core.middleware.RequestContextMiddleware",
    "smartgov.core.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "smartgov.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "smartgov.urls"
WSGI_APPLICATION = "smartgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartgov.portal.context.portal_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'smartgov.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SQLITE_CONN_MAX_AGE", "0"))
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
        # the audit chain's read-then-append never fails with "database is locked" half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["smartgov.accounts.backends.LockoutAwareBackend"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login lockout: after this many failures in a row the account is locked for the period.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES")

# Request bodies: JSON API bodies above this are refused with 413 (uploads get their own limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", str(2 * 1024 * 1024)))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its own catalog in <app>/locale (compiled with scripts/compilemessages.py).
LOCALE_PATHS: list = []
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OIDC_RSA_PRIVATE_KEY": os.environ.get("OIDC_RSA_PRIVATE_KEY")
    or _secret_from_var("oidc_rsa.pem", _new_rsa_pem),
    "OAUTH2_VALIDATOR_CLASS": "smartgov.accounts.oidc.SmartgovOIDCValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name and account kind",
        "email": "E-mail address",
        "phone": "Mobile number",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ID_TOKEN_EXPIRE_SECONDS": 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # RFC 9700 (OAuth 2.0 Security BCP): enforce now rather than warn.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

SMARTGOV_API_PAGE_SIZE = 50

# The sharing gateway: how often worker processes check whether app, grant and resource
# metadata changed (seconds; revocation acts within this bound), the cache's maximum age, and
# the accepted clock skew of signed requests.
SMARTGOV_GATEWAY_CACHE_SECONDS = float(os.environ.get("SMARTGOV_GATEWAY_CACHE_SECONDS", "1"))
SMARTGOV_GATEWAY_CACHE_MAX_AGE = float(os.environ.get("SMARTGOV_GATEWAY_CACHE_MAX_AGE", "60"))
SMARTGOV_GATEWAY_MAX_SKEW = 300
# Intake's per-process cache of categories, dispatch rules, grids and the classifier row
# (smartgov.governance.config_cache): fingerprint checked at most this often; reloaded at max age.
GOVERNANCE_CACHE_SECONDS = float(os.environ.get("GOVERNANCE_CACHE_SECONDS", "1"))
GOVERNANCE_CACHE_MAX_AGE = float(os.environ.get("GOVERNANCE_CACHE_MAX_AGE", "60"))

# Public e-license verifications per client address and minute (0: no limit); the default
# cache is per process, so each server process counts on its own (see licenses/throttle.py).
SMARTGOV_VERIFY_RATE_PER_MINUTE = int(os.environ.get("SMARTGOV_VERIFY_RATE_PER_MINUTE", "120"))

# Data sharing: working days for a provider or bureau approval step and for answering an
# objection; the highest per-minute rate a grant may have; the longest grant period (days).
SHARING_APPROVAL_WORKING_DAYS = int(os.environ.get("SHARING_APPROVAL_WORKING_DAYS", "5"))
SHARING_OBJECTION_WORKING_DAYS = int(os.environ.get("SHARING_OBJECTION_WORKING_DAYS", "10"))
SHARING_MAX_RATE_PER_MINUTE = int(os.environ.get("SHARING_MAX_RATE_PER_MINUTE", "6000"))
SHARING_MAX_GRANT_DAYS = int(os.environ.get("SHARING_MAX_GRANT_DAYS", str(3 * 366)))
