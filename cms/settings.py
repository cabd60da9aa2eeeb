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

import os
import tempfile
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
# Explicit origins only (https://news.example.org): a wildcard would trust every subdomain.
if any("*" in origin for origin in CSRF_TRUSTED_ORIGINS):
    raise ImproperlyConfigured("DJANGO_CSRF_TRUSTED_ORIGINS must list exact origins, without '*'.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "articles",
    "comments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 400 for a Host or X-Forwarded-Host outside ALLOWED_HOSTS, before anything else runs.
    "articles.security.HostHeaderMiddleware",
    # A NUL character in the query string or a header → 400, in the path → 404 (PostgreSQL refuses NUL).
    "articles.security.NulByteMiddleware",
    "articles.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses uploads over NEWSROOM["MAX_UPLOAD_BYTES"] before anything reads the body.
    "articles.uploads.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.sites.CurrentSiteMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer fails the request in seconds (503), not after the
    # operating system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Writers take the write lock when their transaction begins, so two writers queue on the
    # busy timeout instead of deadlocking on a read-then-write upgrade ("database is locked").
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Tests use a file, not shared-cache memory, so threads in concurrency tests get real
    # connections that wait on the busy timeout.
    # One file per test process, so parallel runs do not share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"newsroom-test-{os.getpid()}.sqlite3")}

# Cache: CACHE_URL (any django-environ cache URL) or REDIS_URL; local memory by default.
if "CACHE_URL" in env.ENVIRON:
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif "REDIS_URL" in env.ENVIRON:
    CACHES = {"default": env.cache_url("REDIS_URL")}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that is down is a cache miss, not an error (cms/cache.py): short socket
    # timeouts, and a circuit breaker that stops asking for RETRY_AFTER seconds.
    CACHES["default"]["BACKEND"] = "cms.cache.ResilientRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
        "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        "RETRY_AFTER": env.float("CACHE_RETRY_AFTER", default=2.0),
        **CACHES["default"].get("OPTIONS", {}),
    }

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

# Who gets the report of a server error by mail (Django's mail_admins handler, DEBUG off):
# DJANGO_ADMINS="Ops <ops@example.org>,Ana <ana@example.org>". Every 500 is logged as well.
ADMINS = [
    (address.split("<")[0].strip() or address, address.split("<")[-1].rstrip(">").strip())
    for address in setting("ADMINS", default=[], cast=list)
]
SERVER_EMAIL = setting("SERVER_EMAIL", default="root@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": setting("LOG_LEVEL", default="INFO")},
}

# REST API (Django REST framework). Session or token authentication (no Basic auth: every
# password check costs ~200 ms of CPU); writes need Django model permissions; JSON only
# unless DEBUG, where the browsable API helps developers.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # orjson, and pre-encoded cached articles (articles/api/renderers.py; docs/performance.md).
    "DEFAULT_RENDERER_CLASSES": ["articles.api.renderers.FastJSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # DRF's JSON and multipart parsers, refusing NUL and lone surrogates (400, not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "articles.api.parsers.StrictJSONParser",
        "articles.api.parsers.StrictMultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's AutoSchema, with each operation's security saying what the views
    # enforce (public reads optional, writes required; articles/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "articles.api.schema.NewsroomAutoSchema",
    "EXCEPTION_HANDLER": "articles.api.errors.exception_handler",
    # DRF's anonymous and per-user throttles, counted atomically on Redis so the limit
    # holds across workers (articles/api/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "articles.api.throttling.AnonRateThrottle",
        "articles.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": setting("API_ANON_RATE", default="600/min"),
        "user": setting("API_USER_RATE", default="3000/min"),
        "token": setting("API_TOKEN_RATE", default="10/min"),
        # Password attempts per client address and user name, on the API token endpoint and
        # the admin login alike (articles/login_throttle.py); the 6th in a minute gets 429.
        "login": setting("LOGIN_RATE", default="5/min"),
    },
    # How many reverse proxies in front of the app append to X-Forwarded-For. 0: use the
    # socket address, so a client cannot buy extra requests by rotating the header.
    "NUM_PROXIES": setting("NUM_PROXIES", default=0, cast=int),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom archive API",
    "DESCRIPTION": (
        "Articles with bylines, photos and credits, corrections and the commenting policy. "
        "Writes need a session or a token (POST /api/v1/auth/token/). Changing an article or a "
        "site's settings needs `If-Match` with the `ETag` from a GET: without it the answer is 428, "
        "with a stale one 412, and nothing changes."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/401/403/404/429, articles/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "articles.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "articles.models.Article.Status",
        "BylineRoleEnum": "articles.models.Byline.Role",
        "PlacementRoleEnum": "articles.models.ArticleImage.Role",
        "CommentsModeEnum": "articles.models.Article.Comments",
        "AuthorKindEnum": "articles.models.Author.Kind",
        "CorrectionKindEnum": "articles.models.Correction.Kind",
        "CommentStatusEnum": "comments.models.Comment.Status",
    },
}

