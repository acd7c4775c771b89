"""The policy-insight pages in the system Chromium, in Dutch and English, checked with axe:
the budget runway with its chart, the dashboard's sections 10-12, the what-if form and its
answer, and the budget overview's warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from csgrants.budgets.models import LedgerEntry
from csgrants.budgets.services import allocation_create
from csgrants.core import clock
from csgrants.web.tests.browser.test_journeys import ensure_catalogue

PASSWORD = "demo-password-123"  # conftest.make_user


def login(chromium, live_server, username, lang):
    locale = {"nl": "nl-BE", "en": "en-GB"}[lang]
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{lang};q=0.9"},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator(
        "main form button[type=submit], form:has(#id_password) button[type=submit]"
    ).first.click()
    page.wait_for_load_state()
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_insight_pages_are_accessible(
    chromium,
    live_server,
    make_application,
    provider,
    admin_user,
    budget_manager,
    lang,
    axe_check,
    screenshot,
):
    ensure_catalogue()
    # English is the user's stored choice; the browser's language is not followed.
    budget_manager.language = lang
    budget_manager.save(update_fields=["language"])
    today = clock.today()
    source = make_application("submitted")
    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("170000.00"),
        allocated_on=today - dt.timedelta(weeks=40),
    )
    for week in range(30):
        LedgerEntry.objects.create(
            provider=provider,
            kind="commit",
            amount_eur=Decimal(4000 + 1000 * (week % 3)),
            entry_date=today - dt.timedelta(days=1 + 7 * week),
            application=source,
        )
    page = login(chromium, live_server, budget_manager.username, lang)
    warning = {"nl": "binnen 8 weken", "en": "within 8 weeks"}[lang]

    page.goto(f"{live_server.url}/statistieken/budgetlooptijd/")
    assert page.locator("svg[aria-labelledby^='chart-runway']").count() == 1
    assert warning in page.content()
    axe_check(page, f"runway-{lang}")
    screenshot(page, f"insight-runway-{lang}")

    page.goto(f"{live_server.url}/budget/")
    assert page.locator(".callout.warn").count() == 1
    axe_check(page, f"budget-warning-{lang}")

    page.goto(f"{live_server.url}/statistieken/?year={today.year}")
    assert page.locator("#q10").count() == 1 and page.locator("#q12").count() == 1
    axe_check(page, f"dashboard-insight-{lang}")

    page.goto(f"{live_server.url}/statistieken/scenario/")
    axe_check(page, f"what-if-form-{lang}")
    page.fill("#id_rate_pct", "60")
    page.fill("#id_from_date", today.isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#scenario-h").count() == 1
    axe_check(page, f"what-if-answer-{lang}")
    screenshot(page, f"insight-what-if-{lang}")
