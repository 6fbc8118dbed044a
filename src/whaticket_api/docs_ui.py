"""The API's documentation pages, served offline: Swagger UI at ``/docs``, ReDoc at ``/docs/redoc``, the OpenAPI
document at ``/docs/openapi.json``, the realtime (AsyncAPI 3) document at ``/docs/asyncapi.json``; ``GET /`` leads to
``/docs``.

The UI scripts and styles come from the pinned ``openapi-ui-bundles`` package and are served by this process, so the
pages work without internet and under a Content-Security-Policy that allows this origin only (the bootstrap scripts
are files too: no inline script).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import msgspec
import openapi_ui_bundles
from litestar import Request, Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from .realtime.asyncapi import asyncapi_document

DOCS_PATH = "/docs"
ASSETS = f"{DOCS_PATH}/assets"
OPENAPI_JSON = f"{DOCS_PATH}/openapi.json"
ASYNCAPI_JSON = f"{DOCS_PATH}/asyncapi.json"
_OWN_ASSETS = Path(__file__).parent / "docs_assets"
# Served files change only with a new release (a pinned package): let browsers keep them an hour.
_ASSET_CACHE = CacheControlHeader(public=True, max_age=3600)


def _page(title: str, head: str, body: str) -> bytes:
    nav = (
        '<nav class="whaticket-nav">'
        f'<a href="{DOCS_PATH}">Swagger UI</a><a href="{DOCS_PATH}/redoc">ReDoc</a>'
        f'<a href="{OPENAPI_JSON}">OpenAPI document</a><a href="{ASYNCAPI_JSON}">Realtime (AsyncAPI) document</a>'
        "</nav>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" type="image/png" href="{ASSETS}/swagger-ui/favicon-32x32.png">'
        f'<link rel="stylesheet" href="{ASSETS}/whaticket/docs.css">{head}</head>'
        f'<body data-openapi-url="{OPENAPI_JSON}">{nav}{body}</body></html>'
    ).encode()


class OfflineSwaggerPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the package's files."""

    def __init__(self, path: str = "/") -> None:
        super().__init__(path=path)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        head = f'<link rel="stylesheet" href="{ASSETS}/swagger-ui/swagger-ui.css">'
        body = (
            '<div id="swagger-ui"></div>'
            f'<script src="{ASSETS}/swagger-ui/swagger-ui-bundle.js"></script>'
            f'<script src="{ASSETS}/swagger-ui/swagger-ui-standalone-preset.js"></script>'
            f'<script src="{ASSETS}/whaticket/swagger-init.js"></script>'
        )
        return _page(f"{openapi_schema['info']['title']}: Swagger UI", head, body)


class OfflineRedocPlugin(OpenAPIRenderPlugin):
    """ReDoc from the package's files."""

    def __init__(self, path: str = "/redoc") -> None:
        super().__init__(path=path)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        body = (
            '<div id="redoc"></div>'
            f'<script src="{ASSETS}/redoc/redoc.standalone.js"></script>'
            f'<script src="{ASSETS}/whaticket/redoc-init.js"></script>'
        )
        return _page(f"{openapi_schema['info']['title']}: ReDoc", "", body)


def render_plugins() -> list[OpenAPIRenderPlugin]:
    return [OfflineSwaggerPlugin("/"), OfflineRedocPlugin("/redoc")]


@get("/", include_in_schema=False)
async def root() -> Redirect:
    """The bare origin leads to the documentation."""
    return Redirect(DOCS_PATH)


_ASYNCAPI_CACHE: list[bytes] = []


@get(ASYNCAPI_JSON, include_in_schema=False, media_type="application/json")
async def asyncapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The Socket.IO events as an AsyncAPI 3 document, generated from the payload types the gateway emits."""
    if not _ASYNCAPI_CACHE:
        _ASYNCAPI_CACHE.append(msgspec.json.encode(asyncapi_document(request.app.openapi_schema.info.version)))
    return Response(_ASYNCAPI_CACHE[0], media_type="application/json")


def docs_routes() -> list[Any]:
    """The redirect, the AsyncAPI document and the UI files (the pages themselves come from the render plugins)."""
    assets: list[Router] = [
        create_static_files_router(
            f"{ASSETS}/{name}", directories=[directory], name=f"docs-assets-{name}", cache_control=_ASSET_CACHE
        )
        for name, directory in (
            ("swagger-ui", openapi_ui_bundles.swagger_ui.static_path),
            ("redoc", openapi_ui_bundles.redoc.static_path),
            ("whaticket", _OWN_ASSETS),
        )
    ]
    return [root, asyncapi_json, *assets]
