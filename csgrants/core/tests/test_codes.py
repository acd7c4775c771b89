from decimal import Decimal

import pytest

from csgrants.core import enterprise_number
from csgrants.core.money import format_eur, percentage_of
from csgrants.core.postal import province_for, region_for


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("0403.170.701", "0403.170.701"),
        ("0403170701", "0403.170.701"),
        ("BE0403170701", "0403.170.701"),
        ("BE 0403.170.701", "0403.170.701"),
        ("0202.239.951", "0202.239.951"),
        ("0200.065.765", "0200.065.765"),
    ],
)
def test_valid_enterprise_numbers_normalise(raw, canonical):
    assert enterprise_number.normalize(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    ["0403.170.702", "0403170700", "1234567890", "04031707", "ABCDEFGHIJ", "", "2403.170.701"],
)
def test_invalid_enterprise_numbers_are_refused(raw):
    assert not enterprise_number.is_valid(raw)
    with pytest.raises(enterprise_number.InvalidEnterpriseNumber):
        enterprise_number.normalize(raw)


@pytest.mark.parametrize(
    ("postal", "province", "region"),
    [
        ("1000", "BE-BRU", "brussels"),
        ("1299", "BE-BRU", "brussels"),
        ("1300", "BE-WBR", "wallonia"),
        ("1500", "BE-VBR", "flanders"),
        ("2000", "BE-VAN", "flanders"),
        ("3000", "BE-VBR", "flanders"),
        ("3500", "BE-VLI", "flanders"),
        ("4000", "BE-WLG", "wallonia"),
        ("5000", "BE-WNA", "wallonia"),
        ("6600", "BE-WLX", "wallonia"),
        ("7000", "BE-WHT", "wallonia"),
        ("8000", "BE-VWV", "flanders"),
        ("9000", "BE-VOV", "flanders"),
        ("0999", None, None),
        ("90000", None, None),
    ],
)
def test_province_and_region_from_postal_code(postal, province, region):
    assert province_for(postal) == province
    assert region_for(postal) == region


def test_money_is_decimal_half_up_to_the_cent():
    assert percentage_of(Decimal("33333.33"), Decimal("45")) == Decimal("15000.00")  # 14999.9985
    assert percentage_of(Decimal("24000.01"), Decimal("45")) == Decimal("10800.00")  # 10800.0045
    assert percentage_of(Decimal("0.01"), Decimal("50")) == Decimal("0.01")  # 0.005 rounds up
    assert format_eur(Decimal("1234567.5"), "nl") == "€ 1.234.567,50"
    # One money format, following the language: English €1,234,567.50.
    assert format_eur(Decimal("1234567.5"), "en") == "€1,234,567.50"
    assert format_eur(Decimal("-0.5"), "en") == "-€0.50"
