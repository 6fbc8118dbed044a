"""The Redis databases the integration suites use, all taken from configuration.

``TEST_REDIS_URL`` names the server (default ``redis://127.0.0.1:6379``) and ``TEST_REDIS_DB_BASE`` the first of the
four consecutive database numbers the suites take (default 0), so checkouts that test at the same time on one server
can be given blocks of their own. Suites that flush their database get one to themselves.
"""

from __future__ import annotations

import os

SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
BASE = int(os.environ.get("TEST_REDIS_DB_BASE", "0"))

SHARED = 0  # suites whose keys are unique per test (random channels, queue names)
PIPELINE = 1  # flushed by the pipeline suite
PRODUCTION = 2  # flushed by the production-layout API suite
OPERATIONS = 3  # flushed by the operations suite (servers and workers run as processes)


def redis_db(offset: int) -> int:
    return BASE + offset


def redis_url(offset: int) -> str:
    return f"{SERVER}/{redis_db(offset)}"
