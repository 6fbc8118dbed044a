"""``GET /metrics``: the Prometheus text format, behind ``METRICS_TOKEN`` (bearer) when it is set."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from ..errors import error_response
from .metrics import CONTENT_TYPE, Metrics, token_matches


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[Any]:
    registry: Metrics = request.app.state.metrics
    if not token_matches(request.app.state.settings.metrics_token, request.headers.get("authorization", "")):
        return error_response(
            401, "unauthorized", "The metrics token is required", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    return Response(await registry.render(), media_type=CONTENT_TYPE)
