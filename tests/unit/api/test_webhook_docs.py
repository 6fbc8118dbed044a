"""The signature check docs/integrations.md gives integrators runs, and agrees with what the dispatcher signs."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from whaticket_core.domain.webhooks import signature

DOC = Path(__file__).parents[3] / "docs" / "integrations.md"


def documented_verify() -> Callable[..., bool]:
    text = DOC.read_text()
    (snippet,) = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in block]
    namespace: dict[str, object] = {}
    exec(compile(snippet, str(DOC), "exec"), namespace)  # the reader's copy, run as they would
    return cast(Callable[..., bool], namespace["verify"])


def test_the_documented_check_accepts_our_signature_and_refuses_others() -> None:
    verify = documented_verify()
    body = b'{"id":7,"event":"message.created","createdAt":"2026-11-29T16:00:00.000Z","data":{}}'
    now = int(time.time())
    header = signature("whsec_right", now, body)
    assert verify("whsec_right", header, body)
    assert not verify("whsec_wrong", header, body)
    assert not verify("whsec_right", header, body + b" ")
    assert not verify("whsec_right", signature("whsec_right", now - 3600, body), body)  # too old: a replay
    assert not verify("whsec_right", "garbage", body)
