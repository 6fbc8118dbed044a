"""Which browser origins may call the API (CORS), from ``FRONTEND_URL``.

``FRONTEND_URL`` (comma-separated origins) wins whenever it is set. Without it, development allows the local origins
(``http://localhost:<any port>``, ``http://127.0.0.1:<any port>``) so a web client under development works at once;
other environments allow no foreign origin. The state is logged at start, so a refused browser is never a mystery.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig

from .settings import Settings

LOCAL_ORIGINS = r"^http://(localhost|127\.0\.0\.1)(:\d{1,5})?$"


def frontend_origins(settings: Settings) -> list[str]:
    return [o.strip().rstrip("/") for o in (settings.frontend_url or "").split(",") if o.strip()]


def cors_config(settings: Settings) -> CORSConfig | None:
    origins = frontend_origins(settings)
    if not origins and not settings.is_development:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_origin_regex=None if origins else LOCAL_ORIGINS,
        allow_credentials=True,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        expose_headers=["Retry-After", "Idempotent-Replayed", "X-Request-ID"],
        max_age=600,
    )


def describe_cors(settings: Settings) -> str:
    origins = frontend_origins(settings)
    if origins:
        return f"browsers on {', '.join(origins)} may call the API (FRONTEND_URL)"
    if settings.is_development:
        return (
            "browsers on http://localhost:* and http://127.0.0.1:* may call the API (development default; "
            "set FRONTEND_URL to name other origins)"
        )
    return "no FRONTEND_URL: browsers on other origins are refused (set FRONTEND_URL to allow your web client)"
