"""The screens through Django's test client: who sees what, every state change through the
services, errors shown next to the fields, the Flemish formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django import forms
from django.core import mail
from django.urls import reverse

from conftest import confirm
from csgrants.applications.models import Application, Status
from csgrants.budgets.selectors import provider_balance

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a Monday


def new_application_data(**overrides):
    data = {
        "enterprise_number": "0403.170.701",
        "enterprise_name": "Bakkerij Peeters",
        "enterprise_kind": "kmo",
        "postal_code": "9000",
        "package": "MEDIUM",
        "cost_eur": "24.000,00",
        "public_participation_pct": "0",
        "periods-TOTAL_FORMS": "2",
        "periods-INITIAL_FORMS": "0",
        "periods-0-year_end": "2025-12-31",
        "periods-0-staff_awu": "12,5",
        "periods-0-turnover_eur": "1.800.000,00",
        "periods-0-balance_sheet_eur": "900000",
        "periods-1-year_end": "",
        "periods-1-staff_awu": "",
        "periods-1-turnover_eur": "",
        "periods-1-balance_sheet_eur": "",
        "relations-TOTAL_FORMS": "1",
        "relations-INITIAL_FORMS": "0",
        "relations-0-direction": "upstream",
        "aid-TOTAL_FORMS": "1",
        "aid-INITIAL_FORMS": "0",
        "aid-0-granted_on": "2025-02-01",
        "aid-0-amount_eur": "5000",
        "aid-0-description": "kmo-portefeuille",
        "signatory_name": "Piet Peeters",
        "signatory_email": "piet@bakkerij-peeters.example",
        "signatory_capacity": "zaakvoerder",
        "signatory_language": "nl",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("fixture", "target"),
    [
        ("provider_user", "/dossiers/"),
        ("reviewer", "/werk/"),
        ("admin_user", "/werk/"),
        ("budget_manager", "/werk/"),
        ("analyst", "/statistieken/"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, request, fixture, target):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == target


def test_anonymous_user_goes_to_login(client):
    response = client.get("/dossiers/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_login_page_is_dutch_by_default_and_english_on_request(client):
    assert "Aanmelden" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").content.decode()


def test_password_reset_sends_a_link_by_mail(client, provider_user):
    provider_user.email = "consultant@example.be"
    provider_user.save()
    response = client.post(reverse("password_reset"), {"email": "consultant@example.be"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/wachtwoord/nieuw/" in mail.outbox[0].body


@time_machine.travel(FROZEN, tick=False)
def test_provider_files_a_draft_then_submits_and_gets_a_receipt(client, provider_user, tariffs):
    client.force_login(provider_user)
    response = client.post(reverse("web:new"), new_application_data(save="1"))
    assert response.status_code == 302, response.content.decode()[:3000]
    app = Application.objects.get()
    assert app.status == Status.DRAFT
    assert app.cost_eur == Decimal("24000.00")
    assert app.declaration["sme"]["enterprise"]["periods"] == [
        {
            "year_end": "2025-12-31",
            "staff_awu": 12.5,
            "turnover_eur": "1800000.00",
            "balance_sheet_eur": "900000.00",
        }
    ]
    assert app.declaration["de_minimis_prior_aid"][0]["amount_eur"] == "5000.00"
    detail = client.get(reverse("web:application", args=[app.reference])).content.decode()
    assert "€ 24.000,00" in detail
    response = client.post(reverse("web:submit", args=[app.reference]))
    assert response.url == reverse("web:receipt", args=[app.reference])
    receipt = client.get(response.url).content.decode()
    app.refresh_from_db()
    # It waits for the enterprise; the receipt says so.
    assert app.status == Status.AWAITING_CONFIRMATION
    assert "piet@bakkerij-peeters.example" in receipt
    confirm(app)
    receipt = client.get(response.url).content.decode()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert app.reference in receipt
    assert "07/12/2026" in receipt  # ten working days after Monday 23/11/2026
    assert "€ 12.000,00" in receipt


@time_machine.travel(FROZEN, tick=False)
def test_invalid_input_is_shown_next_to_the_field(client, provider_user):
    client.force_login(provider_user)
    response = client.post(
        reverse("web:new"),
        new_application_data(
            enterprise_number="0403.170.702", cost_eur="veel", **{"periods-0-staff_awu": ""}
        ),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_enterprise_number_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Vul een bedrag in zoals 9.200,00" in html
    assert 'id="id_periods-0-staff_awu_error"' in html
    assert not Application.objects.exists()


@time_machine.travel(FROZEN, tick=False)
def test_another_providers_file_is_not_found(client, make_application, other_provider_user):
    app = make_application("info_requested")
    client.force_login(other_provider_user)
    for name in ("web:application", "web:edit", "web:answer", "web:withdraw", "web:receipt"):
        assert client.get(reverse(name, args=[app.reference])).status_code == 404, name
    assert client.post(reverse("web:submit", args=[app.reference])).status_code == 404
    assert client.get(reverse("web:application", args=["CS-2026-99999"])).status_code == 404


def test_a_provider_cannot_open_the_back_office(client, provider_user):
    client.force_login(provider_user)
    assert client.get(reverse("web:queue")).status_code == 403


@time_machine.travel(FROZEN, tick=False)
def test_provider_list_shows_own_files_waiting_ones_first(
    client, make_application, provider_user, other_provider_user
):
    submitted = make_application("submitted")
    draft = make_application("draft")
    asked = make_application("info_requested")
    make_application("draft", user=other_provider_user, enterprise_name="Not mine")
    client.force_login(provider_user)
    html = client.get(reverse("web:mine")).content.decode()
    assert "Not mine" not in html
    assert (
        html.index(asked.reference) < html.index(draft.reference) < html.index(submitted.reference)
    )
    filtered = client.get(reverse("web:mine"), {"status": "draft"}).content.decode()
    assert draft.reference in filtered and submitted.reference not in filtered
    searched = client.get(reverse("web:mine"), {"q": asked.enterprise.name}).content.decode()
    assert asked.reference in searched and draft.reference not in searched


@time_machine.travel(FROZEN, tick=False)
def test_subsidy_is_previewed_from_the_tariff(client, provider_user, tariffs):
    client.force_login(provider_user)
    html = client.get(
        reverse("web:subsidy_preview"),
        {
            "package": "PLUS",
            "extensions": ["EXTENSION"],
            "enterprise_kind": "kmo",
            "cost_eur": "",
            "tariff_total": "",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "€ 40.000,00" in html  # 34.000 + 6.000
    # ... above the policy's EUR 35,000 for a trajectory: the cost is capped there (issue 20)
    assert 'value="35000,00"' in html and 'id="tariff-capped"' in html
    assert "€ 17.500,00" in html  # 50 % under the 2023 policy
    # An own cost stays: the subsidy follows it.
    html = client.get(
        reverse("web:subsidy_preview"),
        {
            "package": "PLUS",
            "enterprise_kind": "kmo",
            "cost_eur": "30.000",
            "tariff_total": "34000.00",
        },
    ).content.decode()
    assert "€ 15.000,00" in html


@time_machine.travel(FROZEN, tick=False)
def test_enterprise_is_prefilled_from_known_data(client, make_application, provider_user):
    make_application(
        "draft", number="0417.497.106", enterprise_name="Brouwerij Vos", postal_code="8500"
    )
    client.force_login(provider_user)
    html = client.get(
        reverse("web:enterprise_lookup"), {"enterprise_number": "0417497106"}
    ).content.decode()
    assert 'value="Brouwerij Vos"' in html
    assert 'value="8500"' in html


@time_machine.travel(FROZEN, tick=False)
def test_queue_orders_by_due_date_and_flags_overdue_and_due_soon(
    client, make_application, reviewer
):
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC), tick=False):
        overdue = make_application("submitted")  # due 16/11/2026 (11/11 is a holiday)
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC), tick=False):
        soon = make_application("submitted")  # due 25/11/2026
    fresh = make_application("submitted")  # due 07/12/2026
    make_application("draft")
    client.force_login(reviewer)
    html = client.get(reverse("web:queue")).content.decode()
    assert html.index(overdue.reference) < html.index(soon.reference) < html.index(fresh.reference)
    rows = html.split("<tr")
    row = {
        ref: next(r for r in rows if ref in r)
        for ref in (overdue.reference, soon.reference, fresh.reference)
    }
    assert 'class="overdue"' in row[overdue.reference]
    assert 'class="soon"' in row[soon.reference]
    assert 'class=""' in row[fresh.reference]


@time_machine.travel(FROZEN, tick=False)
def test_reviewer_requests_information_provider_answers_with_corrected_cost(
    client, make_application, reviewer, provider_user, funded
):
    app = make_application("submitted")
    client.force_login(reviewer)
    response = client.post(
        reverse("web:decide", args=[app.reference]),
        {"action": "request_info", "question": "Graag de jaarrekening 2025."},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.INFO_REQUESTED
    client.force_login(provider_user)
    page = client.get(reverse("web:answer", args=[app.reference]))
    assert "Graag de jaarrekening 2025." in page.content.decode()
    data = new_application_data(
        answer="In bijlage, en de kostprijs is 20.000.", cost_eur="20.000,00"
    )
    response = client.post(reverse("web:answer", args=[app.reference]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    app.refresh_from_db()
    # The corrected cost changes what the enterprise declared: it confirms again (issue 22).
    assert app.status == Status.AWAITING_CONFIRMATION
    app = confirm(app)
    assert app.status == Status.SUBMITTED
    assert app.cost_eur == Decimal("20000.00")
    assert app.subsidy_eur == Decimal("10000.00")
    assert app.info_requests.get().answer.startswith("In bijlage")


@time_machine.travel(FROZEN, tick=False)
def test_reviewer_approves_and_budget_is_committed(client, make_application, reviewer, funded):
    app = make_application("submitted")
    client.force_login(reviewer)
    page = client.get(reverse("web:review", args=[app.reference])).content.decode()
    assert "Beslissen" in page and "Auditspoor" in page
    client.post(reverse("web:decide", args=[app.reference]), {"action": "approve", "note": ""})
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert provider_balance(app.provider).committed == Decimal("12000.00")


@time_machine.travel(FROZEN, tick=False)
def test_budget_exhausted_is_said_and_nothing_changes(client, make_application, reviewer):
    app = make_application("submitted")  # the provider has no budget at all
    client.force_login(reviewer)
    response = client.post(reverse("web:decide", args=[app.reference]), {"action": "approve"})
    assert response.status_code == 409
    assert "budget" in response.content.decode().lower()
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert provider_balance(app.provider).committed == 0


@time_machine.travel(FROZEN, tick=False)
def test_rejection_needs_a_reason_and_records_the_chosen_ones(client, make_application, reviewer):
    app = make_application("submitted")
    client.force_login(reviewer)
    response = client.post(reverse("web:decide", args=[app.reference]), {"action": "reject"})
    assert response.status_code == 422
    assert 'id="id_reasons_error"' in response.content.decode()
    client.post(
        reverse("web:decide", args=[app.reference]),
        {"action": "reject", "reasons": ["NOT_SME", "OTHER"], "note": "Zie brief."},
    )
    app.refresh_from_db()
    assert app.status == Status.REJECTED
    assert sorted(app.decisions.get().reasons.values_list("code", flat=True)) == [
        "NOT_SME",
        "OTHER",
    ]


@time_machine.travel(FROZEN, tick=False)
def test_history_of_a_rejected_file_names_its_reasons_in_the_users_language(
    client, make_application, reviewer, provider_user
):
    """The history lists each reason's label (it once failed with a server error there)."""
    from csgrants.applications.models import Decision
    from csgrants.applications.services import decision_record

    app = make_application("submitted")
    decision_record(
        actor=reviewer,
        application=app,
        outcome=Decision.Outcome.REJECTED,
        reasons=["NOT_SME"],
        note="Zie brief.",
    )
    for user, page in ((provider_user, "web:application"), (reviewer, "web:review")):
        client.force_login(user)
        client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
        nl = client.get(reverse(page, args=[app.reference]))
        assert nl.status_code == 200
        assert "Geen kmo volgens de Europese definitie" in nl.content.decode()
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        en = client.get(reverse(page, args=[app.reference])).content.decode()
        assert "Not an SME under the EU definition" in en


