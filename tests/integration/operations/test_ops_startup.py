"""``serve`` and ``worker`` refuse to start without their dependencies: one line naming the cause and the fix, exit
69; with STARTUP_WAIT_SECONDS they wait for a dependency that comes up meanwhile, and start."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from conftest_db import create_named_database, drop_named_database
from ops_harness import Processes, TcpGate, answers, free_port, gated_pg_url, gated_redis_url, production_env, until
from sqlalchemy.engine import make_url

from whaticket_adapters.sql.migrate import upgrade

EXIT_UNAVAILABLE = 69


def only_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


async def test_a_closed_port_stops_serve_and_worker_with_one_line_then_serve_waits_for_it(
    empty_pg_url: str, pg_gate: TcpGate, redis_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    await upgrade(empty_pg_url)
    await pg_gate.close()
    url = gated_pg_url(empty_pg_url, pg_gate)
    name = make_url(empty_pg_url).database
    expected = (
        f"whaticket: cannot reach database '{name}' at 127.0.0.1:{pg_gate.port} (connection refused): "
        "start PostgreSQL or fix DATABASE_URL"
    )
    port = free_port()
    procs.start("serve-refused", ["serve"], production_env(url, None, tmp_path, port))
    procs.start("worker-refused", ["worker"], production_env(url, gated_redis_url(redis_gate), tmp_path, port))
    assert await procs.exit_code("serve-refused") == EXIT_UNAVAILABLE
    assert await procs.exit_code("worker-refused") == EXIT_UNAVAILABLE
    assert only_line(procs.log("serve-refused")) == expected
    assert only_line(procs.log("worker-refused")) == expected

    # Started together with its database: it waits, and serves once the database answers.
    procs.start("serve", ["serve"], production_env(url, None, tmp_path, port, STARTUP_WAIT_SECONDS="120"))

    async def waiting() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        return "waiting up to" in procs.log("serve")

    await until(waiting, "serve to wait for the database")
    await pg_gate.open()

    async def ready() -> bool:
        return await answers(f"http://127.0.0.1:{port}", "/health/ready") == 200

    await until(ready, "serve to be ready once the database answers")
    assert "Traceback" not in procs.log("serve")


async def test_a_missing_database_stops_at_once_and_serve_starts_once_it_exists(
    pg_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    name = f"whaticket_ops_missing_{uuid.uuid4().hex[:8]}"
    real = f"postgresql://postgres@127.0.0.1:5432/{name}"
    url = gated_pg_url(real, pg_gate)
    port = free_port()
    # Waiting cannot create a database: no wait, even with a long STARTUP_WAIT_SECONDS.
    procs.start("serve-missing", ["serve"], production_env(url, None, tmp_path, port, STARTUP_WAIT_SECONDS="3600"))
    assert await procs.exit_code("serve-missing") == EXIT_UNAVAILABLE
    assert only_line(procs.log("serve-missing")) == (
        f"whaticket: database '{name}' at 127.0.0.1:{pg_gate.port} does not exist: create it (createdb) or fix "
        "DATABASE_URL"
    )
    await create_named_database(name)
    try:
        await upgrade(real)
        procs.start("serve", ["serve"], production_env(url, None, tmp_path, port))

        async def ready() -> bool:
            assert procs.alive("serve"), procs.log("serve")
            return await answers(f"http://127.0.0.1:{port}", "/health/ready") == 200

        await until(ready, "serve on the database once it exists")
        await procs.stop("serve")
    finally:
        await drop_named_database(name)


async def test_an_unmigrated_database_is_refused_in_production_until_db_upgrade_runs(
    empty_pg_url: str, redis_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    port = free_port()
    redis = gated_redis_url(redis_gate)
    procs.start("serve-unmigrated", ["serve"], production_env(empty_pg_url, redis, tmp_path, port))
    procs.start("worker-unmigrated", ["worker"], production_env(empty_pg_url, redis, tmp_path, port))
    expected = "whaticket: the database has no schema yet: run whaticket db upgrade"
    assert await procs.exit_code("serve-unmigrated") == EXIT_UNAVAILABLE
    assert await procs.exit_code("worker-unmigrated") == EXIT_UNAVAILABLE
    assert only_line(procs.log("serve-unmigrated")) == expected
    assert only_line(procs.log("worker-unmigrated")) == expected

    env = production_env(empty_pg_url, redis, tmp_path, port, STARTUP_WAIT_SECONDS="120")
    procs.start("serve", ["serve"], env)
    procs.start("worker", ["worker"], env)

    async def waiting() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        return "run whaticket db upgrade" in procs.log("serve") and "run whaticket db upgrade" in procs.log("worker")

    await until(waiting, "serve and worker to wait for the schema")
    procs.start("upgrade", ["db", "upgrade"], env)
    assert await procs.exit_code("upgrade") == 0, procs.log("upgrade")
    base = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        return await answers(base, "/health/ready") == 200

    await until(ready, "serve and worker to start once the schema is at head")
    assert "Traceback" not in procs.log("serve") + procs.log("worker")

    # Running, the schema goes behind: readiness names it, and the same command repairs it.
    procs.start("downgrade", ["db", "downgrade", "base"], env)
    assert await procs.exit_code("downgrade") == 0, procs.log("downgrade")
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        answer = await client.get("/health/ready")
        assert answer.status_code == 503
        assert answer.json()["checks"]["schema"] == "behind: run whaticket db upgrade"
        assert answer.headers["Retry-After"]
    procs.start("upgrade-again", ["db", "upgrade"], env)
    assert await procs.exit_code("upgrade-again") == 0, procs.log("upgrade-again")
    await until(ready, "readiness once the schema is back at head")


async def test_redis_down_stops_serve_and_worker_with_one_line_then_they_wait_for_it(
    empty_pg_url: str, redis_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    await upgrade(empty_pg_url)
    await redis_gate.close()
    port = free_port()
    env = production_env(empty_pg_url, gated_redis_url(redis_gate), tmp_path, port)
    procs.start("serve-refused", ["serve"], env)
    procs.start("worker-refused", ["worker"], env)
    for name in ("serve-refused", "worker-refused"):
        assert await procs.exit_code(name) == EXIT_UNAVAILABLE
        line = only_line(procs.log(name))
        assert line.startswith(f"whaticket: cannot reach Redis at 127.0.0.1:{redis_gate.port} (")
        assert line.endswith("): start Redis or fix REDIS_URL")

    waiting_env = {**env, "STARTUP_WAIT_SECONDS": "120"}
    procs.start("serve", ["serve"], waiting_env)
    procs.start("worker", ["worker"], waiting_env)

    async def both_waiting() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        assert procs.alive("worker"), procs.log("worker")
        return all("start Redis or fix REDIS_URL" in procs.log(name) for name in ("serve", "worker"))

    await until(both_waiting, "serve and worker to wait for Redis")
    await redis_gate.open()

    async def ready() -> bool:
        return await answers(f"http://127.0.0.1:{port}", "/health/ready") == 200

    await until(ready, "readiness (a live worker included) once Redis answers")