# The newsroom's rules, in one place.
NEWSROOM = {
    # Reading speed for "N min read": words / WORDS_PER_MINUTE, rounded up, minimum 1.
    "WORDS_PER_MINUTE": 238,
    # Largest article body accepted, in bytes of HTML (bigger bodies are refused, not truncated).
    "MAX_BODY_BYTES": 512 * 1024,
    # Days a withdrawn article stays in the trash (restorable) before `manage.py purge_trash`
    # may delete it for good (WordPress's EMPTY_TRASH_DAYS is 30).
    "TRASH_RETENTION_DAYS": setting("TRASH_RETENTION_DAYS", default=30, cast=int),
    # Uploaded pictures: largest file, largest picture (pixels and per side), formats read.
    "MAX_IMAGE_BYTES": 20 * 1024 * 1024,
    "MAX_IMAGE_PIXELS": 50_000_000,
    "MAX_IMAGE_SIDE": 12_000,
    # A whole multipart request (files and fields) is refused past this many bytes, before
    # its body is read (articles/uploads.py); the proxy's client_max_body_size should match.
    "MAX_UPLOAD_BYTES": 21 * 1024 * 1024,
    # Per-user upload quota over the last 24 hours, counted from the Image rows the user
    # uploaded (stored bytes and files); None switches a limit off.
    "UPLOAD_QUOTA_BYTES_PER_DAY": 500 * 1024 * 1024,
    "UPLOAD_QUOTA_FILES_PER_DAY": 500,
    # PostgreSQL text search configuration for `q=` (must match the GIN index migration).
    "SEARCH_CONFIG": "english",
    # The site shown for allowed hosts that have no Site row of their own.
    "DEFAULT_SITE_ID": setting("DEFAULT_SITE_ID", default=1, cast=int),
}

# Reader comments: limits and moderation.
COMMENTS = {
    "MAX_LENGTH": 3000,  # characters of comment text
    "MAX_NAME_LENGTH": 80,
    "MAX_LINKS": 2,  # more links than this and the comment waits for a moderator
    "PER_CLIENT": (5, 600),  # at most 5 comments per client address per 10 minutes…
    "PER_ARTICLE": (60, 60),  # …and 60 per article per minute across all clients
    "DUPLICATE_WINDOW_HOURS": 24,  # the same text on the same article is refused for this long
    "MIN_FILL_SECONDS": 3,  # forms sent back faster than this are held for moderation
}

# S3-compatible object storage (django-storages) reads its bucket and endpoint from settings;
# take them from the environment when given. Credentials come from the usual AWS_* variables.
for _name in (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
):
    if _name in env.ENVIRON:
        globals()[_name] = env.str(_name)

# Archive pages
# The public HTML pages, feeds and sitemaps (articles/views.py, feeds.py, sitemaps.py,
# pagecache.py). Pages are cached whole on the configured cache (Redis in production) and
# dropped after any change to what they show is committed; browsers and CDNs may keep
# them for ARCHIVE_MAX_AGE seconds.
# With the local-memory cache every worker process has its own page cache, and a change
# drops the cached pages of the process that made it only: keep entries short there.
_SHARED_CACHE = CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache"
ARCHIVE_PAGES = {
    # Articles per page on every list (front page, archives, author, tag, section, search).
    "PAGINATE_BY": setting("ARCHIVE_PAGINATE_BY", default=20, cast=int),
    # Cache-Control max-age of public pages, in seconds (browsers, CDNs, reverse proxies).
    "MAX_AGE": setting("ARCHIVE_MAX_AGE", default=300, cast=int),
    # Server-side page cache lifetime in seconds; 0 turns the page cache off. Entries are
    # also dropped when the content changes and expire early when a scheduled article or
    # a commenting suspension is due.
    "PAGE_CACHE_TIMEOUT": setting("ARCHIVE_PAGE_CACHE_TIMEOUT", default=3600 if _SHARED_CACHE else 60, cast=int),
    # Fragment cache lifetime in seconds (articles/fragments.py: an article's rendered parts and
    # API JSON, keyed on its version); 0 turns it off. Independent of the page cache.
    "FRAGMENT_CACHE_TIMEOUT": setting(
        "ARCHIVE_FRAGMENT_CACHE_TIMEOUT", default=3600 if _SHARED_CACHE else 60, cast=int
    ),
    # Part of every page cache key: change it to drop all cached pages after a template change.
    "PAGE_CACHE_VERSION": setting("ARCHIVE_PAGE_CACHE_VERSION", default="1"),
    # Pages the front page lists (older articles are in the date archives): its count is
    # bounded by this, so it stays an index walk on a large archive.
    "FRONT_PAGES": setting("ARCHIVE_FRONT_PAGES", default=50, cast=int),
    # Items in the RSS and Atom feeds.
    "FEED_ITEMS": setting("ARCHIVE_FEED_ITEMS", default=50, cast=int),
    # Baked archive (articles/baking/, docs/deploy.md): folder where public pages are written
    # as static files for nginx, <root>/<host>/current/<path>/index.html, re-baked after each
    # change commits. Empty (the default, also for make run and the tests): baking is off.
    "BAKE_ROOT": env.str("ARCHIVE_BAKE_ROOT", default=""),
    # Google News sitemap: articles published in the last N days, at most MAX_URLS of them.
    "NEWS_SITEMAP_DAYS": 2,
    "NEWS_SITEMAP_MAX_URLS": 1000,
}
