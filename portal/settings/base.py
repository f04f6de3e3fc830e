"""Gongkai settings shared by every environment, read from the environment (django-environ).

Unset, everything runs embedded (SQLite, local-memory cache, django-q2 ORM broker,
embedded search index, local media). The variables below (README, *Configuration*) switch to
production parts. Not used directly: `portal.settings.production` (the default of manage.py,
wsgi and asgi) adds the secret-key check; `portal.settings.test` (pytest) isolates test runs.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()


def env_bool(name, default=False):
    """A yes/no variable: 1/true/yes/on (any case) is yes; unset or empty is `default`."""
    value = env.str(name, default="")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in env.str(name, default=default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
LOCAL = env_bool("GONGKAI_LOCAL", False)
# Test runs use portal.settings.test, which sets TESTING and isolates each run.
TESTING = False
DEV_SECRET_KEY = "dev-insecure-key-only-for-local-use"  # noqa: S105 (placeholder, refused in production)
SECRET_KEY = env.str("SECRET_KEY", default="")
PRODUCTION = not (DEBUG or LOCAL)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "portal",
    "guides",
    "disclosures",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
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
    "django_q",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.cors.OpenDataCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.content_language.VisitorLanguageMiddleware",  # the footer switch, not Accept-Language
    "portal.content_language.ChineseContentMiddleware",  # lang="zh-Hans" on Chinese content in English pages
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.signin.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.workflow_messages.WorkflowActionMessageMiddleware",  # issue 17: dashboard approvals say where the page is
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.preview_frame.PreviewFrameMiddleware",  # the admin's preview panel may frame previews
    "core.ratelimit.RateLimitMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

# --- Public JSON APIs on Django REST Framework, OpenAPI 3 at /api/schema/ (issue 13, point 5) ---
# JSON only (no browsable HTML API: it needs inline scripts the CSP forbids), no authentication
# or throttling in DRF (the public APIs are anonymous and read-only; rate limits stay in
# core.ratelimit, CORS in portal.cors). portal/restapi.py keeps the bytes of the former views.
INSTALLED_APPS += ["rest_framework", "drf_spectacular"]
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["portal.api_formats.PublicJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "portal.api_formats.AlwaysJSON",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": [],
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "portal.restapi.handle_exception",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公开 Gongkai 公开数据接口",
    "DESCRIPTION": (
        "政务服务中心门户的公开只读 JSON 接口：办事指南事项、收费目录、运行情况通报、指标时间序列和搜索；"
        "以及各中心用令牌推送办件的接口。所有公开接口允许跨域读取（Access-Control-Allow-Origin: *），"
        '无需登录；错误时返回 {"error": "中文说明"}。'
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "PREPROCESSING_HOOKS": ["portal.restapi.public_endpoints"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "DISABLE_ERRORS_AND_WARNINGS": False,
}
# --- end of the API block ---

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) from DATABASE_URL.
STATE_DIR = Path(env.str("GONGKAI_STATE_DIR", default=str(BASE_DIR / "var")))
STATE_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default="") or f"sqlite:///{STATE_DIR / 'gongkai.sqlite3'}",
        conn_max_age=env.int("DB_CONN_MAX_AGE", default=60),
    )
}
# A transaction takes the write lock when it begins: a deferred one that reads, then writes,
# fails at once with "database is locked" instead of waiting (the task cluster's heartbeat did,
# while editors saved). The test overlay keeps DEFERRED (see there).
SQLITE_TRANSACTION_MODE = "IMMEDIATE"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Seconds a writer waits for the lock: longer than the longest documented job's write.
            "timeout": env.float("SQLITE_BUSY_TIMEOUT", default=30),
            "transaction_mode": SQLITE_TRANSACTION_MODE,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task queue: local memory and the ORM broker by default, Redis from REDIS_URL.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="gongkai"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # The site keeps serving from the database when Redis is down.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    # Rate-limit counts in Redis too: one count per client across every process and machine.
    CACHES["ratelimit"] = {**CACHES["default"]}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Without Redis, rate-limit counts live in files under the state directory, so the web
        # workers of one machine share them (local memory would count per worker). Concurrent
        # increments may occasionally lose a count; several machines need REDIS_URL.
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(STATE_DIR / "ratelimit"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }

# Issue 15: item page views are buffered in this cache and flushed by the popular-items schedule
# (guides/viewcounts.py): Redis when configured, else files shared by the machine's workers.
CACHES["counters"] = (
    {**CACHES["default"]}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(STATE_DIR / "counters"),
        "OPTIONS": {"MAX_ENTRIES": 50000},
    }
)

Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="gongkai"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": env.int("Q_TIMEOUT", default=600),
    "retry": env.int("Q_RETRY", default=900),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "save_limit": 1000,
    "catch_up": False,
    "ack_failures": True,
    "label": "任务队列",
}
if env.str("Q_GUARD_CYCLE", default=""):
    # How often (seconds) the cluster checks its processes; the scheduler runs every 30 s of it.
    Q_CLUSTER["guard_cycle"] = env.float("Q_GUARD_CYCLE")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Search: embedded index file by default, Elasticsearch from ELASTICSEARCH_URL.
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
SEARCH_INDEX_PATH = env.str("SEARCH_INDEX_PATH", default=str(STATE_DIR / "search-index.sqlite3"))
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "embedded"
ELASTICSEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", default="gongkai")
# Wagtail's own admin search stays on the database backend.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Sign-in protection (portal/signin.py): django-axes locks an account and address out after
# repeated failures; django-otp adds two-factor sign-in (TOTP) for users who set up a device.
AUTHENTICATION_BACKENDS = ["portal.signin.LoginGuardBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.signin.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "portal.signin.client_ip"  # the same client address as the rate limits
OTP_TOTP_ISSUER = "公开 政务服务中心"
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(STATE_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(STATE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env.str("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Media on S3-compatible storage (MEDIA_STORAGE=storages.backends.s3.S3Storage): django-storages
# reads credentials from the environment itself, but these from settings, so map them here.
for _name in (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_CUSTOM_DOMAIN",
    "AWS_LOCATION",
    "AWS_DEFAULT_ACL",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_S3_SIGNATURE_VERSION",
):
    if env.str(_name, default=""):
        globals()[_name] = env.str(_name)
for _name in ("AWS_QUERYSTRING_AUTH", "AWS_S3_FILE_OVERWRITE"):
    if env.str(_name, default=""):
        globals()[_name] = env_bool(_name, True)
if env.str("AWS_QUERYSTRING_EXPIRE", default=""):
    AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE")

# Imports: bounded rows, columns, inflated XLSX size and reading time (core/tabular/limits.py).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=200)
IMPORT_MAX_XLSX_BYTES = env.int("IMPORT_MAX_XLSX_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_SECONDS = env.float("IMPORT_MAX_SECONDS", default=120)
CATALOG_IMPORT_MAX_ROWS = env.int("CATALOG_IMPORT_MAX_ROWS", default=20000)

# Uploads: bounded sizes, checked types (see core/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "csv", "txt", "zip", "ofd", "wps"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "core.uploads.CheckedDocumentForm"
# Documents always through Wagtail's view, which asks portal/media.py whether they are public
# (also with object storage: no redirect to a bucket URL that would skip the check).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Editors' avatars: only those uploaded to the site, never a third-party avatar service.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

WAGTAIL_SITE_NAME = "公开 · 政务服务中心"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="gongkai@localhost")

# Security. A strict Content-Security-Policy: no inline scripts or styles on public pages.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
CONTENT_SECURITY_POLICY = {
    # Wagtail's admin relies on inline scripts; it is for signed-in editors only.
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
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
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Rate limits per client: (name, path prefix, requests per window (0 = off), window seconds).
# First matching prefix wins. The test overlay scales them up; the rate-limit tests set their own.
RATE_LIMIT_TRUST_FORWARDED_FOR = env_bool("RATE_LIMIT_TRUST_FORWARDED_FOR", False)


def rate_limits(scale=1):
    return [
        ("suggest", "/api/suggest/", env.int("RATE_LIMIT_SUGGEST", default=600) * scale, 60),
        ("search-api", "/api/search/", env.int("RATE_LIMIT_SEARCH", default=120) * scale, 60),
        ("search", "/search/", env.int("RATE_LIMIT_SEARCH", default=120) * scale, 60),
        ("api", "/api/", env.int("RATE_LIMIT_API", default=300) * scale, 60),
    ]


RATE_LIMITS = rate_limits()

# Portal behaviour.
NOTICES_PER_PAGE = 20
REVIEW_PERIOD_DAYS = env.int("REVIEW_PERIOD_DAYS", default=365)


# --- Page cache, HTTP caching and the reverse proxy (issue 18; portal/pagecache.py, docs/deploy.md) ---
# Public pages are cached by default (0 turns it off); entries are invalidated by generation, so the
# lifetime only bounds memory. Browsers revalidate (max-age=0, ETag/Last-Modified, 304); a shared
# cache (nginx) may keep a page PAGE_CACHE_SHARED_SECONDS and is purged on publish.
# The middleware sits right under WhiteNoise, above sessions and CSRF: it sees every cookie they set.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "portal.pagecache.PageCacheMiddleware"
)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
if not REDIS_URL:  # room for the pages of a whole catalog per process (Django's default is 300)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 3000)
# The item page, rendered once per live revision (guides/item_page.py); 0 renders it every time.
ITEM_BODY_CACHE_SECONDS = env.int("ITEM_BODY_CACHE_SECONDS", default=7 * 24 * 3600)
PAGE_CACHE_SHARED_SECONDS = env.int("PAGE_CACHE_SHARED_SECONDS", default=10)
# FRONTEND_CACHE_PURGE_URL (e.g. http://127.0.0.1:8080, set by scripts/run-scaled.sh): Wagtail's
# frontend-cache invalidation sends PURGE there for every published/unpublished page.
FRONTEND_CACHE_PURGE_URL = env.str("FRONTEND_CACHE_PURGE_URL", default="")
INSTALLED_APPS.insert(INSTALLED_APPS.index("wagtail.contrib.forms"), "wagtail.contrib.frontend_cache")
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }
# Media behind nginx: the app checks permissions, nginx sends the file (X-Accel-Redirect to this
# internal location; deploy/nginx/gongkai.conf.template). Empty: the app streams media itself.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
# --- end of issue 18 block ---
