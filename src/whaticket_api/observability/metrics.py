"""Prometheus metrics: ``GET /metrics`` in the text format, behind ``METRICS_TOKEN`` (bearer) when it is set.

Counted as they happen (this process): HTTP requests and their latency by route template. Read when scraped (an
async snapshot first, because collectors are synchronous): jobs by kind and outcome (every worker's, from Redis, in
production), the job queue's depth, pending outbound messages, inbound events not processed (pending or failed),
WhatsApp connections by status, sockets connected to this process and this process's database pool.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("whaticket.metrics")

# Shared by every app in the process and registered in each app's own registry (tests build many apps).
HTTP_REQUESTS = Counter(
    "whaticket_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=None,
)
HTTP_LATENCY = Histogram(
    "whaticket_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)
CONTENT_TYPE = CONTENT_TYPE_LATEST


# The labelled children by label values: ``labels()`` validates and joins its arguments on every call (~4 µs of
# each request). Route templates and statuses are few, so the cache stays small.
_REQUEST_SERIES: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    series = _REQUEST_SERIES.get((method, route, status))
    if series is None:
        series = HTTP_REQUESTS.labels(method, route, str(status)), HTTP_LATENCY.labels(method, route)
        _REQUEST_SERIES[(method, route, status)] = series
    series[0].inc()
    series[1].observe(seconds)


@dataclass
class Snapshot:
    """What the scrape-time collector reports; a source that failed leaves its family out (and is logged)."""

    jobs: dict[tuple[str, str], float] = field(default_factory=dict)
    queue_depth: dict[str, float] = field(default_factory=dict)
    pending_outbound: float | None = None
    connections: dict[str, float] = field(default_factory=dict)
    inbox: dict[str, float] = field(default_factory=dict)
    sockets: float | None = None
    pool: dict[str, float] = field(default_factory=dict)


class SnapshotCollector(Collector):
    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterator[Any]:
        s = self.snapshot
        jobs = CounterMetricFamily(
            "whaticket_jobs", "Background job attempts, by kind and outcome.", labels=["kind", "outcome"]
        )
        for (kind, outcome), value in sorted(s.jobs.items()):
            jobs.add_metric([kind, outcome], value)
        yield jobs
        depth = GaugeMetricFamily("whaticket_job_queue_depth", "Jobs in the queue, by state.", labels=["state"])
        for state, value in sorted(s.queue_depth.items()):
            depth.add_metric([state], value)
        yield depth
        if s.pending_outbound is not None:
            yield GaugeMetricFamily(
                "whaticket_outbound_pending_messages",
                "Messages to customers stored and not yet handed to WhatsApp.",
                value=s.pending_outbound,
            )
        connections = GaugeMetricFamily(
            "whaticket_whatsapp_connections", "WhatsApp connections, by status.", labels=["status"]
        )
        for status, value in sorted(s.connections.items()):
            connections.add_metric([status], value)
        yield connections
        inbox = GaugeMetricFamily(
            "whaticket_inbox_events",
            "Inbound WhatsApp events not processed: pending (stored, being processed) or failed (see inbox-failures).",
            labels=["status"],
        )
        for status, value in sorted(s.inbox.items()):
            inbox.add_metric([status], value)
        yield inbox
        if s.sockets is not None:
            yield GaugeMetricFamily(
                "whaticket_sockets_connected", "Socket.IO clients connected to this process.", value=s.sockets
            )
        pool = GaugeMetricFamily(
            "whaticket_db_pool_connections", "This process's database pool, by state.", labels=["state"]
        )
        for state, value in sorted(s.pool.items()):
            pool.add_metric([state], value)
        yield pool


Source = Callable[[Snapshot], Awaitable[None]]


class Metrics:
    """One app's registry: the shared HTTP families plus a snapshot collector fed by ``sources`` at each scrape."""

    def __init__(self, sources: list[Source] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(HTTP_REQUESTS)
        self.registry.register(HTTP_LATENCY)
        self._collector = SnapshotCollector()
        self.registry.register(self._collector)
        self.sources: list[Source] = list(sources or [])

    async def render(self) -> bytes:
        snapshot = Snapshot()
        for source in self.sources:
            try:
                await source(snapshot)
            except Exception as error:  # a dependency down must not take the other families with it
                log.warning("metrics source %s failed: %s", getattr(source, "__name__", source), error)
        self._collector.snapshot = snapshot
        return generate_latest(self.registry)


def token_matches(expected: str | None, authorization: str) -> bool:
    """No token configured: open. Else ``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time."""
    if not expected:
        return True
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())
