"""Gongkai settings: one module, read from the environment, with safe embedded defaults.

Unset, everything runs embedded (SQLite, local-memory cache, django-q2 ORM broker,
embedded search index, local media). The variables below switch to production parts.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
# pytest sets PYTEST_VERSION for its whole run.
TESTING = env_bool("GONGKAI_TESTING", False) or bool(os.environ.get("PYTEST_VERSION"))
_DEV_KEY = "dev-insecure-key-only-for-local-use"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING or env_bool("GONGKAI_LOCAL", False):
        SECRET_KEY = _DEV_KEY
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production refuses to start without a real secret key; "
            "set SECRET_KEY, or DEBUG=1 / GONGKAI_LOCAL=1 for local use."
        )
elif SECRET_KEY == _DEV_KEY and not (DEBUG or TESTING or env_bool("GONGKAI_LOCAL", False)):
    raise ImproperlyConfigured("SECRET_KEY is the development placeholder; set a real one.")
PRODUCTION = not (DEBUG or TESTING or env_bool("GONGKAI_LOCAL", False))

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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.ratelimit.RateLimitMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

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
STATE_DIR = Path(os.environ.get("GONGKAI_STATE_DIR", BASE_DIR / "var"))
STATE_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{STATE_DIR / 'gongkai.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Seconds a writer waits for the lock: longer than the longest documented job's write.
            "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT", "30")),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Test runs are isolated from each other by process id: their own database, queue, cache keys
# and search index, so several runs (or developers) can share one machine and one Redis.
# A process the tests start (a real `qcluster`) is handed its parent's id, so that it shares them.
TEST_RUN_ID = os.environ.get("GONGKAI_TEST_RUN_ID") or f"{os.getpid()}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not memory) so that a real django-q2 cluster in tests shares the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(STATE_DIR / f"test-gongkai-{TEST_RUN_ID}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_gongkai_{TEST_RUN_ID}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and task queue: local memory and the ORM broker by default, Redis from REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"gongkai-test-{TEST_RUN_ID}" if TESTING else os.environ.get("CACHE_KEY_PREFIX", "gongkai"),
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
        "ratelimit": (
            {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
            if TESTING
            else {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(STATE_DIR / "ratelimit"),
                "OPTIONS": {"MAX_ENTRIES": 20000},
            }
        ),
    }

Q_CLUSTER = {
    "name": os.environ.get("Q_CLUSTER_NAME", "gongkai"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": int(os.environ.get("Q_TIMEOUT", "600")),
    "retry": int(os.environ.get("Q_RETRY", "900")),
    "max_attempts": int(os.environ.get("Q_MAX_ATTEMPTS", "3")),
    "save_limit": 1000,
    "catch_up": False,
    "ack_failures": True,
    "label": "任务队列",
}
if os.environ.get("Q_GUARD_CYCLE"):
    # How often (seconds) the cluster checks its processes; the scheduler runs every 30 s of it.
    Q_CLUSTER["guard_cycle"] = float(os.environ["Q_GUARD_CYCLE"])
if TESTING:
    Q_CLUSTER["name"] = f"gongkai-test-{TEST_RUN_ID}"
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Search: embedded index file by default, Elasticsearch from ELASTICSEARCH_URL.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
SEARCH_INDEX_PATH = os.environ.get(
    "SEARCH_INDEX_PATH",
    str(STATE_DIR / (f"test-search-{TEST_RUN_ID}.sqlite3" if TESTING else "search-index.sqlite3")),
)
SEARCH_BACKEND = "elasticsearch" if ELASTICSEARCH_URL else "embedded"
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "gongkai")
# Wagtail's own admin search stays on the database backend.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Sign-in protection (portal/signin.py): django-axes locks an account and address out after
# repeated failures; django-otp adds two-factor sign-in (TOTP) for users who set up a device.
AUTHENTICATION_BACKENDS = ["portal.signin.LoginGuardBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
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
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATE_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", STATE_DIR / (f"test-media-{TEST_RUN_ID}" if TESTING else "media")))
STORAGES = {
    "default": {"BACKEND": os.environ.get("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG

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
    if os.environ.get(_name):
        globals()[_name] = os.environ[_name]
for _name in ("AWS_QUERYSTRING_AUTH", "AWS_S3_FILE_OVERWRITE"):
    if os.environ.get(_name):
        globals()[_name] = env_bool(_name, True)
if os.environ.get("AWS_QUERYSTRING_EXPIRE"):
    AWS_QUERYSTRING_EXPIRE = int(os.environ["AWS_QUERYSTRING_EXPIRE"])

# Imports: bounded rows, columns, inflated XLSX size and reading time (portal/import_limits.py).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "200"))
IMPORT_MAX_XLSX_BYTES = int(os.environ.get("IMPORT_MAX_XLSX_BYTES", str(200 * 1024 * 1024)))
IMPORT_MAX_SECONDS = float(os.environ.get("IMPORT_MAX_SECONDS", "120"))
CATALOG_IMPORT_MAX_ROWS = int(os.environ.get("CATALOG_IMPORT_MAX_ROWS", "20000"))

# Uploads: bounded sizes, checked types (see portal/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "csv", "txt", "zip", "ofd", "wps"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "portal.uploads.CheckedDocumentForm"
# Documents always through Wagtail's view, which asks portal/media.py whether they are public
# (also with object storage: no redirect to a bucket URL that would skip the check).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Editors' avatars: only those uploaded to the site, never a third-party avatar service.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

WAGTAIL_SITE_NAME = "公开 · 政务服务中心"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongkai@localhost")

# Security. A strict Content-Security-Policy: no inline scripts or styles on public pages.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
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
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Rate limits per client: (name, path prefix, requests per window (0 = off), window seconds).
# First matching prefix wins. Tests get generous defaults; the rate-limit tests set their own.
_RATE_SCALE = 100 if TESTING else 1
RATE_LIMIT_TRUST_FORWARDED_FOR = env_bool("RATE_LIMIT_TRUST_FORWARDED_FOR", False)
RATE_LIMITS = [
    ("suggest", "/api/suggest/", int(os.environ.get("RATE_LIMIT_SUGGEST", "600")) * _RATE_SCALE, 60),
    ("search-api", "/api/search/", int(os.environ.get("RATE_LIMIT_SEARCH", "120")) * _RATE_SCALE, 60),
    ("search", "/search/", int(os.environ.get("RATE_LIMIT_SEARCH", "120")) * _RATE_SCALE, 60),
    ("api", "/api/", int(os.environ.get("RATE_LIMIT_API", "300")) * _RATE_SCALE, 60),
]

# Portal behaviour.
NOTICES_PER_PAGE = 20
REVIEW_PERIOD_DAYS = int(os.environ.get("REVIEW_PERIOD_DAYS", "365"))


# --- Page cache, HTTP caching and the reverse proxy (issue 18; portal/pagecache.py, docs/deploy.md) ---
# Public pages are cached by default (0 turns it off); entries are invalidated by generation, so the
# lifetime only bounds memory. Browsers revalidate (max-age=0, ETag/Last-Modified, 304); a shared
# cache (nginx) may keep a page PAGE_CACHE_SHARED_SECONDS and is purged on publish.
# The middleware sits right under WhiteNoise, above sessions and CSRF: it sees every cookie they set.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "portal.pagecache.PageCacheMiddleware"
)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
if not REDIS_URL:  # room for the pages of a whole catalog per process (Django's default is 300)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 3000)
# The item page, rendered once per live revision (guides/item_page.py); 0 renders it every time.
ITEM_BODY_CACHE_SECONDS = int(os.environ.get("ITEM_BODY_CACHE_SECONDS", str(7 * 24 * 3600)))
PAGE_CACHE_SHARED_SECONDS = int(os.environ.get("PAGE_CACHE_SHARED_SECONDS", "10"))
# FRONTEND_CACHE_PURGE_URL (e.g. http://127.0.0.1:8080, set by scripts/run-scaled.sh): Wagtail's
# frontend-cache invalidation sends PURGE there for every published/unpublished page.
FRONTEND_CACHE_PURGE_URL = os.environ.get("FRONTEND_CACHE_PURGE_URL", "")
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
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
# --- end of issue 18 block ---
