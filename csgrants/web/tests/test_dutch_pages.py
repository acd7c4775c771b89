"""The main journeys' pages, rendered in Dutch on the demo data, show no English (issue 21): a
small list of tell-tale English words and phrases, searched in the visible text."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.management import call_command

from csgrants.accounts.models import User
from csgrants.applications.models import Application, Status

ENGLISH = re.compile(
    r"\b(the|and|with|must|already|between|waiting|there is|named|imported|history import|"
    r"main package|extension\)|Legal form|Region|Not Found|Forbidden|application\.\w+|"
    r"enterprise_kind|postal_code|Submit|Save|Search|Files|Log out|pass|fail|warning)\b"
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<[^>]*\blang="en"[^>]*>[^<]*<', "<", html)  # the switch's "English"
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(text)


@pytest.fixture
def demo(db):
    call_command("load_demo")


def pages():
    provider = [
        "/dossiers/",
        "/dossiers/nieuw/",
        *[
            f"/dossiers/{a.reference}/"
            for a in Application.objects.filter(provider__code="P01").order_by("status", "id")
        ][:40],
    ]
    staff = [
        "/werk/",
        "/werk/beslissen/",
        "/werk/wijzigingen/",
        "/werk/eindverslagen/",
        "/werk/betalingen/",
        "/werk/informatievragen/",
        "/werk/zoeken/?q=BV",
        "/wachtrij/",
        *[
            f"/wachtrij/{Application.objects.filter(status=s).first().reference}/"
            for s in Status.values
            if Application.objects.filter(status=s).exists()
        ],
        "/budget/",
        "/statistieken/",
    ]
    return {"provider": provider, "reviewer": staff, "budget": ["/werk/", "/werk/betalingen/"]}


@pytest.mark.django_db
def test_the_main_journeys_read_in_dutch(client, demo):
    leaks = []
    for username, urls in pages().items():
        client.force_login(User.objects.get(username=username))
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
            assert response.status_code == 200, url
            for match in ENGLISH.finditer(visible_text(response.content.decode())):
                leaks.append(f"{url}: {match.group(0)!r}")
    assert leaks == [], "\n".join(sorted(set(leaks)))
