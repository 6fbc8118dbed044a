"""LIDs as WhatsApp writes them normalise to their digits; anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.numbers import MAX_LID_DIGITS, normalize_lid

lids = st.from_regex(rf"[0-9]{{1,{MAX_LID_DIGITS}}}", fullmatch=True)


@given(lids, st.one_of(st.none(), st.integers(0, 99)), st.booleans())
def test_lid_jids_normalise_to_their_digits(digits: str, device: int | None, with_server: bool) -> None:
    raw = digits + ("" if device is None else f":{device}") + ("@lid" if with_server else "")
    assert normalize_lid(f" {raw} ") == digits
    assert normalize_lid(normalize_lid(raw)) == digits


@pytest.mark.parametrize("raw", ["", "@lid", "abc@lid", "12 34@lid", "١٢٣@lid", "1" * (MAX_LID_DIGITS + 1)])
def test_what_is_not_a_lid_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_lid(raw)
