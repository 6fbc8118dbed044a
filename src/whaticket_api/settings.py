"""Configuration: the one place that reads the environment (a ``.env`` file in the working directory is read too).

Every value is checked here, and a bad one is a :class:`ConfigError` whose message is one line naming the variable
and what it accepts, so ``serve``, ``worker`` and the CLI can stop with that line instead of a traceback.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

from whaticket_core.domain.media_links import DEFAULT_MEDIA_LINK_TTL

DEFAULT_PORT = 3001
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # JSON bodies: a message body is 4096 characters; nothing needs more
DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024 + 64 * 1024  # WhatsApp media go up to 16 MB; multipart adds a little
SECRETS_FILE = "secrets.env"
MAX_WORKERS = 64
APP_ENVS = ("development", "production")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
# HMAC-SHA256 keys shorter than the hash output weaken the signature; production refuses them.
MIN_SECRET_BYTES = 32
SECRET_HINT = 'generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


class ConfigError(Exception):
    """The configuration cannot start the server; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Settings:
    jwt_secret: str
    jwt_refresh_secret: str
    port: int = DEFAULT_PORT
    host: str = "0.0.0.0"
    database_url: str | None = None
    redis_url: str | None = None
    # REDIS_KEY_PREFIX: the namespace of every Redis key, queue and pub/sub channel of this deployment (see
    # redis_namespace); pub/sub ignores the database number, so deployments sharing a server need distinct ones.
    redis_key_prefix: str | None = None
    frontend_url: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("data"))
    app_env: str = "development"
    auth_rate_limit_per_minute: int = 10
    # WS_PER_MESSAGE_DEFLATE: offer WebSocket per-message compression to Socket.IO clients. Off: the events are small
    # JSON, and deflate cost 14-18 % of the fan-out's CPU and ~37 KiB of memory per socket for little saved.
    ws_per_message_deflate: bool = False
    # WEBHOOK_ALLOW_PRIVATE_URLS: let webhooks target loopback, private and link-local addresses (receivers on the
    # same host or network); off, such URLs are refused when saved and at every delivery.
    webhook_allow_private_urls: bool = False
    # API_TOKEN_RATE_LIMIT_PER_MINUTE: requests one API token may make a minute (429 rate_limited past it).
    api_token_rate_limit_per_minute: int = 600
    # LOGIN_ACCOUNT_ATTEMPTS per LOGIN_ACCOUNT_WINDOW_SECONDS: login attempts per account, whatever the address.
    login_account_attempts: int = 10
    login_account_window_seconds: int = 900
    # FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-For is believed (comma-separated addresses or networks,
    # "*" for any); empty means none, so the client address is always the socket peer.
    forwarded_allow_ips: str = ""
    # MAX_SOCKETS_PER_USER: Socket.IO connections one user may hold open per server process.
    max_sockets_per_user: int = 20
    whatsapp_transport: str = "neonize"
    # Where neonize keeps device keys: a folder (default DATA_DIR/whatsapp) or a PostgreSQL URL of its own database.
    whatsapp_session_store: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # MAX_UPLOAD_BYTES: a multipart POST /messages (file, caption, framing); streamed, refused with 413 past it.
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    # First retry delay of every background job (later ones double); None keeps each kind's own (2 s for deliveries).
    job_retry_delay_ms: int | None = None
    access_ttl: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=7)
    # REFRESH_REUSE_GRACE_SECONDS: a refresh token presented again this soon is a second tab, not a replay.
    refresh_reuse_grace: timedelta = timedelta(seconds=10)
    # WHATSAPP_SESSION_LEASE_SECONDS: a worker's hold on a session lasts this long unless renewed (every third of it);
    # when the holder dies, another worker takes the session over about this long after its last renewal.
    session_lease: timedelta = timedelta(seconds=30)
    # DELIVERY_TIMEOUT_SECONDS: one delivery attempt's time limit (also one retry of a stored inbound event's); such a
    # job whose worker died is retried once it has passed (and the next JOB_SWEEP_SECONDS sweep has run).
    delivery_timeout: timedelta = timedelta(seconds=60)
    # JOB_SWEEP_SECONDS: how often workers look for jobs left active by a worker that died (SAQ's sweep).
    job_sweep_interval: timedelta = timedelta(seconds=60)
    # AUTOMATION_INTERVAL_SECONDS: how often the embedded default runs auto-close and auto-assignment (workers run
    # them every minute as SAQ cron jobs).
    automation_interval: timedelta = timedelta(seconds=60)
    # MEDIA_LINK_SECONDS: how long a signed media URL (``mediaUrl``, usable without a header) stays valid.
    media_link_ttl: timedelta = DEFAULT_MEDIA_LINK_TTL
    log_level: str = "info"
    # PostgreSQL pool of each process: DB_POOL_SIZE kept open, DB_MAX_OVERFLOW more under load, and a request waits
    # DB_POOL_TIMEOUT seconds for one before it answers 503. The kept part must cover the requests a process serves
    # at once: an overflow connection is closed when it goes back to a full pool, so every request beyond it paid a
    # new connection (with 10 kept and 20 concurrent requests the message page ran at 850 req/s, with 20 at 1,290).
    db_pool_size: int = 20
    db_max_overflow: int = 10
    db_pool_timeout: float = 10.0
    # WEB_CONCURRENCY: server processes `whaticket serve` runs (``--workers`` overrides); None: one (see
    # serve.worker_count for why).
    web_concurrency: int | None = None
    # STARTUP_WAIT_SECONDS: how long serve and worker wait for the database and Redis to answer at start (containers
    # that start together), before they stop with one line naming what is missing.
    startup_wait: timedelta = timedelta(seconds=30)
    # METRICS_TOKEN: when set, GET /metrics wants it as a bearer token.
    metrics_token: str | None = None

    @property
    def is_development(self) -> bool:
        return self.app_env == "development"

    @property
    def json_logs(self) -> bool:
        """Production logs one JSON object per line (for a log collector); development, readable lines."""
        return not self.is_development

    @property
    def embedded(self) -> bool:
        """No DATABASE_URL: SQLite in DATA_DIR, jobs and sessions in the serving process (even with REDIS_URL)."""
        return self.database_url is None

    @property
    def redis_namespace(self) -> str:
        """``REDIS_KEY_PREFIX``, else ``whaticket:<database name>`` (the PostgreSQL database, or the embedded
        database's folder as a short digest): two deployments on one Redis server never share a channel or a key."""
        if self.redis_key_prefix:
            return self.redis_key_prefix
        if self.database_url:
            name = urlsplit(self.database_url).path.lstrip("/") or "default"
        else:
            name = "embedded-" + hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:12]
        return f"whaticket:{name}"

    @property
    def on_sqlite(self) -> bool:
        """The embedded default, or DATABASE_URL naming a SQLite file: one process may write at a time."""
        return self.embedded or (self.database_url or "").lower().startswith("sqlite")

    @property
    def simulator(self) -> bool:
        return self.whatsapp_transport == "simulator"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True, require_secrets: bool = True
    ) -> Settings:
        """Read and check the settings. In production the JWT secrets are required (at least 32 bytes each); in
        development missing ones are generated once and kept in ``DATA_DIR/secrets.env`` (mode 0600), so tokens
        survive restarts. ``require_secrets=False`` (commands that issue no token) leaves missing secrets empty
        instead."""
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = os.environ
        app_env = _choice(env, "APP_ENV", APP_ENVS, "development")
        data_dir = Path(env.get("DATA_DIR", "").strip() or "data")
        jwt_secret, refresh_secret = _jwt_secrets(env, app_env, data_dir, require=require_secrets)
        metrics_token = env.get("METRICS_TOKEN", "").strip() or None
        return cls(
            jwt_secret=jwt_secret,
            jwt_refresh_secret=refresh_secret,
            port=_int(env, "PORT", DEFAULT_PORT, low=1, high=65535),
            host=env.get("HOST", "").strip() or "0.0.0.0",
            database_url=_database_url(env),
            redis_url=_redis_url(env),
            redis_key_prefix=env.get("REDIS_KEY_PREFIX", "").strip() or None,
            frontend_url=env.get("FRONTEND_URL", "").strip() or None,
            data_dir=data_dir,
            app_env=app_env,
            auth_rate_limit_per_minute=_int(env, "AUTH_RATE_LIMIT_PER_MINUTE", 10),
            api_token_rate_limit_per_minute=_int(env, "API_TOKEN_RATE_LIMIT_PER_MINUTE", 600),
            webhook_allow_private_urls=_flag(env, "WEBHOOK_ALLOW_PRIVATE_URLS"),
            ws_per_message_deflate=_flag(env, "WS_PER_MESSAGE_DEFLATE"),
            login_account_attempts=_int(env, "LOGIN_ACCOUNT_ATTEMPTS", 10),
            login_account_window_seconds=_int(env, "LOGIN_ACCOUNT_WINDOW_SECONDS", 900),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", "").strip(),
            max_sockets_per_user=_int(env, "MAX_SOCKETS_PER_USER", 20),
            whatsapp_transport=_choice(env, "WHATSAPP_TRANSPORT", ("neonize", "simulator"), "neonize"),
            whatsapp_session_store=env.get("WHATSAPP_SESSION_STORE", "").strip() or None,
            max_body_bytes=_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES),
            job_retry_delay_ms=_int(env, "JOB_RETRY_DELAY_MS", 0, low=0) or None,
            access_ttl=timedelta(minutes=_int(env, "ACCESS_TOKEN_MINUTES", 15)),
            refresh_ttl=timedelta(days=_int(env, "REFRESH_TOKEN_DAYS", 7)),
            refresh_reuse_grace=timedelta(seconds=_int(env, "REFRESH_REUSE_GRACE_SECONDS", 10)),
            session_lease=timedelta(seconds=_int(env, "WHATSAPP_SESSION_LEASE_SECONDS", 30)),
            delivery_timeout=timedelta(seconds=_int(env, "DELIVERY_TIMEOUT_SECONDS", 60)),
            job_sweep_interval=timedelta(seconds=_int(env, "JOB_SWEEP_SECONDS", 60)),
            automation_interval=timedelta(seconds=_int(env, "AUTOMATION_INTERVAL_SECONDS", 60)),
            media_link_ttl=timedelta(
                seconds=_int(env, "MEDIA_LINK_SECONDS", int(DEFAULT_MEDIA_LINK_TTL.total_seconds()))
            ),
            log_level=_choice(env, "LOG_LEVEL", LOG_LEVELS, "info"),
            db_pool_size=_int(env, "DB_POOL_SIZE", 20, high=1000),
            db_max_overflow=_int(env, "DB_MAX_OVERFLOW", 10, low=0, high=1000),
            db_pool_timeout=float(_int(env, "DB_POOL_TIMEOUT", 10, high=3600)),
            web_concurrency=_int(env, "WEB_CONCURRENCY", 0, low=1, high=MAX_WORKERS) or None,
            startup_wait=timedelta(seconds=_int(env, "STARTUP_WAIT_SECONDS", 30, low=0, high=3600)),
            metrics_token=metrics_token,
        )


