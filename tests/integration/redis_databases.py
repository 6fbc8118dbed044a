"""The Redis databases the integration suites use, all taken from configuration.

``TEST_REDIS_URL`` names the server (default ``redis://127.0.0.1:6379``) and ``TEST_REDIS_DB_BASE`` the first of the
four consecutive database numbers the suites take (default 0), so checkouts that test at the same time on one server
can be given blocks of their own. Suites that flush their database get one to themselves. Under pytest-xdist each
worker takes the next block (``gw1`` starts four numbers after ``gw0``), so parallel workers never share a database.
"""

from __future__ import annotations

import os

SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
BLOCK = 4  # the offsets below
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0")
BASE = int(os.environ.get("TEST_REDIS_DB_BASE", "0")) + BLOCK * _WORKER

SHARED = 0  # suites whose keys are unique per test (random channels, queue names)
PIPELINE = 1  # flushed by the pipeline suite
PRODUCTION = 2  # flushed by the production-layout API suite
OPERATIONS = 3  # flushed by the operations suite (servers and workers run as processes)


def redis_db(offset: int) -> int:
    return BASE + offset


def redis_url(offset: int) -> str:
    return f"{SERVER}/{redis_db(offset)}"
