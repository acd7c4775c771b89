"""Playwright in the system Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless told that this is deliberate (the tests' own setup is)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Run the browser tests last. Like every transactional test they empty the tables when they
    end, and once Playwright's event loop runs, pytest-django's serialized rollback no longer
    restores the catalogue for the tests after them; at the end they harm nobody."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    others = [item for item in items if not item.get_closest_marker("browser")]
    items[:] = others + browser


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    # A Flemish browser: Dutch first (the language switcher is tested on its own).
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale="nl-BE",
        extra_http_headers={"Accept-Language": "nl-BE,nl;q=0.9"},
    )
    context.set_default_timeout(15000)
    yield context
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str, full_page: bool = True):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return shoot


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on any violation of impact serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, name: str):
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        detail = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}"
            for v in bad
        )
        assert not bad, f"axe on {name}:\n{detail}"
        return results

    return check