def test_letter_text_of_the_chosen_reason_is_proposed(client, reviewer):
    client.force_login(reviewer)
    html = client.get(
        reverse("web:letter_text"), {"reasons": ["NOT_SME"], "note": ""}
    ).content.decode()
    assert "Europese kmo-definitie" in html
    own = client.get(
        reverse("web:letter_text"),
        {"reasons": ["NOT_SME"], "note": "Eigen tekst", "note_proposal": "x"},
    )
    assert "Eigen tekst" in own.content.decode()


@time_machine.travel(FROZEN, tick=False)
def test_staff_stops_an_approved_file_and_budget_is_released(
    client, make_application, reviewer, funded
):
    app = make_application("approved")
    client.force_login(reviewer)
    client.post(
        reverse("web:stop", args=[app.reference]),
        {"reasons": ["NOT_SME"], "note": "Later gebleken."},
    )
    app.refresh_from_db()
    assert app.status == Status.STOPPED
    assert provider_balance(app.provider).available == Decimal("1000000.00")


@time_machine.travel(FROZEN, tick=False)
def test_recheck_adds_a_run_and_earlier_runs_stay(client, make_application, reviewer):
    app = make_application("submitted")
    client.force_login(reviewer)
    client.post(reverse("web:recheck", args=[app.reference]))
    assert app.check_runs.count() == 2
    html = client.get(reverse("web:review", args=[app.reference])).content.decode()
    assert "1 eerdere controle" in html


