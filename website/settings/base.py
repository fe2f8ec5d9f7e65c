"""Settings shared by every environment.

Environment-specific modules (dev, test, production) import from here and override only what
differs. Service locations come from the environment: ``DATABASE_URL`` selects PostgreSQL (SQLite
file otherwise) and ``SEARCH_ENGINE_URL`` (or ``ELASTICSEARCH_URL``, ``OPENSEARCH_URL``) switches
search and recommendations to Elasticsearch or OpenSearch.
"""

import os
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PROJECT_DIR = BASE_DIR / "website"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "website",
    "website.freshness",
    "website.api",
    "articles",
    "experts",
    "recommendations",
    "search",
    "common",
    "webhooks",
    "selfchecks",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
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
    "django_tasks",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
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
    "website.unavailable.DatabaseUnavailableMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "website.login_throttle.LoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "website.middleware.ContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "website.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "website.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers keep reading while an editor publishes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Connections persist (DB_CONN_MAX_AGE) as on PostgreSQL: opening one and running the pragmas
    # costs more than a whole 304 (docs/benchmarks.md).

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Wagtail
WAGTAIL_SITE_NAME = "Clear Mind Journal"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False
TAGGIT_CASE_INSENSITIVE = True

# A search engine (Elasticsearch 8/9 or OpenSearch 2/3) for Wagtail's own search, reader search and
# recommendations; without one, everything runs on the database. ``SEARCH_ENGINE_URL`` (or
# ``ELASTICSEARCH_URL`` / ``OPENSEARCH_URL``, read the same way) points at it; ``SEARCH_ENGINE`` says
# which engine it is ("elasticsearch", "opensearch"; by default it is asked from the cluster, and an
# ``OPENSEARCH_URL`` means OpenSearch). ``SEARCH_INDEX_PREFIX`` (or ``ELASTICSEARCH_INDEX_PREFIX``)
# starts every index name, so several sites can share one cluster.
SEARCH_ENGINE_URL = (
    os.environ.get("SEARCH_ENGINE_URL")
    or os.environ.get("OPENSEARCH_URL")
    or os.environ.get("ELASTICSEARCH_URL")
    or ""
)
SEARCH_ENGINE = os.environ.get("SEARCH_ENGINE") or (
    "opensearch" if os.environ.get("OPENSEARCH_URL") == SEARCH_ENGINE_URL and SEARCH_ENGINE_URL else "auto"
)
SEARCH_INDEX_PREFIX = (
    os.environ.get("SEARCH_INDEX_PREFIX") or os.environ.get("ELASTICSEARCH_INDEX_PREFIX") or "wellness"
)
ELASTICSEARCH_URL = SEARCH_ENGINE_URL  # the older name, kept for code and settings that read it

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if SEARCH_ENGINE_URL:
    WAGTAILSEARCH_BACKENDS["default"] = {
        # Wagtail's elasticsearch8 or opensearch3 backend, whichever the engine is.
        "BACKEND": "website.search_backend",
        "ENGINE": SEARCH_ENGINE,
        "URLS": [SEARCH_ENGINE_URL],
        "INDEX_PREFIX": f"{SEARCH_INDEX_PREFIX}_wagtail_",
        "TIMEOUT": 5,
        "OPTIONS": {},
        "INDEX_SETTINGS": {},
    }
    # Reader search falls back to Wagtail's database index when the engine fails (search/): keep
    # that index written too.
    WAGTAILSEARCH_BACKENDS["database"] = {"BACKEND": "wagtail.search.backends.database"}

