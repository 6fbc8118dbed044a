"""The timing settings the pipeline's recovery depends on: read from the environment, production defaults otherwise."""

from __future__ import annotations

from datetime import timedelta

import pytest

from whaticket_api.runtime import retry_policies
from whaticket_api.settings import ConfigError, Settings

SECRETS = {"JWT_SECRET": "s" * 48, "JWT_REFRESH_SECRET": "r" * 48, "APP_ENV": "production"}


def test_defaults_are_the_production_timings() -> None:
    settings = Settings.from_env(SECRETS, dotenv=False)
    assert (settings.session_lease, settings.delivery_timeout, settings.job_sweep_interval) == (
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=60),
    )
    assert retry_policies(settings).deliver.timeout == 60.0


def test_timings_come_from_the_environment() -> None:
    env = {**SECRETS, "WHATSAPP_SESSION_LEASE_SECONDS": "5", "DELIVERY_TIMEOUT_SECONDS": "7", "JOB_SWEEP_SECONDS": "2"}
    settings = Settings.from_env(env, dotenv=False)
    assert (settings.session_lease, settings.delivery_timeout, settings.job_sweep_interval) == (
        timedelta(seconds=5),
        timedelta(seconds=7),
        timedelta(seconds=2),
    )
    policies = retry_policies(settings)
    assert (policies.deliver.timeout, policies.deliver.max_attempts) == (7.0, 5)
    assert policies.download.timeout == 300.0  # only delivery is tuned


@pytest.mark.parametrize("raw", ["0", "-1", "soon"])
def test_a_bad_timing_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="WHATSAPP_SESSION_LEASE_SECONDS"):
        Settings.from_env({**SECRETS, "WHATSAPP_SESSION_LEASE_SECONDS": raw}, dotenv=False)
