"""KBO/BCE enterprise numbers: ten digits, 0xxx.xxx.xxx or 1xxx.xxx.xxx, the last two digits
being 97 - (first eight mod 97). python-stdnum's `be.vat` implements exactly that."""

from __future__ import annotations

from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat


class InvalidEnterpriseNumber(ValueError):
    pass


def normalize(number: str) -> str:
    """Return the canonical `0403.170.701` form; raise InvalidEnterpriseNumber otherwise.
    Accepts `0403.170.701`, `0403170701`, `BE0403170701`, `BE 0403 170 701`."""
    if not isinstance(number, str) or not number.strip():
        raise InvalidEnterpriseNumber("empty enterprise number")
    try:
        digits = vat.validate(number)
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidEnterpriseNumber(f"{number!r} is not a valid enterprise number") from exc
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def is_valid(number: str) -> bool:
    try:
        normalize(number)
    except InvalidEnterpriseNumber:
        return False
    return True
