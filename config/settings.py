"""Settings for the mine-site registry: one module, configured from environment variables."""

import json
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

from config.database import LOCAL_CLUSTER_URL, database_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a development key).")
    SECRET_KEY = "development-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "access",
    "sites",
    "remediation",
    "geodata",
]

MIDDLEWARE = [
    "config.outage.DatabaseOutageMiddleware",  # a database outage answers 503, never 500 (config/outage.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.tile_requests.AnonymousTileMiddleware",  # tiles for strangers skip the page middleware below
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.language_prefix.LanguagePrefixMiddleware",  # a page asked for without /<lang>/ is served in one
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.upload_limits.UploadSizeLimitMiddleware",  # refuses oversized layer uploads before reading them
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lock-out page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.language_switch.language_choices",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or LOCAL_CLUSTER_URL)}
# Persistent connections: each gunicorn thread keeps its own (and with it the tile statements it has prepared)
# for CONN_MAX_AGE seconds, checked before reuse so that a restarted database costs no request. 0 opens one
# per request, as behind a transaction-pooling proxy; under load that costs a new backend for every request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", 60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
# While the database does not answer, requests get 503 with this Retry-After (seconds).
DATABASE_OUTAGE_RETRY_AFTER = int(os.environ.get("DATABASE_OUTAGE_RETRY_AFTER", 10))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django finds Debian's libgdal/libgeos itself; these are escape hatches for other systems.
if os.environ.get("GDAL_LIBRARY_PATH"):
    GDAL_LIBRARY_PATH = os.environ["GDAL_LIBRARY_PATH"]
if os.environ.get("GEOS_LIBRARY_PATH"):
    GEOS_LIBRARY_PATH = os.environ["GEOS_LIBRARY_PATH"]
# gis.W001 warns about GDAL < 3.9 reading user-supplied SRS strings; we only build SRSs from integers.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"  # after signing in without a `next`: the map, not Django's /accounts/profile/

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]  # English dates as "1 Mar 2024" (config/formats/en)
USE_TZ = True
# The languages of the ASEAN states and Timor-Leste, each named in itself. Pages live under /<code>/.
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("fil", "Filipino"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
    ("km", "ខ្មែរ"),
    ("lo", "ລາວ"),
    ("my", "မြန်မာ"),
    ("tet", "Tetun"),
    ("pt", "Português"),
]
# Django knows neither Filipino, Lao nor Tetun; their catalogues (and the formats of those Django lacks) are ours.
LANG_INFO.update(
    {
        "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
        "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"},
        "tet": {"bidi": False, "code": "tet", "name": "Tetum", "name_local": "Tetun"},
    }
)
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
# One rule for every number a page shows: localised, with the language's thousand separator.
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads and evidence go only through the storage API, so another store can hold them: for an
# S3-compatible one, install django-storages and set MEDIA_STORAGE_BACKEND and MEDIA_STORAGE_OPTIONS
# (JSON), as the README shows.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "ingest"],
    }
}

