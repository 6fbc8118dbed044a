"""Which origins may call the API from a browser, and what the server says about it at start."""

from __future__ import annotations

import pytest

from whaticket_api.cors import cors_config, describe_cors
from whaticket_api.settings import Settings


def _settings(**overrides: object) -> Settings:
    return Settings(jwt_secret="a" * 40, jwt_refresh_secret="b" * 40, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost:5173", True),
        ("http://localhost", True),
        ("http://127.0.0.1:3000", True),
        ("https://localhost:5173", False),
        ("http://localhost.evil.example", False),
        ("http://127.0.0.1.nip.io:80", False),
        ("http://evil.example", False),
    ],
)
def test_development_allows_only_local_origins_by_default(origin: str, allowed: bool) -> None:
    config = cors_config(_settings())
    assert config is not None
    assert bool(config.allowed_origins_regex.fullmatch(origin)) is allowed
    assert "localhost:*" in describe_cors(_settings())


def test_frontend_url_replaces_the_default() -> None:
    settings = _settings(frontend_url="https://app.example.com/, https://admin.example.com")
    config = cors_config(settings)
    assert config is not None
    assert config.allowed_origins_regex.fullmatch("https://app.example.com")
    assert not config.allowed_origins_regex.fullmatch("http://localhost:5173")
    assert describe_cors(settings) == (
        "browsers on https://app.example.com, https://admin.example.com may call the API (FRONTEND_URL)"
    )


def test_production_without_frontend_url_allows_no_foreign_origin() -> None:
    settings = _settings(app_env="production")
    assert cors_config(settings) is None
    assert "refused" in describe_cors(settings)
