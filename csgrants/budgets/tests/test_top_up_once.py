"""A top-up form sent twice books the money once (issue 20, item 6): the form carries a one-time
token, stored unique with the allocation; the second send answers as the first did. Through the
screen, and on PostgreSQL with two sends at the same moment on their own connections."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.core.models import AuditEvent


def form_token(client) -> str:
    page = client.get(reverse("budgets:top_up")).content.decode()
    match = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page)
    assert match, "the form carries a one-time token"
    return match.group(1)


def top_up_data(provider, token, **overrides) -> dict:
    return {
        "provider": provider.pk,
        "amount_eur": "50.000,00",
        "allocated_on": "2023-01-16",
        "note": "extra",
        "submission_token": token,
        **overrides,
    }


def booked(provider) -> tuple[int, int, int]:
    return (
        Allocation.objects.filter(provider=provider, kind="top_up").count(),
        LedgerEntry.objects.filter(provider=provider, kind="allocate").count(),
        AuditEvent.objects.filter(action="budget.allocate").count(),
    )


@pytest.mark.django_db
def test_the_same_form_sent_twice_books_once_and_answers_the_same(client, budget_manager, provider):
    client.force_login(budget_manager)
    token = form_token(client)
    before = booked(provider)
    first = client.post(reverse("budgets:top_up"), top_up_data(provider, token))
    second = client.post(reverse("budgets:top_up"), top_up_data(provider, token))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    allocations, lines, events = booked(provider)
    assert (allocations, lines, events) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert Allocation.objects.get(provider=provider, kind="top_up").amount_eur == Decimal(
        "50000.00"
    )


@pytest.mark.django_db
def test_each_form_shown_is_a_new_top_up(client, budget_manager, provider):
    client.force_login(budget_manager)
    first, second = form_token(client), form_token(client)
    assert first != second
    before = booked(provider)
    for token in (first, second):
        answer = client.post(reverse("budgets:top_up"), top_up_data(provider, token))
        assert answer.status_code == 302
    assert booked(provider)[0] == before[0] + 2


@pytest.mark.django_db
def test_the_same_form_with_other_values_is_refused_and_books_nothing(
    client, budget_manager, provider
):
    client.force_login(budget_manager)
    token = form_token(client)
    client.post(reverse("budgets:top_up"), top_up_data(provider, token))
    before = booked(provider)
    again = client.post(
        reverse("budgets:top_up"), top_up_data(provider, token, amount_eur="60.000,00")
    )
    assert again.status_code == 400
    assert "al verstuurd" in again.content.decode() or "already sent" in again.content.decode()
    assert booked(provider) == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sends_at_the_same_moment_book_once(postgres_only_tx, budget_manager, provider):
    client = Client()
    client.force_login(budget_manager)
    token = form_token(client)
    before = booked(provider)
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def send():
        try:
            own = Client()
            own.force_login(budget_manager)
            barrier.wait()
            answers.append(
                own.post(reverse("budgets:top_up"), top_up_data(provider, token)).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [302, 302]
    assert booked(provider)[:2] == (before[0] + 1, before[1] + 1)
