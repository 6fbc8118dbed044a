"""Configuration from the environment (a ``.env`` file in the working directory is read too)."""

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

DEFAULT_PORT = 3001
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # JSON bodies: a message body is 4096 characters; nothing needs more
DEFAULT_MAX_UPLOAD_BYTES = 16 * 1024 * 1024 + 64 * 1024  # WhatsApp media go up to 16 MB; multipart adds a little
SECRETS_FILE = "secrets.env"


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
    # DELIVERY_TIMEOUT_SECONDS: one delivery attempt's time limit; a delivery whose worker died is retried once it
    # has passed (and the next JOB_SWEEP_SECONDS sweep has run).
    delivery_timeout: timedelta = timedelta(seconds=60)
    # JOB_SWEEP_SECONDS: how often workers look for jobs left active by a worker that died (SAQ's sweep).
    job_sweep_interval: timedelta = timedelta(seconds=60)

    @property
    def is_development(self) -> bool:
        return self.app_env == "development"

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
    def simulator(self) -> bool:
        return self.whatsapp_transport == "simulator"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True, require_secrets: bool = True
    ) -> Settings:
        """Read the settings. Outside development, missing JWT secrets are an error; in development they are
        generated once and kept in ``DATA_DIR/secrets.env`` (mode 0600), so tokens survive restarts.
        ``require_secrets=False`` (commands that issue no token) leaves missing secrets empty instead."""
        if env is None:
            if dotenv:
                load_dotenv(override=False)
            env = os.environ
        app_env = env.get("APP_ENV", "development").strip() or "development"
        data_dir = Path(env.get("DATA_DIR", "data"))
        jwt_secret = env.get("JWT_SECRET", "").strip()
        refresh_secret = env.get("JWT_REFRESH_SECRET", "").strip()
        if require_secrets and not (jwt_secret and refresh_secret):
            if app_env != "development":
                missing = [n for n, v in (("JWT_SECRET", jwt_secret), ("JWT_REFRESH_SECRET", refresh_secret)) if not v]
                raise ConfigError(
                    f"{' and '.join(missing)} must be set when APP_ENV={app_env} "
                    "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            generated = _development_secrets(data_dir)
            jwt_secret = jwt_secret or generated["JWT_SECRET"]
            refresh_secret = refresh_secret or generated["JWT_REFRESH_SECRET"]
        transport = env.get("WHATSAPP_TRANSPORT", "neonize").strip().lower() or "neonize"
        if transport not in ("neonize", "simulator"):
            raise ConfigError(f"WHATSAPP_TRANSPORT must be neonize or simulator, not {transport!r}")
        return cls(
            jwt_secret=jwt_secret,
            jwt_refresh_secret=refresh_secret,
            port=_int(env, "PORT", DEFAULT_PORT),
            host=env.get("HOST", "0.0.0.0"),
            database_url=env.get("DATABASE_URL") or None,
            redis_url=_redis_url(env),
            redis_key_prefix=env.get("REDIS_KEY_PREFIX", "").strip() or None,
            frontend_url=env.get("FRONTEND_URL") or None,
            data_dir=data_dir,
            app_env=app_env,
            auth_rate_limit_per_minute=_int(env, "AUTH_RATE_LIMIT_PER_MINUTE", 10),
            login_account_attempts=_int(env, "LOGIN_ACCOUNT_ATTEMPTS", 10),
            login_account_window_seconds=_int(env, "LOGIN_ACCOUNT_WINDOW_SECONDS", 900),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", "").strip(),
            max_sockets_per_user=_int(env, "MAX_SOCKETS_PER_USER", 20),
            whatsapp_transport=transport,
            whatsapp_session_store=env.get("WHATSAPP_SESSION_STORE") or None,
            max_body_bytes=_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES),
            job_retry_delay_ms=_int(env, "JOB_RETRY_DELAY_MS", 0) or None,
            access_ttl=timedelta(minutes=_int(env, "ACCESS_TOKEN_MINUTES", 15)),
            refresh_ttl=timedelta(days=_int(env, "REFRESH_TOKEN_DAYS", 7)),
            refresh_reuse_grace=timedelta(seconds=_int(env, "REFRESH_REUSE_GRACE_SECONDS", 10)),
            session_lease=timedelta(seconds=_int(env, "WHATSAPP_SESSION_LEASE_SECONDS", 30)),
            delivery_timeout=timedelta(seconds=_int(env, "DELIVERY_TIMEOUT_SECONDS", 60)),
            job_sweep_interval=timedelta(seconds=_int(env, "JOB_SWEEP_SECONDS", 60)),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _redis_url(env: Mapping[str, str]) -> str | None:
    if env.get("REDIS_URL"):
        return env["REDIS_URL"]
    if env.get("REDIS_HOST"):
        return f"redis://{env['REDIS_HOST']}:{env.get('REDIS_PORT') or '6379'}/0"
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
