"""The Content-Security-Policy in a real browser: the pages (with htmx loaded and started) run
without a single CSP violation (an inline style or script would be blocked, silently for the
user but reported on the console)."""

from __future__ import annotations

import pytest

from conftest import make_user
from csgrants.accounts.models import Role
from csgrants.web.tests.browser.test_journeys import ensure_catalogue

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_raise_no_csp_violation(chromium, live_server, provider, make_application):
    ensure_catalogue()  # a browser test before this one may have flushed the seeded catalogue
    user = make_user("csp-prov", Role.PROVIDER, provider)
    reviewer = make_user("csp-rev", Role.REVIEWER)
    application = make_application("submitted", user=user, reviewer=reviewer)
    violations: list[str] = []
    context = chromium.new_context()
    try:
        for who, pages in (
            (user, ["/dossiers/", "/dossiers/nieuw/", f"/dossiers/{application.reference}/"]),
            (reviewer, ["/wachtrij/", f"/wachtrij/{application.reference}/", "/statistieken/"]),
        ):
            page = context.new_page()
            page.on(
                "console",
                lambda msg, page=page: (
                    violations.append(f"{page.url}: {msg.text}")
                    if "Content Security Policy" in msg.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", who.username)
            page.fill("#id_password", "demo-password-123")
            page.locator("#id_password").press("Enter")
            page.wait_for_load_state()
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                assert page.url == f"{live_server.url}{path}", f"not logged in: {page.url}"
                page.wait_for_load_state("networkidle")
            page.close()
            context.clear_cookies()
        # The API documentation (Swagger UI from our static files) renders under the policy.
        page = context.new_page()
        page.on(
            "console",
            lambda msg, page=page: (
                violations.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.locator(".swagger-ui .info .title").wait_for()
        assert "csgrants API" in page.locator(".swagger-ui .info .title").inner_text()
    finally:
        context.close()
    assert not violations, "\n".join(violations)
