"""Settings for the news archive and CMS, read from the environment (12-factor).

Two modes, chosen by ``DJANGO_ENV``:

* ``development`` (default): DEBUG on, an insecure development secret key, SQLite in the
  project folder, a local-memory cache. Good for ``make run`` and nothing else.
* ``production``: DEBUG off, a real secret key is required, HTTPS hardening is on, and
  ``manage.py check --deploy`` passes with no warnings.

Every variable may be given with the ``DJANGO_`` prefix (preferred) or without it, e.g.
``DJANGO_SECRET_KEY`` or ``SECRET_KEY``. ``DATABASE_URL``, ``CACHE_URL`` / ``REDIS_URL`` and
``MEDIA_ROOT`` are unprefixed.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def setting(name, default=environ.Env.NOTSET, cast=str):
    """Read ``DJANGO_<name>`` or ``<name>`` from the environment, cast as asked."""
    for key in (f"DJANGO_{name}", name):
        if key in env.ENVIRON:
            return env.get_value(key, cast=cast)
    if default is environ.Env.NOTSET:
        raise ImproperlyConfigured(f"Set the DJANGO_{name} environment variable.")
    return default


ENVIRONMENT = setting("ENV", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = setting("DEBUG", default=not PRODUCTION, cast=bool)

# Development only: production refuses to start with this key (see below).
_DEV_SECRET_KEY = "dev-only-not-secret-0f3a9c1e7b5d4a2f8e6c0b9a7d5e3f1c-news-archive"  # noqa: S105
if PRODUCTION:
    SECRET_KEY = setting("SECRET_KEY")
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
        or SECRET_KEY == _DEV_SECRET_KEY
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
else:
    SECRET_KEY = setting("SECRET_KEY", default=_DEV_SECRET_KEY)

ALLOWED_HOSTS = setting(
    "ALLOWED_HOSTS",
    default=environ.Env.NOTSET if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"],
    cast=list,
)
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list real host names, not '*'.")
CSRF_TRUSTED_ORIGINS = setting("CSRF_TRUSTED_ORIGINS", default=[], cast=list)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.sites.middleware.CurrentSiteMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: DATABASE_URL (postgres://user@host:5432/name or sqlite:///path). Connections
# persist between requests and are health-checked before reuse.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Cache: CACHE_URL (any django-environ cache URL) or REDIS_URL; local memory by default.
if "CACHE_URL" in env.ENVIRON:
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif "REDIS_URL" in env.ENVIRON:
    CACHES = {"default": env.cache_url("REDIS_URL")}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Everything is stored and exchanged in UTC; each site shows its own time zone on pages
# (SiteSettings.time_zone).
LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(setting("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = setting("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

STORAGES = {
    # DJANGO_STORAGE_BACKEND picks any Django storage for media, e.g.
    # "storages.backends.s3.S3Storage" with django-storages for an S3-compatible store.
    "default": {
        "BACKEND": setting("STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Limits on what a request may carry (bodies, fields, files).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    # TLS is terminated by the reverse proxy, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = setting("SECURE_SSL_REDIRECT", default=True, cast=bool)
    SECURE_HSTS_SECONDS = setting("SECURE_HSTS_SECONDS", default=31536000, cast=int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True, cast=bool)
    SECURE_HSTS_PRELOAD = setting("SECURE_HSTS_PRELOAD", default=True, cast=bool)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": setting("LOG_LEVEL", default="INFO")},
}

# The newsroom's rules, in one place.
NEWSROOM = {
    # Reading speed for "N min read": words / WORDS_PER_MINUTE, rounded up, minimum 1.
    "WORDS_PER_MINUTE": 238,
    # Largest article body accepted, in bytes of HTML (bigger bodies are refused, not truncated).
    "MAX_BODY_BYTES": 512 * 1024,
}
