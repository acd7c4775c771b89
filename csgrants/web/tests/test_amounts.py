"""Amounts typed in the web UI, in both languages, read by core.money's one parser (issue 19):
Dutch 9.200,00 / 9200 / 9200,5; English 9,200.00 / 9200.5; refused with the field named:
exponents, NaN, too many digits, too many decimals, and 9,200 in the Dutch UI (ambiguous)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from csgrants.applications.models import Application
from csgrants.budgets.models import Allocation

from .test_views import FROZEN, new_application_data

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("nl", "9.200,00", "9200.00"),
        ("nl", "9200", "9200.00"),
        ("nl", "9200,5", "9200.50"),
        ("en", "9,200.00", "9200.00"),
        ("en", "9200.5", "9200.50"),
        ("en", "9,200", "9200.00"),
    ],
)
def test_the_cost_is_read_the_way_of_the_ui_language(
    client, provider_user, tariffs, language, typed, stored
):
    client.force_login(provider_user)
    _in(client, language)
    response = client.post(
        reverse("web:new"),
        new_application_data(
            save="1",
            cost_eur=typed,
            **{"periods-0-turnover_eur": "", "periods-0-balance_sheet_eur": ""},
            **{"periods-0-staff_awu": "", "periods-0-year_end": "", "aid-0-amount_eur": ""},
            **{"aid-0-granted_on": "", "aid-0-description": ""},
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Application.objects.get().cost_eur == Decimal(stored)


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("language", "typed", "says"),
    [
        ("nl", "9,200", "dubbelzinnig"),
        ("nl", "9200.50", "9.200,00"),  # the English decimal mark in the Dutch UI
        ("nl", "1e5", "9.200,00"),
        ("nl", "NaN", "9.200,00"),
        ("nl", "9200,005", "2 decimalen"),
        ("nl", "1.000.000.000.000", "12"),  # more digits than 14/2
        ("en", "9.200", "ambiguous"),
        ("en", "9200,50", "9,200.00"),
        ("en", "Infinity", "9,200.00"),
        ("en", "9200.005", "2 decimals"),
    ],
)
def test_a_refused_cost_is_named_next_to_its_field(
    client, provider_user, tariffs, language, typed, says
):
    client.force_login(provider_user)
    _in(client, language)
    response = client.post(reverse("web:new"), new_application_data(save="1", cost_eur=typed))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_cost_eur_error"' in html
    error = html[html.index('id="id_cost_eur_error"') :][:600]
    assert says in error
    assert not Application.objects.exists()


def test_the_budget_screens_read_amounts_the_same_way(client, budget_manager, provider):
    client.force_login(budget_manager)
    for language, typed in (("nl", "1.500,25"), ("en", "1,500.25")):
        _in(client, language)
        response = client.post(
            reverse("budgets:top_up"),
            {"provider": provider.pk, "amount_eur": typed, "allocated_on": "2023-01-16"},
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
    assert [a.amount_eur for a in Allocation.objects.order_by("id")] == [
        Decimal("1500.25"),
        Decimal("1500.25"),
    ]
    _in(client, "nl")
    response = client.post(
        reverse("budgets:top_up"),
        {"provider": provider.pk, "amount_eur": "1,500", "allocated_on": "2023-01-16"},
    )
    assert response.status_code != 302
    assert "dubbelzinnig" in response.content.decode()
    assert Allocation.objects.count() == 2


def test_a_draft_shows_its_cost_back_in_the_ui_language(client, provider_user, tariffs):
    with time_machine.travel(FROZEN, tick=False):
        client.force_login(provider_user)
        client.post(reverse("web:new"), new_application_data(save="1", cost_eur="24.000,5"))
        app = Application.objects.get()
        edit = reverse("web:edit", args=[app.reference])
        assert 'value="24000,50"' in client.get(edit).content.decode()
        _in(client, "en")
        assert 'value="24000.50"' in client.get(edit).content.decode()
    assert dt.date.today()  # the clock is back
