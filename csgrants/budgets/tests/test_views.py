import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from csgrants.budgets import selectors, services
from csgrants.budgets.models import Allocation, FrameworkAgreement, LedgerEntry
from csgrants.core.models import AuditEvent

D = Decimal
READ_PAGES = ["overview", "ledger", "provider"]
RECORD_PAGES = ["top_up", "agreement_new", "reserve_assign"]


@pytest.fixture
def books(funded, other_provider, make_application, admin_user):
    """Two providers, a reserve, approvals, a withdrawal and a payment."""
    services.allocation_create(
        actor=admin_user,
        provider=other_provider,
        amount_eur=D("300000.00"),
        allocated_on=dt.date(2021, 3, 1),
    )
    services.agreement_create(
        actor=admin_user,
        reference="RO-R",
        start_date=dt.date(2023, 6, 30),
        reserve_eur=D("2000000.00"),
    )
    a = make_application("approved")
    make_application("approved")
    w = make_application("approved")
    from csgrants.applications import services as app_services

    app_services.application_withdraw(actor=w.created_by, application=w)
    with transaction.atomic():
        services.budget_realise_application(
            actor=admin_user, application=a, amount_eur=D("5000.00"), on=dt.date(2025, 2, 1)
        )
    return funded


def url_for(name, books):
    if name == "provider":
        return reverse("budgets:provider", args=[books.pk])
    if name == "reserve_assign":
        return reverse("budgets:reserve_assign", args=[Allocation.objects.get(kind="reserve").pk])
    return reverse(f"budgets:{name}")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["budget_manager", "admin_user", "reviewer", "analyst"])
@pytest.mark.parametrize("page", READ_PAGES)
def test_staff_read_the_budget(client, request, role, page, books):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url_for(page, books))
    assert response.status_code == 200
    assert "€" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_PAGES + RECORD_PAGES)
def test_provider_users_see_no_budgets(client, provider_user, page, books):
    client.force_login(provider_user)
    assert client.get(url_for(page, books)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("page", READ_PAGES + RECORD_PAGES)
def test_anonymous_goes_to_login(client, page, books):
    response = client.get(url_for(page, books))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [("budget_manager", 200), ("admin_user", 200), ("reviewer", 403), ("analyst", 403)],
)
@pytest.mark.parametrize("page", RECORD_PAGES)
def test_only_budget_managers_and_admins_record(client, request, role, status, page, books):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url_for(page, books)).status_code == status
    if status == 403:
        assert client.post(url_for(page, books), {}).status_code == 403


@pytest.mark.django_db
def test_read_only_roles_get_no_record_links(client, reviewer, budget_manager, books):
    client.force_login(reviewer)
    assert reverse("budgets:top_up") not in client.get(reverse("budgets:overview")).content.decode()
    client.force_login(budget_manager)
    assert reverse("budgets:top_up") in client.get(reverse("budgets:overview")).content.decode()


FIGURE_LINK = re.compile(r'<a data-figure="(\w+)"(?: data-year="\d+")? href="([^"]+)">([^<]*)</a>')
TOTAL = re.compile(r'<p class="ledger-total">.*?(-?€ [\d.]+,\d\d)', re.S)


def _amount(text: str) -> Decimal:
    text = text.strip().replace("€", "").replace(" ", "").replace(".", "").replace(",", ".")
    return D(text)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["overview", "overview-2025", "provider"])
def test_every_figure_on_the_screen_matches_its_ledger_lines(client, budget_manager, books, page):
    client.force_login(budget_manager)
    url = url_for("provider", books) if page == "provider" else reverse("budgets:overview")
    if page == "overview-2025":
        url += "?year=2025"
    body = client.get(url).content.decode()
    links = FIGURE_LINK.findall(body)
    assert len(links) >= 6
    for figure, href, shown in links:
        ledger = client.get(html.unescape(href))
        assert ledger.status_code == 200
        page_body = ledger.content.decode()
        total = TOTAL.search(page_body)
        assert total, href
        assert _amount(total.group(1)) == _amount(shown), (figure, href)
        # The lines on the page add up to the figure too.
        if figure in selectors.FIGURES:
            cells = re.findall(r'<td class="num contribution">([^<]+)</td>', page_body)
            assert sum((_amount(c) for c in cells), D("0")) == _amount(shown), (figure, href)