@time_machine.travel(FROZEN, tick=False)
def test_provider_withdraws_after_confirmation(client, make_application, provider_user):
    app = make_application("submitted")
    client.force_login(provider_user)
    assert (
        "Ja, intrekken"
        in client.get(reverse("web:withdraw", args=[app.reference])).content.decode()
    )
    client.post(reverse("web:withdraw", args=[app.reference]), {"note": "Klant ziet af."})
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


@time_machine.travel(FROZEN, tick=False)
def test_check_messages_follow_the_language(client, make_application, reviewer):
    app = make_application(
        "submitted", declaration={"negative_equity": False, "public_participation_pct": 0}
    )
    client.force_login(reviewer)
    nl = client.get(reverse("web:review", args=[app.reference])).content.decode()
    result = app.check_runs.get().results.get(code="SME")
    assert result.message_nl in nl
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get(reverse("web:review", args=[app.reference])).content.decode()
    assert result.message_en in en
    assert "Automated checks" in en


def _add_run(app, outcomes):
    from csgrants.applications.models import CheckResult, CheckRun

    run = CheckRun.objects.create(
        application=app, policy=app.policy, all_passed=set(outcomes) == {"pass"}
    )
    for i, outcome in enumerate(outcomes):
        CheckResult.objects.create(
            run=run, code=f"C{i}", outcome=outcome, message_nl="nl", message_en="en"
        )


