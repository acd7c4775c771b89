"""The enterprise-number checksum is asked in one place (core.enterprise_number); the register
import screens a million rows with a vectorised copy of it for speed (kbo.FastCheck). The two
must never disagree: a number the screen lets through that the rule refuses would reach the
database unchecked, and the other way round a valid enterprise would be dropped."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from csgrants.core.enterprise_number import InvalidEnterpriseNumber, normalize
from csgrants.enterprises.kbo import _checksum_ok


def _rule_accepts(digits: str) -> bool:
    try:
        normalize(digits)
    except InvalidEnterpriseNumber:
        return False
    return True


def _screen_accepts(digits: str) -> bool:
    dotted = f"{digits[:4]}.{digits[4:7]}.{digits[7:]}".encode()
    return _checksum_ok(np.frombuffer(dotted, dtype=np.uint8), np.array([0]))


def _with_check(body: int) -> str:
    return f"{body:08d}{97 - body % 97:02d}"


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=1, max_value=19_999_999), st.integers(min_value=0, max_value=99))
@example(97, 0)  # first eight a multiple of 97 with check digits 00: stdnum's sum lets it by
@example(403_170_7, 1)
def test_the_register_screen_and_the_rule_agree(body, check):
    digits = f"{body:08d}{check:02d}"
    assert _screen_accepts(digits) == _rule_accepts(digits), digits


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=19_999_999))
def test_every_number_with_its_check_digits_is_valid_for_both(body):
    digits = _with_check(body)
    assert _rule_accepts(digits) and _screen_accepts(digits), digits


def test_check_digits_00_are_refused():
    assert not _rule_accepts("0000009700")
    assert _rule_accepts("0403170701")
