"""The number of queries behind the lists does not grow with the number of rows on the page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def valid_number(i: int) -> str:
    base = 2000000 + i * 7919  # eight digits with a leading zero, then the mod-97 check
    digits = f"{base:08d}{97 - base % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"per_page": 50})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False)
def test_queue_and_provider_list_queries_do_not_grow_with_page_size(
    client, make_application, reviewer, provider_user
):
    for i in range(5):
        make_application("submitted", number=valid_number(i))
    client.force_login(reviewer)
    queue_5, html = _count(client, reverse("web:queue"))
    assert html.count('href="/wachtrij/CS-') == 5
    client.force_login(provider_user)
    mine_5, html = _count(client, reverse("web:mine"))
    assert html.count('href="/dossiers/CS-') == 5

    for i in range(45):
        make_application("submitted" if i % 2 else "draft", number=valid_number(i + 5))
    client.force_login(reviewer)
    queue_50, html = _count(client, reverse("web:queue"))
    assert html.count('href="/wachtrij/CS-') == 27  # 5 + 22 submitted; drafts are not in the queue
    client.force_login(provider_user)
    mine_50, html = _count(client, reverse("web:mine"))
    assert html.count('href="/dossiers/CS-') == 50

    assert queue_5 == queue_50
    assert mine_5 == mine_50


@time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC), tick=False)
def test_application_page_queries_do_not_grow_with_history(client, make_application, reviewer):
    app = make_application("submitted")
    client.force_login(reviewer)
    url = reverse("web:review", args=[app.reference])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(5):
        client.post(reverse("web:recheck", args=[app.reference]))
    with CaptureQueriesContext(connection) as later:
        client.get(url)
    assert len(later.captured_queries) == len(first.captured_queries)