@pytest.mark.django_db
def test_overview_shows_the_position_that_the_ledger_gives(client, reviewer, books):
    client.force_login(reviewer)
    response = client.get(reverse("budgets:overview"))
    rows = {r.provider.pk: r for r in response.context["rows"]}
    b = selectors.provider_balance(books)
    assert rows[books.pk].balance == b
    assert b.allocated == b.open_commitments + b.paid + b.available
    assert response.context["reserves"][0].free == D("2000000.00")
    assert "<svg" in response.content.decode()


@pytest.mark.django_db
def test_ledger_filters_by_kind_and_year(client, analyst, books):
    client.force_login(analyst)
    response = client.get(reverse("budgets:ledger"), {"provider": books.pk, "kind": "release"})
    kinds = {line.entry.kind for line in response.context["lines"]}
    assert kinds == {"release"}
    response = client.get(reverse("budgets:ledger"), {"year": 2020})
    assert {line.entry.entry_date.year for line in response.context["lines"]} == {2020}


@pytest.mark.django_db
def test_record_a_top_up_through_the_screen(client, budget_manager, books):
    client.force_login(budget_manager)
    response = client.post(
        reverse("budgets:top_up"),
        {
            "provider": books.pk,
            "amount_eur": "500.000,00",
            "allocated_on": "2023-01-16",
            "note": "extra",
        },
    )
    assert response.status_code == 302
    a = Allocation.objects.get(kind="top_up")
    assert a.amount_eur == D("500000.00") and a.provider == books
    assert LedgerEntry.objects.filter(allocation=a, kind="allocate").exists()
    assert AuditEvent.objects.filter(action="budget.allocate", actor=budget_manager).exists()


@pytest.mark.django_db
def test_a_bad_top_up_changes_nothing(client, budget_manager, books):
    client.force_login(budget_manager)
    before = LedgerEntry.objects.count()
    for amount in ["-5", "0", "1,234", "abc"]:
        response = client.post(
            reverse("budgets:top_up"),
            {"provider": books.pk, "amount_eur": amount, "allocated_on": "2023-01-16"},
        )
        assert response.status_code == 400
    assert LedgerEntry.objects.count() == before


@pytest.mark.django_db
def test_new_agreement_with_initial_allocations(client, admin_user, provider, other_provider):
    client.force_login(admin_user)
    response = client.post(
        reverse("budgets:agreement_new"),
        {
            "reference": "RO-2027",
            "procurement_round": "2027",
            "start_date": "2027-01-01",
            f"amount_{provider.pk}": "100000",
            "reserve_eur": "50000",
        },
    )
    assert response.status_code == 302
    agreement = FrameworkAgreement.objects.get(reference="RO-2027")
    assert list(agreement.providers.all()) == [provider]
    assert selectors.provider_balance(provider).allocated == D("100000.00")
    assert selectors.provider_balance(other_provider).allocated == 0
    assert Allocation.objects.get(kind="reserve").amount_eur == D("50000.00")
    again = client.post(
        reverse("budgets:agreement_new"), {"reference": "RO-2027", "start_date": "2027-01-01"}
    )
    assert again.status_code == 400
    assert FrameworkAgreement.objects.count() == 1