@time_machine.travel(FROZEN, tick=False)
def test_queue_filters_on_the_outcome_of_the_latest_check_run(client, make_application, reviewer):
    failing, warning, passing = (make_application("submitted") for _ in range(3))
    _add_run(failing, ["pass", "pass"])
    _add_run(failing, ["pass", "fail", "warn"])  # the latest run counts
    _add_run(warning, ["fail"])
    _add_run(warning, ["warn", "pass"])
    _add_run(passing, ["warn"])
    _add_run(passing, ["pass", "pass"])
    client.force_login(reviewer)
    for outcome, expected in (("fail", failing), ("warn", warning), ("pass", passing)):
        html = client.get(reverse("web:queue"), {"outcome": outcome}).content.decode()
        shown = {a.reference for a in (failing, warning, passing) if a.reference in html}
        assert shown == {expected.reference}, outcome


@time_machine.travel(FROZEN, tick=False)
def test_provider_edits_a_draft_and_the_declaration_comes_back_in_the_form(
    client, provider_user, tariffs
):
    client.force_login(provider_user)
    client.post(reverse("web:new"), new_application_data(save="1"))
    app = Application.objects.get()
    form = client.get(reverse("web:edit", args=[app.reference])).content.decode()
    assert 'value="1800000,00"' in form  # the declared turnover, shown with a decimal comma
    assert 'value="kmo-portefeuille"' in form
    data = new_application_data(
        save="1", cost_eur="30.000", **{"periods-INITIAL_FORMS": "1", "aid-INITIAL_FORMS": "1"}
    )
    response = client.post(reverse("web:edit", args=[app.reference]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.cost_eur == Decimal("30000.00")
    assert app.status == Status.DRAFT


def test_one_more_formset_row_is_served_with_the_new_total(client, provider_user):
    client.force_login(provider_user)
    html = client.get(
        reverse("web:formset_row", args=["periods"]), {"periods-TOTAL_FORMS": "2"}
    ).content.decode()
    assert 'name="periods-2-year_end"' in html
    assert 'name="periods-TOTAL_FORMS" value="3"' in html
    assert client.get(reverse("web:formset_row", args=["nope"])).status_code == 404


@pytest.mark.parametrize("text", ["9" * 30, "1e400", "-1e400", "1e-400"])
def test_numbers_beyond_decimal_precision_are_a_form_error_not_a_crash(text):
    from csgrants.core.forms import AmountField
    from csgrants.web.forms import money_field

    for field in (money_field("bedrag"), AmountField(label="zonder grenzen")):
        with pytest.raises(forms.ValidationError):
            field.clean(text)


@time_machine.travel(FROZEN, tick=False)
def test_new_application_with_an_absurd_cost_answers_the_form_again(client, provider_user, tariffs):
    client.force_login(provider_user)
    response = client.post(
        reverse("web:new"),
        {
            "enterprise_number": "0403.170.701",
            "enterprise_name": "Voorbeeld NV",
            "enterprise_kind": "kmo",
            "postal_code": "9000",
            "package": "MEDIUM",
            "cost_eur": "9" * 30,
            "public_participation_pct": "1e400",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_cost_eur_error"' in html
    assert 'id="id_public_participation_pct_error"' in html


def test_flemish_filters():
    from csgrants.web.templatetags.flemish import eur, fdate, num, pct

    assert eur(Decimal("1234.5")) == "€ 1.234,50"
    assert eur(None) == ""
    assert fdate(dt.date(2026, 11, 27)) == "27/11/2026"
    assert fdate("2025-02-01") == "01/02/2025"
    assert pct(Decimal("45.50")) == "45,5 %"
    assert num(12.5) == "12,5"


@time_machine.travel(FROZEN, tick=False)
def test_analyst_reads_a_file_but_cannot_decide(client, make_application, analyst):
    app = make_application("submitted")
    client.force_login(analyst)
    page = client.get(reverse("web:review", args=[app.reference]))
    assert page.status_code == 200
    assert 'id="decide"' not in page.content.decode()
    assert (
        client.post(reverse("web:decide", args=[app.reference]), {"action": "approve"}).status_code
        == 403
    )
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_enterprise_lookup_prefills_from_the_register(client, provider_user, tariffs):
    from pathlib import Path

    from django.core.management import call_command

    dump = Path(__file__).resolve().parents[2] / "enterprises" / "tests" / "data" / "full_0140"
    call_command("import_kbo", str(dump), verbosity=0)
    client.force_login(provider_user)
    html = client.get(
        reverse("web:enterprise_lookup"), {"enterprise_number": "BE0403170701"}
    ).content.decode()
    assert "KBO" in html or "register" in html
    assert 'name="enterprise_name"' in html
    from csgrants.enterprises.selectors import enterprise_prefill

    data = enterprise_prefill("0403.170.701")
    assert f'value="{data["enterprise_name"]}"' in html
    assert data["postal_code"] and f'value="{data["postal_code"]}"' in html
