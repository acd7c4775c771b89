"""The policy's plausible bounds in the web UI (issue 20, catalogue.bounds): the filing form
refuses a cost outside the policy's range next to the field, never prefills one, and the
budget screens refuse dates outside the scheme's life."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from csgrants.applications.models import Application
from csgrants.budgets.models import Allocation, LedgerEntry

from .test_views import FROZEN, new_application_data

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})


def _error_of(html: str, field: str) -> str:
    marker = f'id="id_{field}_error"'
    assert marker in html, html[-3000:]
    return html[html.index(marker) :][:600]


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("language", "typed", "says"),
    [
        ("nl", "0", "meer dan nul"),
        ("nl", "0,00", "meer dan nul"),
        ("nl", "9.199,99", "€ 9.200,00 tot € 35.000,00"),
        ("nl", "35.000,01", "€ 9.200,00 tot € 35.000,00"),
        ("nl", "999.999.999.999,99", "€ 9.200,00 tot € 35.000,00"),
        ("en", "999,999,999,999.99", "€9,200.00 to €35,000.00"),
        ("en", "0", "more than zero"),
    ],
)
@pytest.mark.parametrize("button", ["save", "submit"])
def test_a_cost_outside_the_policys_range_is_refused_on_its_field(
    client, provider_user, tariffs, language, typed, says, button
):
    client.force_login(provider_user)
    _in(client, language)
    figures = {  # the declaration's figures are typed the Dutch way: left out here
        **{"periods-0-turnover_eur": "", "periods-0-balance_sheet_eur": ""},
        **{"periods-0-staff_awu": "", "periods-0-year_end": "", "aid-0-amount_eur": ""},
        **{"aid-0-granted_on": "", "aid-0-description": ""},
    }
    response = client.post(
        reverse("web:new"), new_application_data(**{button: "1"}, cost_eur=typed, **figures)
    )
    assert response.status_code == 422
    assert says in _error_of(response.content.decode(), "cost_eur")
    assert not Application.objects.exists()


@time_machine.travel(FROZEN, tick=False)
def test_editing_a_draft_keeps_its_cost_in_range(client, provider_user, tariffs):
    client.force_login(provider_user)
    client.post(reverse("web:new"), new_application_data(save="1"))
    app = Application.objects.get()
    response = client.post(
        reverse("web:edit", args=[app.reference]),
        new_application_data(save="1", cost_eur="999.999.999.999,99"),
    )
    assert response.status_code == 422
    assert "€ 35.000,00" in _error_of(response.content.decode(), "cost_eur")
    app.refresh_from_db()
    assert app.cost_eur == Decimal("24000.00")


@time_machine.travel(FROZEN, tick=False)
def test_the_form_never_prefills_what_the_checks_refuse(client, provider_user, tariffs):
    """PLUS + extension at the provider's tariffs (34,000 + 6,000) is above the policy's 35,000:
    the form fills in 35,000, says why, and saving it as filled in works."""
    client.force_login(provider_user)
    html = client.get(
        reverse("web:subsidy_preview"),
        {"package": "PLUS", "extensions": ["EXTENSION"], "enterprise_kind": "kmo", "cost_eur": ""},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'value="35000,00"' in html
    assert 'name="tariff_total" value="35000.00"' in html
    capped = html[html.index('id="tariff-capped"') :][:400]
    assert "€ 40.000,00" in capped and "€ 35.000,00" in capped
    response = client.post(
        reverse("web:new"),
        new_application_data(
            save="1", package="PLUS", extensions=["EXTENSION"], cost_eur="35000,00"
        ),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Application.objects.get().cost_eur == Decimal("35000.00")


@time_machine.travel(FROZEN, tick=False)
def test_a_tariff_within_the_range_is_prefilled_as_it_is(client, provider_user, tariffs):
    client.force_login(provider_user)
    html = client.get(reverse("web:new")).content.decode()
    assert 'value="24000,00"' in html  # MEDIUM
    assert 'id="tariff-capped"' not in html


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("typed", "says"),
    [("0001-01-01", "2019-01-01"), ("9999-12-31", "2027-11-23"), ("2018-12-31", "2019-01-01")],
)
def test_a_top_up_dated_outside_the_schemes_life_is_refused(
    client, budget_manager, provider, typed, says
):
    client.force_login(budget_manager)
    response = client.post(
        reverse("budgets:top_up"),
        {"provider": provider.pk, "amount_eur": "300.000,00", "allocated_on": typed},
    )
    assert response.status_code != 302
    assert says in _error_of(response.content.decode(), "allocated_on")
    assert not Allocation.objects.exists() and not LedgerEntry.objects.exists()


@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize("typed", ["2019-01-01", "2027-11-23"])
def test_a_top_up_on_the_edges_of_the_schemes_life_is_booked(
    client, budget_manager, provider, typed
):
    client.force_login(budget_manager)
    response = client.post(
        reverse("budgets:top_up"),
        {"provider": provider.pk, "amount_eur": "300.000,00", "allocated_on": typed},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Allocation.objects.get().allocated_on.isoformat() == typed


@pytest.mark.parametrize("typed", ["999.999.999.999,99", "35.000,01", "0"])
def test_an_amendment_with_an_absurd_extra_cost_is_refused_on_its_field(
    client, make_application, provider_user, typed
):
    from csgrants.applications.models import Amendment
    from csgrants.applications.tests.after_helpers import at

    with at(FROZEN.date()):
        app = make_application("approved")
        client.force_login(provider_user)
        response = client.post(
            reverse("web:amend", args=[app.reference]),
            {"kind": "extension", "package": "EXTENSION", "extra_cost_eur": typed},
        )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_extra_cost_eur_error"' in html, html[-2000:]
    assert not Amendment.objects.exists()