# Background work (search and recommendation indexing). The immediate backend keeps the demo
# self-contained; production points this at the database backend and runs a worker.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    # Degrades to "no cache" while Redis is unreachable (website/cache.py); short socket timeouts
    # bound what a hanging Redis costs a request.
    CACHES["default"] = {
        "BACKEND": "website.cache.TolerantRedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "website.api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "website.api.errors.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Clear Mind Journal content API",
    "DESCRIPTION": "Expert-reviewed wellness articles, experts and listings for front ends.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["website.api.schema.only_api_v1"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "website.api.schema.postprocess",
        "webhooks.schema.add_webhook_headers",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "OAS_VERSION": "3.1.0",
    "ENUM_NAME_OVERRIDES": {
        "ReviewStatusEnum": "articles.reviews.STATUSES",
        "ListingKindEnum": ["individual", "organisation"],
        "CredentialKindEnum": ["degree", "licence", "certification"],
        "ModalityEnum": "website.api.serializers.MODALITIES",
        "WidenedToEnum": "website.api.serializers.WIDENINGS",
        "RelatedSourceEnum": "website.api.serializers.RELATED_SOURCES",
        "SelfCheckKindEnum": "website.api.selfchecks.serializers.KINDS",
        "ListStyleEnum": "articles.blocks.LIST_STYLES",
    },
    # The OpenAPI 3.1 ``webhooks`` section: what endpoints added in the admin receive.
    "WEBHOOKS": [
        f"webhooks.schema.{name}"
        for name in (
            "ARTICLE_PUBLISHED",
            "ARTICLE_UPDATED",
            "ARTICLE_UNPUBLISHED",
            "REVIEW_RECORDED",
            "REVIEW_DUE",
            "REVIEW_OVERDUE",
            "LISTING_CHANGED",
        )
    ],
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayOperationId": False},
    # Swagger UI served from our own static files: the docs page works offline and needs no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CORS_ALLOWED_ORIGINS = [o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o]
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Browsers revalidate with these (a 304 instead of the body), so preflights must allow them.
CORS_ALLOW_HEADERS = [*cors_default_headers, "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Vary"]

# The plugin's own settings, one namespaced dict; see website/conf.py for the defaults.
WELLNESS = {
    # Recommendations (defaults and meaning: recommendations/conf.py). The database backend is
    # always kept and serves reads when Elasticsearch fails (circuit breaker).
    "RECOMMENDATIONS_BACKEND": os.environ.get(
        "RECOMMENDATIONS_BACKEND", "elasticsearch" if SEARCH_ENGINE_URL else "database"
    ),
    "RECOMMENDATIONS_ES_URL": SEARCH_ENGINE_URL,
    "RECOMMENDATIONS_ENGINE": SEARCH_ENGINE,
    "RECOMMENDATIONS_ES_INDEX_PREFIX": f"{SEARCH_INDEX_PREFIX}_reco",
    "RECOMMENDATIONS_ES_TIMEOUT": 2.0,
    "RECOMMENDATIONS_BREAKER_FAILURES": 3,
    "RECOMMENDATIONS_BREAKER_COOLDOWN": 60,
    # The engine backend reads related articles from the neighbour table unless this is "true"
    # (then its more_like_this on every request: docs/recommendations.md).
    "RECOMMENDATIONS_RELATED_FROM_ENGINE": os.environ.get(
        "RECOMMENDATIONS_RELATED_FROM_ENGINE", "false"
    ).lower()
    == "true",
    # Trusted only where a CDN in front of the site sets it and strips it from clients' requests
    # ("behind your CDN"): e.g. TRUSTED_COUNTRY_HEADER=CF-IPCountry.
    "RECOMMENDATIONS_TRUSTED_COUNTRY_HEADER": os.environ.get("TRUSTED_COUNTRY_HEADER") or None,
    # Proxies in front of the site that append to X-Forwarded-For (website/client_address.py);
    # 0 trusts none and keys every limit by REMOTE_ADDR.
    "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
    # Public root of every absolute URL (website/public_url.py); WAGTAILADMIN_BASE_URL when unset.
    "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
    # Reader search (defaults and meaning: search/conf.py): the engine when there is one, the
    # database otherwise and as the engine's fallback.
    "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", "engine" if SEARCH_ENGINE_URL else "database"),
    "SEARCH_ENGINE_URL": SEARCH_ENGINE_URL,
    "SEARCH_ENGINE": SEARCH_ENGINE,
    "SEARCH_INDEX": f"{SEARCH_INDEX_PREFIX}_search_articles",
    # PostgreSQL: learn content changes by LISTEN/NOTIFY instead of a query per API request
    # (website/freshness/watch.py). On in production settings; needs LISTEN, so not through
    # a transaction-pooling PgBouncer.
    "API_GENERATION_LISTENER": os.environ.get("API_GENERATION_LISTENER", "false").lower() == "true",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The engine clients log every 404 as a warning, and a 404 is how an alias lookup says "none
    # yet"; failures that matter are logged by our own code (fallbacks, the circuit breaker).
    "loggers": {
        "opensearch": {"level": "ERROR"},
        "elastic_transport.transport": {"level": "ERROR"},
    },
}
