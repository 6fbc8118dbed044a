"""The configuration simulator mode relies on: WHATSAPP_TRANSPORT chooses the simulator, and JOB_RETRY_DELAY_MS
shortens every job's retry backoff (the retry tests and demos use it; production keeps each kind's own)."""

from __future__ import annotations

from pathlib import Path

from whaticket_adapters.jobs import DEFAULT_POLICIES
from whaticket_api.runtime import retry_policies
from whaticket_api.settings import Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), **env}, dotenv=False)


def test_job_retry_delay_ms_sets_the_first_retry_delay_of_every_job(tmp_path: Path) -> None:
    settings = _settings(tmp_path, WHATSAPP_TRANSPORT="simulator", JOB_RETRY_DELAY_MS="20")
    assert settings.simulator
    policies = retry_policies(settings)
    for policy in (policies.deliver, policies.download, policies.read_receipts):
        assert (policy.delay, policy.max_delay) == (0.02, 0.32)
        assert policy.backoff(10) <= 0.32
    # How many tries and how long each may run stay as they were.
    assert policies.deliver.max_attempts == DEFAULT_POLICIES.deliver.max_attempts
    assert policies.download.timeout == DEFAULT_POLICIES.download.timeout


def test_without_it_each_kind_keeps_its_own_backoff(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert (settings.simulator, settings.job_retry_delay_ms) == (False, None)
    policies = retry_policies(settings)
    assert (policies.deliver.delay, policies.deliver.max_delay) == (
        DEFAULT_POLICIES.deliver.delay,
        DEFAULT_POLICIES.deliver.max_delay,
    )
    assert policies.download == DEFAULT_POLICIES.download
