"""Password-reset mails are limited per e-mail address and per client address (issue 20, item 7),
with a clear message, and the answer never tells whether an account has the address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

KNOWN = "consultant@example.be"
UNKNOWN = "nobody@example.be"
TOO_MANY = "Te veel aanvragen voor een nieuw wachtwoord"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.CSGRANTS_PASSWORD_RESETS_PER_EMAIL = 3
    settings.CSGRANTS_PASSWORD_RESETS_PER_IP = 10
    settings.CSGRANTS_PASSWORD_RESET_WINDOW_MINUTES = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known(provider_user):
    provider_user.email = KNOWN
    provider_user.save()
    return provider_user


def ask(client, email, ip="198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_an_address_gets_at_most_three_mails_an_hour(known):
    client = Client()
    answers = [ask(client, KNOWN, ip=f"198.51.100.{i}") for i in range(1, 6)]
    assert [a.status_code for a in answers] == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    page = answers[-1].content.decode()
    assert TOO_MANY in page and "60 minuten" in page
    # the address is counted in any spelling of its case
    assert ask(client, KNOWN.upper(), ip="198.51.100.99").status_code == 429
    assert len(mail.outbox) == 3


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(known):
    client = Client()
    for email in (KNOWN, UNKNOWN):
        answers = [ask(client, email, ip=f"203.0.113.{i}") for i in range(1, 5)]
        assert [a.status_code for a in answers] == [302, 302, 302, 429]
        assert answers[0]["Location"] == reverse("password_reset_done")
        assert TOO_MANY in answers[-1].content.decode()
    assert len(mail.outbox) == 3  # only the known address got mail


def test_one_client_address_is_limited_across_addresses(known):
    client = Client()
    answers = [ask(client, f"someone{i}@example.be") for i in range(12)]
    assert [a.status_code for a in answers[:10]] == [302] * 10
    assert [a.status_code for a in answers[10:]] == [429, 429]
    # and the known address asked from there now gets no mail either
    assert ask(client, KNOWN).status_code == 429
    assert len(mail.outbox) == 0
    # another client address still may
    assert ask(client, KNOWN, ip="192.0.2.1").status_code == 302
    assert len(mail.outbox) == 1


def test_the_message_in_english(known):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for _ in range(3):
        ask(client, UNKNOWN)
    page = ask(client, UNKNOWN).content.decode()
    assert "Too many requests for a new password" in page