# E-mail (notifications and weekly digests): printed on the console unless an SMTP server is set in EMAIL_HOST.
# Links in e-mails start with SITE_URL, the registry's public address.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "registry@localhost")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 587))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Survey-layer uploads: limits of the safe unpack, and when a silent import counts as dead.
INGEST_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("INGEST_MAX_UNCOMPRESSED_BYTES", 500 * 1024 * 1024))
INGEST_MAX_FILES = int(os.environ.get("INGEST_MAX_FILES", 1000))
# Site inventories uploaded through the pages: larger files are refused while they are received.
INVENTORY_UPLOAD_MAX_MB = int(os.environ.get("INVENTORY_UPLOAD_MAX_MB", 100))
# A site not updated for this many years is flagged for a look (sites/quality.py).
SITE_STALE_AFTER_YEARS = int(os.environ.get("SITE_STALE_AFTER_YEARS", 5))
INGEST_STALE_AFTER_MINUTES = int(os.environ.get("INGEST_STALE_AFTER_MINUTES", 15))
# The worker (manage.py run_worker) fails imports whose worker process is gone this often (seconds).
INGEST_SWEEP_SECONDS = float(os.environ.get("INGEST_SWEEP_SECONDS", 120))
# The largest survey-layer upload accepted (the page's and the API's), refused as it arrives.
LAYER_UPLOAD_MAX_MB = int(os.environ.get("LAYER_UPLOAD_MAX_MB", 200))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # enforces CSRF on writes
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "geodata.rest.KeysetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "geodata.rest.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["config.throttling.AnonRateThrottle"],  # X-Forwarded-For from TRUSTED_PROXIES only
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_THROTTLE_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mine-Site & Remediation Registry API",
    "DESCRIPTION": "Mine sites, resource estimates and survey layers of the ASEAN states and Timor-Leste.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The document says what the API really answers: its errors, any geometry, names left out for strangers.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "geodata.openapi_hooks.document_errors",
        "geodata.openapi_hooks.complete_geometries",
        "remediation.api.people_are_optional",
    ],
}

# The map's base tiles: the only thing a page fetches from outside this server.
BASEMAP_TILES_URL = os.environ.get("BASEMAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BASEMAP_ATTRIBUTION = os.environ.get(
    "BASEMAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

# Built vector tiles are cached per process, keyed by their data's version; the bounds keep memory in check
# (at most TILE_CACHE_MAX_ENTRIES tiles of at most TILE_CACHE_MAX_TILE_BYTES; larger tiles are not cached).
TILE_CACHE_ALIAS = "tiles"
TILE_CACHE_MAX_TILE_BYTES = int(os.environ.get("TILE_CACHE_MAX_TILE_BYTES", 256 * 1024))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    TILE_CACHE_ALIAS: {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tiles",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("TILE_CACHE_MAX_ENTRIES", 1000)), "CULL_FREQUENCY": 4},
    },
}
# Several processes or hosts share the cache (API throttle counts, sign-in attempts, built tiles) through
# Redis when REDIS_URL is set (redis://host:6379/0); tiles keep their own key prefix and lifetime there.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "minereg",
        },
        TILE_CACHE_ALIAS: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "minereg-tiles",
            "TIMEOUT": 3600,
        },
    }

SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy: the header it sets, as "HTTP_X_FORWARDED_PROTO,https" (empty: not behind one).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = tuple(part.strip() for part in os.environ["SECURE_PROXY_SSL_HEADER"].split(",", 1))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account, or from one
# address, sign-in is refused for AXES_COOLOFF_MINUTES; the lock-out page says until when.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks: per account and per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: REMOTE_ADDR, or X-Forwarded-For only when REMOTE_ADDR is a proxy listed here.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Content-Security-Policy (django-csp): scripts only from here or with the page's nonce (the maps' inline
# scripts carry it); styles allow inline ones, which Leaflet and folium set; images also from the base map.
CSP_BASEMAP_ORIGIN = "{0.scheme}://{0.hostname}".format(urlsplit(BASEMAP_TILES_URL.replace("{s}", "a")))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", CSP_BASEMAP_ORIGIN.replace("://a.", "://*.")],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Form widgets are rendered through TEMPLATES, so templates/gis/ can replace GeoDjango's inline map script.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # pyogrio reports every chunk a download writes ("Created N records") at INFO; pypdf warns of every
    # repair it makes to an uploaded PDF, which the uploader is told about when it matters.
    "loggers": {"pyogrio": {"level": "WARNING"}, "pypdf": {"level": "ERROR"}},
}

# Evidence (photos and PDFs) attached to hazards, measures and visits: the largest file accepted.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 15 * 1024 * 1024))
# The most pixels an evidence photo may have (width × height): refuses decompression bombs before decoding.
EVIDENCE_MAX_PIXELS = int(os.environ.get("EVIDENCE_MAX_PIXELS", 50_000_000))
