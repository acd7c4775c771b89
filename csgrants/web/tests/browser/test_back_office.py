"""The staff's work lists, the error pages with DEBUG off and the language choice, in the system
Chromium, with a Flemish (nl-BE) and an American (en-US) browser (issue 21). axe-core runs on
every new page."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Amendment, Application, FinalReport, Status
from csgrants.web.tests.browser.test_journeys import ensure_catalogue
from csgrants.web.worklists import WORK_LISTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEMO_PASSWORD = "demo"
LOCALES = {"nl-BE": "nl-BE,nl;q=0.9", "en-US": "en-US,en;q=0.9"}


@pytest.fixture
def demo(settings):
    settings.CSGRANTS_ALLOW_DEMO_USERS = True
    ensure_catalogue()
    call_command("load_demo")


def context_for(chromium, locale):
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale=locale,
        extra_http_headers={"Accept-Language": LOCALES[locale]},
    )
    context.set_default_timeout(15000)
    return context


def login(page, base, username, password=DEMO_PASSWORD):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form:has(#id_password) button[type=submit]").first.click()
    page.wait_for_load_state()


def logout(page):
    page.locator("header form[action='/logout/'] button").click()
    page.wait_for_load_state()


def waiting_references():
    return {
        "beslissen": Application.objects.filter(status=Status.SUBMITTED).first().reference,
        "wijzigingen": Amendment.objects.filter(status="submitted").first().application.reference,
        "eindverslagen": FinalReport.objects.filter(
            status="submitted", application__status=Status.COMPLETED
        )
        .first()
        .application.reference,
        "betalingen": FinalReport.objects.filter(
            status="accepted", application__status=Status.COMPLETED
        )
        .first()
        .application.reference,
        "informatievragen": Application.objects.filter(status=Status.INFO_REQUESTED)
        .first()
        .reference,
        "wacht-op-onderneming": Application.objects.filter(status=Status.AWAITING_CONFIRMATION)
        .first()
        .reference,
    }


@pytest.mark.parametrize("locale", ["nl-BE", "en-US"])
def test_each_work_list_holds_the_item_waiting_on_it(
    chromium, live_server, demo, locale, axe_check, screenshot
):
    waiting = waiting_references()
    assert set(waiting) == {w.slug for w in WORK_LISTS}
    context = context_for(chromium, locale)
    page = context.new_page()
    base = live_server.url
    login(page, base, "reviewer")
    # Dutch whatever the browser asks.
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.url.endswith("/werk/")
    axe_check(page, f"work lists {locale}")
    screenshot(page, f"10-work-lists-{locale}")
    for work in WORK_LISTS:
        page.goto(f"{base}/werk/")
        card = page.locator(".work-card", has=page.locator(f"a[href='/werk/{work.slug}/']"))
        count = int(card.locator(".work-count .big").inner_text())
        assert count >= 1, work.slug
        card.locator(f"a[href='/werk/{work.slug}/']").click()
        page.wait_for_load_state()
        assert page.get_by_role("link", name=waiting[work.slug]).count() >= 1, work.slug
        axe_check(page, f"work list {work.slug} {locale}")
    # Search finds a closed file.
    closed = Application.objects.filter(status=Status.CLOSED).first()
    page.goto(f"{base}/werk/")
    page.fill("#f-q", closed.enterprise.name)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=closed.reference).count() == 1
    axe_check(page, f"search {locale}")
    # The budget manager's "Dossiers" link leads to the payments waiting.
    logout(page)
    login(page, base, "budget")
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    page.wait_for_load_state()
    page.locator("a[href='/werk/betalingen/']").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=waiting["betalingen"]).count() >= 1
    context.close()


@pytest.mark.parametrize("locale", ["nl-BE", "en-US"])
def test_error_pages_with_debug_off(chromium, live_server, settings, demo, locale, axe_check):
    settings.DEBUG = False
    context = context_for(chromium, locale)
    page = context.new_page()
    base = live_server.url
    response = page.goto(f"{base}/bestaat-niet/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1, name="Deze pagina bestaat niet").is_visible()
    assert page.locator("header.site-header").is_visible()
    axe_check(page, f"404 anonymous {locale}")
    login(page, base, "provider")
    response = page.goto(f"{base}/werk/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1, name="U hebt geen toegang tot deze pagina").count()
    axe_check(page, f"403 {locale}")
    page.get_by_role("link", name="Naar de startpagina").click()
    page.wait_for_load_state()
    assert page.url.endswith("/dossiers/")
    context.close()


@pytest.mark.parametrize("locale", ["nl-BE", "en-US"])
def test_the_language_choice_survives_a_new_login(chromium, live_server, demo, locale, axe_check):
    context = context_for(chromium, locale)
    page = context.new_page()
    base = live_server.url
    login(page, base, "provider")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.goto(f"{base}/mijn-account/")
    axe_check(page, f"account {locale}")
    page.select_option("#id_language", "en")
    page.get_by_role("button", name="Taal bewaren").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert User.objects.get(username="provider").language == "en"
    logout(page)
    context.clear_cookies()  # a new session, as on another day or another computer
    login(page, base, "provider")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1, name="My files").is_visible()
    context.close()


@pytest.mark.parametrize("locale", ["nl-BE", "en-US"])
def test_statistics_tables_scroll_inside_their_box_on_a_phone(
    chromium, live_server, demo, locale, axe_check
):
    context = chromium.new_context(
        viewport={"width": 375, "height": 800},
        locale=locale,
        extra_http_headers={"Accept-Language": LOCALES[locale]},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    login(page, live_server.url, "analyst")
    page.goto(f"{live_server.url}/statistieken/?year=2022&year=2023&year=2024&year=2025")
    # The page never scrolls sideways; a wide table scrolls inside its own box.
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    axe_check(page, f"statistics on a phone {locale}")
    context.close()
