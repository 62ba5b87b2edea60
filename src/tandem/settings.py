"""Tandem settings, read from the environment so one build runs anywhere.

SQLite (WAL) and an in-memory channel layer by default; ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and Redis for multi-process deployments.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# No key from the repository: production must set one. Without it, serving refuses to start
# (tandem.core.startup); management commands that sign nothing (migrate, ...) still run.
# `tandem run` (the local demo) keeps a random key in var/secret_key; DEBUG gets a random one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = secrets.token_urlsafe(50)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Where links in emails and calendar files point. `tandem run --host/--port` sets it to where it
# listens (for its worker too) unless it is set; production sets it (tandem serve does not).
SITE_URL = (os.environ.get("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "tandem.core",
    "tandem.people",
    "tandem.programs",
    "tandem.mentorships",
    "tandem.notify",
    "tandem.matchruns",
    "tandem.messaging",
    "tandem.feedback",
    "tandem.insights",
    "tandem.web",
]

MIDDLEWARE = [
    # Outermost, so every response made below it (redirects, 400, 413, the 500 page) has it.
    "tandem.core.middleware.ContentSecurityPolicyMiddleware",
    # Next, so it sees every error answer under /api/ (the 500 page too) and makes it JSON.
    "tandem.core.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tandem.core.middleware.StaticFilesMiddleware",
    # Below WhiteNoise (static files stay cacheable); reads ``request.user`` on the way out.
    "tandem.core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "tandem.core.middleware.RequestSizeLimitMiddleware",
    # Before anything reads request.POST (the next one, CSRF checks, ninja's for a session).
    "tandem.core.middleware.ApiMultipartSyntaxMiddleware",
    "tandem.core.middleware.RejectUnwantedCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tandem.people.middleware.TimezoneMiddleware",
]

ROOT_URLCONF = "tandem.urls"
ASGI_APPLICATION = "tandem.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.web.context_processors.navigation",
            ],
        },
    },
]

SQLITE_PATH = VAR_DIR / "tandem.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}", conn_max_age=0, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool per process: a request borrows a connection and gives it back instead of opening
    # one of its own (about 5 ms and a PostgreSQL backend each). ``max_size`` is the cap: a
    # request past it waits up to ``timeout`` s for a free one, so server processes x
    # TANDEM_DB_POOL_SIZE stays under PostgreSQL's max_connections (100 by default) whatever
    # the load. 0 turns the pool off (a connection per request, as before).
    DB_POOL_SIZE = int(os.environ.get("TANDEM_DB_POOL_SIZE", "10"))
    # No JIT compilation: the aggregates of the insight pages cost enough to trigger it, and
    # compiling takes longer than running them (bench/insights.py: 2 to 5 times slower at
    # 100,000 people).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if DB_POOL_SIZE > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_SIZE,
            "timeout": 20,
        }
# HTTP requests in Django at once per server process (tandem.core.concurrency); the rest wait
# in the event loop, a 503 after REQUEST_QUEUE_TIMEOUT s. Under the pool's size, so a request
# never waits for a connection.
MAX_CONCURRENT_REQUESTS = int(os.environ.get("TANDEM_MAX_CONCURRENT_REQUESTS", "8"))
REQUEST_QUEUE_TIMEOUT = float(os.environ.get("TANDEM_REQUEST_QUEUE_TIMEOUT", "15"))
# Requests waiting at once (each with its body read); past this a 503 comes at once.
MAX_QUEUED_REQUESTS = int(os.environ.get("TANDEM_MAX_QUEUED_REQUESTS", "32"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The one request size limit: a body over it is refused (413) before it is read
# (tandem.core.body_limit); the largest legitimate one is a 5 MB participant file with its form.
MAX_REQUEST_BYTES = int(os.environ.get("TANDEM_MAX_REQUEST_BYTES", str(6 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES  # Django's own check: the same figure


def redis_channel_layer(url: str) -> dict:
    """The Redis channel layer's settings (a function so the tests use the same ones)."""
    return {
        # Pub/sub: an event is one PUBLISH, pushed to every process subscribed to the person's
        # group on one connection. The list-based RedisChannelLayer cost the receiving process
        # four Redis round trips per event (BZPOPMIN, a backup-queue script, ZADD, a cleaner),
        # dropped events silently past its ``capacity`` and after its ``expiry``, and fell 15 s
        # behind at 50 messages/s (docs/messaging.md). Delivery is at most once either way: a
        # page that misses an event sees the gap in the next one's ``previous`` id.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            # redis-py 8 gives up on a read after 5 s by default; a quiet connection must not
            # fail ("Exception in ASGI application"). Its pool refuses a 101st connection at
            # once (MaxConnectionsError) rather than wait, and every socket that closes needs
            # one: 250 pages closing together failed. Redis takes 10,000 clients.
            "hosts": [{"address": url, "socket_timeout": 15, "max_connections": 1000}],
        },
    }


