"""Tariffs that the policy would refuse cannot be saved (issue 20, catalogue.bounds): through
the catalogue's administration, the one place where tariffs are maintained."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from csgrants.catalogue.models import Package, Tariff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    su = get_user_model().objects.create_superuser(
        "root", "root@example.org", "x" * 16, role="admin"
    )
    client.force_login(su)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _post(client, provider, code, amount, valid_from, valid_to=""):
    return client.post(
        reverse("admin:catalogue_tariff_add"),
        {
            "provider": provider.pk,
            "package": Package.objects.get(code=code).pk,
            "amount_eur": amount,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )


@pytest.mark.parametrize(
    ("code", "amount", "valid_from", "says"),
    [
        ("PLUS", "38500.00", "2023-01-01", "€9,200.00 to €35,000.00"),  # above the 2023 maximum
        ("PLUS", "0.00", "2023-01-01", "more than zero"),
        ("START", "9200.00", "2021-01-01", "€15,000.00 to €50,000.00"),  # below 2021's minimum
        ("PLUS", "40000.00", "2022-06-01", "€9,200.00 to €35,000.00"),  # valid into 2023
        ("EXTENSION", "30000.00", "2023-01-01", "at most €25,800.00"),  # no package fits beside
        ("EXTENSION", "999999999999.99", "2023-01-01", "at most €25,800.00"),
    ],
)
def test_a_tariff_the_policy_would_refuse_is_not_saved(
    admin_client, provider, code, amount, valid_from, says
):
    response = _post(admin_client, provider, code, amount, valid_from)
    assert response.status_code == 200  # the form again, with its error
    html = response.content.decode()
    assert says in html, html[html.find("errorlist") - 200 :][:1500]
    assert not Tariff.objects.exists()


@pytest.mark.parametrize(
    ("code", "amount", "valid_from", "valid_to"),
    [
        ("PLUS", "35000.00", "2023-01-01", ""),
        ("START", "9200.00", "2023-01-01", ""),
        ("PLUS", "40000.00", "2021-01-01", "2022-12-31"),  # 2021 policy only: up to 50,000
        ("EXTENSION", "6500.00", "2021-01-01", ""),
    ],
)
def test_a_tariff_within_every_policy_in_force_is_saved(
    admin_client, provider, code, amount, valid_from, valid_to
):
    response = _post(admin_client, provider, code, amount, valid_from, valid_to)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Tariff.objects.get().amount_eur == Decimal(amount)