@pytest.mark.django_db
def test_assign_from_the_reserve_through_the_screen(client, budget_manager, books, other_provider):
    client.force_login(budget_manager)
    reserve = Allocation.objects.get(kind="reserve")
    url = reverse("budgets:reserve_assign", args=[reserve.pk])
    too_much = client.post(
        url,
        {"provider": other_provider.pk, "amount_eur": "2000000.01", "allocated_on": "2024-01-01"},
    )
    assert too_much.status_code == 400
    assert "2.000.000,00" in too_much.content.decode()
    ok = client.post(
        url, {"provider": other_provider.pk, "amount_eur": "750000", "allocated_on": "2024-01-01"}
    )
    assert ok.status_code == 302
    assert selectors.reserve_free(reserve) == D("1250000.00")
    assert selectors.provider_balance(other_provider).allocated == D("1050000.00")


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["frameworkagreement", "allocation", "ledgerentry"])
def test_admin_lists_budgets_read_only(client, books, model):
    from django.contrib.auth import get_user_model

    su = get_user_model().objects.create_superuser(
        "root", "root@example.org", "x" * 16, role="admin"
    )
    client.force_login(su)
    listing = client.get(reverse(f"admin:budgets_{model}_changelist"))
    assert listing.status_code == 200
    assert client.get(reverse(f"admin:budgets_{model}_add")).status_code == 403
    obj = {
        "frameworkagreement": FrameworkAgreement,
        "allocation": Allocation,
        "ledgerentry": LedgerEntry,
    }[model].objects.first()
    change = client.post(reverse(f"admin:budgets_{model}_change", args=[obj.pk]), {})
    assert change.status_code in (403, 200)
    assert (
        client.post(
            reverse(f"admin:budgets_{model}_delete", args=[obj.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert LedgerEntry.objects.count() > 0 and type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_overview_counts_every_euro_of_the_scheme_once(client, analyst, books):
    client.force_login(analyst)
    body = client.get(reverse("budgets:overview")).content.decode()
    # EUR 1,000,000 + EUR 300,000 to providers, EUR 2,000,000 in reserve.
    assert "€ 3.300.000,00" in body


def _direct(qs, figure):
    """The count and the signed total of the lines, summed line by line in Python."""
    signs = selectors.FIGURES.get(figure or "", {})
    lines = list(qs)
    return len(lines), sum((e.amount_eur * signs.get(e.kind, 1) for e in lines), D("0"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"year": 2025},
        {"until": "2025-12-31"},
        {"until": "2025-01-31"},  # inside a year: the year's sums minus the later lines
        {"year": 2025, "until": "2025-01-31"},
        {"kind": "commit", "until": "2024-06-30"},
    ],
)
def test_ledger_count_and_total_equal_the_lines(client, analyst, books, filters):
    """The ledger page takes its count and total from the yearly sums (the trigger-kept summary
    on PostgreSQL); they equal the lines it pages through, for every figure and provider."""
    client.force_login(analyst)
    for provider in (None, books):
        for figure in (None, *selectors.FIGURES):
            params = dict(filters)
            if provider is not None:
                params["provider"] = provider.pk
            if figure is not None:
                params["figure"] = figure
            response = client.get(reverse("budgets:ledger"), params)
            assert response.status_code == 200
            until = dt.date.fromisoformat(filters["until"]) if "until" in filters else None
            qs = selectors.ledger_lines(
                provider=provider,
                figure=figure,
                kinds=[filters["kind"]] if "kind" in filters else None,
                year=filters.get("year"),
                until=until,
            )
            count, total = _direct(qs, figure)
            assert response.context["page"].paginator.count == count, params
            assert response.context["total"] == total, params


@pytest.mark.django_db
def test_yearly_sums_equal_the_sums_of_the_lines(books, other_provider):
    """The figures from year_rows (the summary on PostgreSQL) equal those grouped from the
    ledger lines, for every year, date inside a year and provider."""
    cases = [
        {},
        {"year": 2025},
        {"year": 2021},
        {"until": dt.date(2024, 12, 31)},
        {"until": dt.date(2025, 1, 31)},
        {"year": 2025, "until": dt.date(2025, 1, 31)},
        {"year": 2026, "until": dt.date(2025, 1, 31)},
    ]
    fast = {
        "years": selectors.ledger_years(),
        "provider_years": selectors.provider_years(books),
        **{str(c): selectors.balances_by_provider(**c) for c in cases},
        **{f"p{c}": selectors.balances_by_provider(provider=books, **c) for c in cases},
    }
    source = selectors.use_year_rows(None)
    try:
        slow = {
            "years": selectors.ledger_years(),
            "provider_years": selectors.provider_years(books),
            **{str(c): selectors.balances_by_provider(**c) for c in cases},
            **{f"p{c}": selectors.balances_by_provider(provider=books, **c) for c in cases},
        }
    finally:
        selectors.use_year_rows(source)
    assert fast == slow
    # And the grouped lines give what the lines give one by one.
    assert selectors.balances_by_provider()[books.pk] == selectors.provider_balance(books)
    assert selectors.balances_by_provider(until=dt.date(2025, 1, 31))[
        books.pk
    ] == selectors.provider_balance(books, until=dt.date(2025, 1, 31))
    assert other_provider.pk in selectors.balances_by_provider(until=dt.date(2021, 3, 1))
    assert other_provider.pk not in selectors.balances_by_provider(until=dt.date(2021, 2, 28))