def database_url_from_settings(env: Mapping[str, str] | None = None) -> str:
    """What the ``db`` commands need and nothing more (no secrets): DATABASE_URL, checked, or the embedded SQLite file
    in DATA_DIR."""
    from whaticket_adapters.sql.database import database_url_from_env

    env = os.environ if env is None else env
    explicit = _database_url(env)
    if explicit:
        return explicit
    data_dir = env.get("DATA_DIR", "").strip() or "data"
    return database_url_from_env({"DATA_DIR": data_dir}).render_as_string(hide_password=False)


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = env.get(name, "")
    value = raw.strip().lower()
    if not value:  # an empty variable (``LOG_LEVEL=`` in a .env file) means "not set"
        return default
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    """``true``/``false`` (also 1/0, yes/no, on/off); empty or unset is false."""
    raw = env.get(name, "")
    value = raw.strip().lower()
    if value in ("", "false", "0", "no", "off"):
        return False
    if value in ("true", "1", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, *, low: int = 1, high: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{name} must be {bounds}, not {value}")
    return value


def _jwt_secrets(env: Mapping[str, str], app_env: str, data_dir: Path, *, require: bool) -> tuple[str, str]:
    jwt_secret = env.get("JWT_SECRET", "").strip()
    refresh_secret = env.get("JWT_REFRESH_SECRET", "").strip()
    if not require:  # a command that signs no token: whatever is set, missing ones stay empty
        return jwt_secret, refresh_secret
    named = (("JWT_SECRET", jwt_secret), ("JWT_REFRESH_SECRET", refresh_secret))
    if app_env == "development":
        if not (jwt_secret and refresh_secret):
            generated = _development_secrets(data_dir)
            jwt_secret = jwt_secret or generated["JWT_SECRET"]
            refresh_secret = refresh_secret or generated["JWT_REFRESH_SECRET"]
        return jwt_secret, refresh_secret
    missing = [n for n, v in named if not v]
    if missing:
        raise ConfigError(f"{' and '.join(missing)} must be set when APP_ENV={app_env} ({SECRET_HINT})")
    short = [n for n, v in named if len(v.encode()) < MIN_SECRET_BYTES]
    if short:
        raise ConfigError(
            f"{' and '.join(short)} must be at least {MIN_SECRET_BYTES} bytes when APP_ENV={app_env} ({SECRET_HINT})"
        )
    if jwt_secret == refresh_secret:
        raise ConfigError(f"JWT_SECRET and JWT_REFRESH_SECRET must differ ({SECRET_HINT})")
    return jwt_secret, refresh_secret


def _database_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return None
    scheme = raw.partition("://")[0].split("+")[0].lower()
    if "://" not in raw or scheme not in ("postgres", "postgresql", "sqlite"):
        raise ConfigError("DATABASE_URL must look like postgresql://user:password@host:5432/database")
    return raw


def _redis_url(env: Mapping[str, str]) -> str | None:
    raw = env.get("REDIS_URL", "").strip()
    if raw:
        if raw.partition("://")[0].lower() not in ("redis", "rediss", "unix") or "://" not in raw:
            raise ConfigError("REDIS_URL must look like redis://host:6379/0")
        return raw
    host = env.get("REDIS_HOST", "").strip()
    if host:
        port = _int(env, "REDIS_PORT", 6379, high=65535)
        return f"redis://{host}:{port}/0"
    return None


def _development_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / SECRETS_FILE
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    if values.get("JWT_SECRET") and values.get("JWT_REFRESH_SECRET"):
        return values
    values = {"JWT_SECRET": secrets.token_urlsafe(48), "JWT_REFRESH_SECRET": secrets.token_urlsafe(48)}
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created 0600 from the start: the secrets are never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(f"{k}={v}\n" for k, v in values.items()))
    os.chmod(path, 0o600)
    return values