def redis_cache(url: str) -> dict[str, object]:
    """The Redis cache's settings. Log-ins count in it, so a Redis that accepts connections
    but never answers must fail a request within seconds, not hang it: redis-py waits forever
    by default (deployment review: a black-holed Redis hung every log-in)."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
    CACHES: dict[str, dict[str, object]] = {"default": redis_cache(REDIS_URL)}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The login rate limiter counts in the cache; the database cache is shared by every
    # process, so limits hold even with several workers and no Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "tandem_cache",
            # Django's default of 300 entries would cull rate-limit counters, the insights'
            # compute locks and places, and cached audits long before they expire.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TANDEM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: its password_changed hook cuts off tokens and feed after any new password.
    {"NAME": "tandem.people.services.passwords.CutOffOnNewPassword"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["tandem.people.backends.ThrottledModelBackend"]
# Log-in throttle (see tandem.people.ratelimit): failures per email and address, and per address.
LOGIN_RATE_LIMIT = int(os.environ.get("TANDEM_LOGIN_RATE_LIMIT", "5"))
LOGIN_IP_RATE_LIMIT = int(os.environ.get("TANDEM_LOGIN_IP_RATE_LIMIT", "50"))
LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("TANDEM_LOGIN_RATE_WINDOW", "900"))
# Emails anyone may trigger (password reset, sign-up notice): per email address and per client.
EMAIL_RATE_LIMIT = int(os.environ.get("TANDEM_EMAIL_RATE_LIMIT", "3"))
EMAIL_IP_RATE_LIMIT = int(os.environ.get("TANDEM_EMAIL_IP_RATE_LIMIT", "20"))
EMAIL_RATE_WINDOW_SECONDS = int(os.environ.get("TANDEM_EMAIL_RATE_WINDOW", "3600"))

# A message still unread after this long brings its reader one email (messaging).
MESSAGE_EMAIL_DELAY_MINUTES = int(os.environ.get("TANDEM_MESSAGE_EMAIL_DELAY_MINUTES", "15"))
# Insight pages answer from a snapshot younger than this many seconds (insights.refresh keeps
# the default views fresh in the background); 0 computes on every read.
INSIGHTS_MAX_AGE = int(os.environ.get("TANDEM_INSIGHTS_MAX_AGE", "600"))
# At most this many insight computations (a range or section with no fresh snapshot) per user
# in ten minutes; beyond it the page asks them to wait (tandem.insights.sections).
INSIGHTS_FRESH_LIMIT = int(os.environ.get("TANDEM_INSIGHTS_FRESH_LIMIT", "30"))
# The text embedder of profiles' goals and expertise (a tandem.matching.embedders.choose name):
# all-MiniLM-L6-v2 mixed with its vectors through the adapter trained on mentoring goals
# ("mixed"), which every install has, unless set; "minilm" is the model unadapted, "adapted" the
# adapter alone, "builtin" the fast concept lexicon.
TANDEM_TEXT_EMBEDDER = os.environ.get("TANDEM_TEXT_EMBEDDER", "").strip() or "mixed"
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; empty: none.
TRUSTED_PROXIES = env_list("TANDEM_TRUSTED_PROXIES", "")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not a log-in later

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS (README, Configuration): secure cookies, redirect http to https, and HSTS.
HTTPS = env_bool("TANDEM_HTTPS")
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("TANDEM_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("TANDEM_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("TANDEM_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("TANDEM_HSTS_PRELOAD", False)
# Every script, style, font and image is served by Tandem itself (htmx included), so pages
# allow no inline code and nothing from elsewhere (tandem.core.middleware).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, kept by browsers for good, where collectstatic ran (tandem.core.staticfiles).
    "staticfiles": {"BACKEND": "tandem.core.staticfiles.HashedWhereCollectedStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Tandem <tandem@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Mentorships: generated video rooms are <base>/tandem-<random> (any Jitsi-compatible server).
TANDEM_VIDEO_BASE_URL = os.environ.get("TANDEM_VIDEO_BASE_URL", "https://meet.jit.si").rstrip("/")
