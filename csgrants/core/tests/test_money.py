"""The one money parser (core.money.parse_amount): strict per spelling, never rounds what is
typed, names why it refuses."""

from decimal import Decimal

import pytest

from csgrants.core.money import (
    DUTCH,
    ENGLISH,
    MACHINE,
    AmountError,
    format_amount,
    parse_amount,
    parse_money,
    percentage_of,
)


@pytest.mark.parametrize(
    ("style", "text", "expected"),
    [
        (DUTCH, "9.200,00", "9200.00"),
        (DUTCH, "9200", "9200.00"),
        (DUTCH, "9200,5", "9200.50"),
        (DUTCH, "€ 1.800.000", "1800000.00"),
        (DUTCH, "24.000", "24000.00"),
        (DUTCH, "0", "0.00"),
        (ENGLISH, "9,200.00", "9200.00"),
        (ENGLISH, "9200.5", "9200.50"),
        (ENGLISH, "9,200", "9200.00"),
        (ENGLISH, "EUR 1,800,000", "1800000.00"),
        (MACHINE, "9200.00", "9200.00"),
        (MACHINE, "9200", "9200.00"),
        (MACHINE, " 15704.4 ", "15704.40"),
        (MACHINE, 24000, "24000.00"),
        (MACHINE, 12.3, "12.30"),
        (MACHINE, Decimal("5.1"), "5.10"),
        (MACHINE, "999999999999.99", "999999999999.99"),
        (MACHINE, "-0.00", "0.00"),
    ],
)
def test_each_spelling_reads_its_own_way(style, text, expected):
    amount = parse_money(text, style=style)
    assert amount == Decimal(expected) and str(amount) == expected


@pytest.mark.parametrize(
    ("style", "text", "code"),
    [
        (DUTCH, "9,200", "ambiguous"),  # 9.2 with a stray zero, or 9200 the English way?
        (ENGLISH, "9.200", "ambiguous"),
        (DUTCH, "9200.50", "invalid"),  # the English decimal mark in the Dutch UI
        (ENGLISH, "9200,50", "invalid"),
        (DUTCH, "9.20", "invalid"),  # a dot groups thousands by three in Dutch
        (MACHINE, "9,200.00", "invalid"),  # files and the API: no thousands separator
        (MACHINE, "9200,00", "invalid"),
        (MACHINE, "€ 9200", "invalid"),
        (DUTCH, "1e5", "invalid"),
        (MACHINE, "1e5", "invalid"),
        (MACHINE, "NaN", "invalid"),
        (MACHINE, "Infinity", "invalid"),
        (MACHINE, float("nan"), "invalid"),
        (MACHINE, float("inf"), "invalid"),
        (MACHINE, Decimal("NaN"), "invalid"),
        (MACHINE, True, "invalid"),
        (MACHINE, None, "invalid"),
        (DUTCH, 12.5, "invalid"),  # a float never comes from a person
        (MACHINE, "9200.005", "places"),  # never rounded
        (DUTCH, "9200,005", "places"),
        (MACHINE, Decimal("0.001"), "places"),
        (MACHINE, "1000000000000", "digits"),  # 13 digits before the mark: more than 14/2
        (MACHINE, "9" * 30, "digits"),
        (MACHINE, "9" * 400, "digits"),
        (MACHINE, 10**400, "digits"),
        (MACHINE, 1e300, "digits"),
        (MACHINE, "-5", "negative"),
        (DUTCH, "-5", "negative"),
        (MACHINE, "", "invalid"),
        (MACHINE, "+5", "invalid"),
    ],
)
def test_refusals_say_why(style, text, code):
    with pytest.raises(AmountError) as exc:
        parse_money(text, style=style)
    assert exc.value.code == code
    assert str(exc.value.message)


def test_other_figures_use_the_same_parser_with_their_own_places():
    assert parse_amount("12,5", style=DUTCH, places=6, quantize=False) == Decimal("12.5")
    assert parse_amount("9,200", style=DUTCH, places=6) == Decimal("9.2")  # not money: no doubt
    assert parse_amount("-3", signed=True) == Decimal("-3.00")
    with pytest.raises(AmountError):
        parse_amount("1.5", places=0)


def test_written_back_the_way_it_reads_back():
    for style in (DUTCH, ENGLISH, MACHINE):
        text = format_amount(Decimal("34000"), style=style)
        assert parse_money(text, style=style) == Decimal("34000.00")
    assert format_amount(Decimal("34000"), style=DUTCH) == "34000,00"


def test_computed_amounts_round_half_up_to_the_cent():
    assert percentage_of(Decimal("33333.33"), Decimal("45")) == Decimal("15000.00")
    assert percentage_of(Decimal("0.01"), Decimal("50")) == Decimal("0.01")
