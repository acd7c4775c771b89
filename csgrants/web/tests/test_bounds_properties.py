"""Property tests (issue 20): no amount that the ways in accept lies outside the policy's
bounds. Amounts are drawn as people and systems write them (Dutch and English grouping, machine
spelling, exponents, signs, stray separators, JSON numbers) and sent through core.money's one
parser, the API's create operation, the web filing form in both languages and the history
import. Whatever is accepted is a cost the policy in force admits, stored exactly as it reads."""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from csgrants.api.tests.conftest import CREATE_BODY
from csgrants.api.tokens import token_create
from csgrants.applications.models import Application
from csgrants.catalogue.bounds import cost_range
from csgrants.catalogue.selectors import policy_in_force
from csgrants.core.money import (
    DUTCH,
    ENGLISH,
    MACHINE,
    MAX_AMOUNT,
    AmountError,
    format_amount,
    parse_amount,
    percentage_of,
)

from .test_views import new_application_data

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)  # the 2023 policy: EUR 9,200-35,000
SLOW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Amounts near the policy's bounds, near zero and far beyond, with 0-3 decimals.
VALUES = st.one_of(
    st.decimals(min_value=Decimal("9000"), max_value=Decimal("36000"), places=2),
    st.decimals(min_value=Decimal("-10"), max_value=Decimal("10"), places=3),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1e15"), places=2),
    st.sampled_from(
        [Decimal("9200"), Decimal("35000"), Decimal("9199.99"), Decimal("35000.01"), MAX_AMOUNT]
    ),
)


def _grouped(value: Decimal, group: str, mark: str) -> str:
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):f}".partition(".")
    parts = []
    while whole:
        parts.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{group.join(parts)}{mark + frac if frac else ''}"


@st.composite
def typed_amounts(draw) -> str:
    """An amount as someone might type or send it, right or wrong."""
    value = draw(VALUES)
    spelling = draw(
        st.sampled_from(["plain", "dutch", "english", "comma", "exponent", "noise", "junk"])
    )
    if spelling == "plain":
        return f"{value:f}"
    if spelling == "dutch":
        return _grouped(value, ".", ",")
    if spelling == "english":
        return _grouped(value, ",", ".")
    if spelling == "comma":
        return f"{value:f}".replace(".", ",")
    if spelling == "exponent":
        return f"{value:e}"
    if spelling == "noise":
        return draw(st.sampled_from(["€ ", "EUR ", " ", "+", ""])) + f"{value:f}"
    return draw(st.text(alphabet="0123456789.,e-+ €", min_size=1, max_size=20))


def _admitted(amount: Decimal) -> bool:
    bounds = cost_range(policy_in_force(TODAY.date()))
    return bounds.low <= amount <= bounds.high and amount == amount.quantize(Decimal("0.01"))


@given(text=typed_amounts(), style=st.sampled_from([MACHINE, DUTCH, ENGLISH]))
@settings(max_examples=500, deadline=None)
def test_what_the_parser_accepts_fits_the_columns_and_reads_back(text, style):
    try:
        amount = parse_amount(text, style=style)
    except AmountError:
        return
    assert Decimal(0) <= amount <= MAX_AMOUNT
    assert amount == amount.quantize(Decimal("0.01"))
    assert parse_amount(format_amount(amount, style=style), style=style) == amount


@given(value=st.decimals(min_value=Decimal("1000"), max_value=MAX_AMOUNT, places=0))
@settings(max_examples=200, deadline=None)
def test_grouped_thousands_never_read_as_decimals(value):
    """9,200 in the English UI is 9200.00 (never 9.20); 9.200 in the Dutch UI likewise."""
    assert parse_amount(_grouped(value, ",", "."), style=ENGLISH) == value
    assert parse_amount(_grouped(value, ".", ","), style=DUTCH) == value
    # The other language's grouping is refused (ambiguous or invalid), never read otherwise.
    for text, style in ((_grouped(value, ",", "."), DUTCH), (_grouped(value, ".", ","), ENGLISH)):
        with pytest.raises(AmountError):
            parse_amount(text, style=style)


