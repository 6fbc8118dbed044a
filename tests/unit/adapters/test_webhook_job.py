"""The webhook dispatch job: one waiting at a time, run once per enqueue, its retry base from the policies."""

from __future__ import annotations

import dataclasses

from whaticket_adapters.jobs import DEFAULT_POLICIES, RetryPolicy, functions
from whaticket_core.ports.jobs import DispatchWebhooksJob


def test_dispatch_jobs_share_one_key_so_a_burst_of_commits_queues_one() -> None:
    first, second = functions.spec_of(DispatchWebhooksJob()), functions.spec_of(DispatchWebhooksJob())
    assert first == second
    assert (first.function, first.key, first.kwargs) == (functions.DISPATCH_WEBHOOKS, "webhooks:dispatch", {})


def test_the_job_runs_once_and_its_policy_carries_the_first_retry_wait() -> None:
    policy = functions.policy_of(functions.DISPATCH_WEBHOOKS, DEFAULT_POLICIES)
    assert (policy.max_attempts, policy.delay) == (1, 10.0)  # deliveries keep their own retry schedule
    quick = dataclasses.replace(DEFAULT_POLICIES, webhooks=RetryPolicy(1, delay=0.5, max_delay=8, timeout=60))
    assert functions.policy_of(functions.DISPATCH_WEBHOOKS, quick).delay == 0.5
