"""KBO/BCE enterprise numbers: ten digits, 0xxx.xxx.xxx or 1xxx.xxx.xxx, the last two digits
being 97 - (first eight mod 97). python-stdnum's `be.vat` implements exactly that, and this
module is the one place that asks it (issue 19: the checksum was written four times).

The usual spellings (0403.170.701, 0403170701, BE0403170701) are brought to digits by one
pattern and checked with stdnum's own checksum, because a million of them go through the history
import and stdnum's generic clean-up costs 40 µs a number; anything else (spaces, the old
nine-digit numbers, '(0)') goes through stdnum's validate whole."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat

_USUAL = re.compile(r"(?:BE)?([01]\d{3})\.?(\d{3})\.?(\d{3})")


class InvalidEnterpriseNumber(ValueError):
    pass


def normalize(number: str) -> str:
    """Return the canonical `0403.170.701` form; raise InvalidEnterpriseNumber otherwise.
    Accepts `0403.170.701`, `0403170701`, `BE0403170701`, `BE 0403 170 701`."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidEnterpriseNumber("empty enterprise number")
    usual = _USUAL.fullmatch(number)
    if usual is not None:
        digits = "".join(usual.groups())
        if vat.checksum(digits) != 0 or int(digits) <= 0:
            raise InvalidEnterpriseNumber(f"{number!r} is not a valid enterprise number")
    else:
        try:
            digits = vat.validate(number)
        except stdnum_exceptions.ValidationError as exc:
            raise InvalidEnterpriseNumber(f"{number!r} is not a valid enterprise number") from exc
    if digits.endswith("00"):
        # The check digits are 97 - (first eight mod 97), so 01..97: stdnum's sum test also lets
        # 00 through when the first eight are a multiple of 97 (the KBO never issues those, and
        # the register import's fast screen refuses them).
        raise InvalidEnterpriseNumber(f"{number!r} is not a valid enterprise number")
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def is_valid(number: str) -> bool:
    try:
        normalize(number)
    except InvalidEnterpriseNumber:
        return False
    return True


def is_canonical(number: str) -> bool:
    """Valid and written `0403.170.701` (the KBO open data's form)."""
    try:
        return normalize(number) == number
    except InvalidEnterpriseNumber:
        return False


def from_base(base: int) -> str:
    """The enterprise number whose first eight digits are `base` (demo and test data)."""
    check = 97 - vat.checksum(f"{base:08d}00")
    digits = f"{base:08d}{check:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