@pytest.fixture
def api(provider_user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {token_create(actor=None, user=provider_user)[1]}"
    )
    return client


@time_machine.travel(TODAY, tick=False)
@given(
    cost=st.one_of(
        typed_amounts(),
        VALUES.map(float),
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=True, allow_infinity=True),
    )
)
@SLOW
def test_the_api_accepts_no_cost_outside_the_policys_range(api, cost):
    before = set(Application.objects.values_list("pk", flat=True))
    body = {**copy.deepcopy(CREATE_BODY), "cost_eur": cost, "submit": False}
    response = api.post("/api/v1/applications/", body, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert "cost_eur" in {e["field"] for e in response.json()["errors"]}
        assert set(Application.objects.values_list("pk", flat=True)) == before
        return
    filed = Application.objects.get(reference=response.json()["reference"])
    # The next example files for the same enterprise: one undecided file per provider and
    # enterprise (OPEN_FILE_EXISTS), so this draft goes.
    filed.delete()
    assert _admitted(filed.cost_eur), (cost, filed.cost_eur)


@time_machine.travel(TODAY, tick=False)
@given(cost=typed_amounts(), language=st.sampled_from(["nl", "en"]))
@SLOW
def test_the_filing_form_accepts_no_cost_outside_the_policys_range(provider_user, cost, language):
    client = Client()
    client.force_login(provider_user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    before = Application.objects.count()
    data = new_application_data(save="1", cost_eur=cost)
    data.update({k: "" for k in data if k.startswith(("periods-0-", "aid-0-"))})
    response = client.post(reverse("web:new"), data)
    if response.status_code != 302:
        assert response.status_code == 422
        assert 'id="id_cost_eur_error"' in response.content.decode()
        assert Application.objects.count() == before
        return
    filed = Application.objects.order_by("-pk").first()
    filed.delete()  # the next example files for the same enterprise (OPEN_FILE_EXISTS)
    stored = filed.cost_eur
    assert _admitted(stored), (cost, language, stored)
    reference = parse_amount(cost, style=DUTCH if language == "nl" else ENGLISH)
    assert stored == reference  # exactly what was typed, read the way of the language


_serial = itertools.count(1)
APP_HEADER = (
    "reference,service_provider,enterprise_number,enterprise_name,enterprise_kind,postal_code,"
    "package,extensions,cost_eur,subsidy_eur,submitted_on,status,decided_on,rejection_reason"
)


@time_machine.travel(TODAY, tick=False)
@given(cost=typed_amounts(), subsidy=typed_amounts())
@SLOW
def test_the_import_accepts_no_cost_or_subsidy_outside_the_bounds(tmp_path_factory, cost, subsidy):
    folder: Path = tmp_path_factory.mktemp("h")
    reference = f"CS-2024-{next(_serial):04d}"  # every example a file of its own
    quoted = [f'"{v}"' for v in (cost, subsidy)]
    row = (
        f"{reference},P01,0403.170.701,Bakkerij BV,kmo,9000,MEDIUM,,{quoted[0]},{quoted[1]},"
        "2024-03-01,approved,2024-03-05,"
    )
    (folder / "applications.csv").write_text(f"{APP_HEADER}\n{row}\n", encoding="utf-8")
    try:
        call_command(
            "import_history",
            str(folder),
            "--no-progress",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    except CommandError:
        assert not Application.objects.filter(reference=reference).exists()
        return
    app = Application.objects.get(reference=reference)
    assert _admitted(app.cost_eur), (cost, app.cost_eur)
    assert Decimal(0) < app.subsidy_eur <= percentage_of(app.cost_eur, Decimal(50)), (
        subsidy,
        app.subsidy_eur,
    )
