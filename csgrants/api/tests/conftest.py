from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from csgrants.api.tokens import token_create

CREATE_BODY = {
    "enterprise_number": "0403.170.701",
    "enterprise_name": "Voorbeeld NV",
    "enterprise_kind": "kmo",
    "postal_code": "9000",
    "package": "MEDIUM",
    "extensions": [],
    "cost_eur": "24000.00",
    "declaration": {
        "sme": {
            "enterprise": {
                "periods": [
                    {
                        "year_end": "2024-12-31",
                        "staff_awu": 20,
                        "turnover_eur": "3000000",
                        "balance_sheet_eur": "2000000",
                    }
                ]
            },
            "relations": [],
        },
        "de_minimis_prior_aid": [
            {"granted_on": "2025-02-01", "amount_eur": "5000.00", "description": "kmo-portefeuille"}
        ],
        "negative_equity": False,
        "public_participation_pct": 0,
    },
    "signatory": {
        "name": "An Janssens",
        "email": "an.janssens@voorbeeld-nv.be",
        "capacity": "zaakvoerder",
    },
    "submit": True,
}


@pytest.fixture(autouse=True)
def _throttles(monkeypatch):
    """Generous limits and a clean counter per test; the throttling test tightens them."""
    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "rate", "100000/minute", raising=False)
    monkeypatch.setattr(AnonRateThrottle, "rate", "100000/minute", raising=False)
    yield
    cache.clear()


@pytest.fixture
def client_for():
    def make(user) -> APIClient:
        _token, raw = token_create(actor=None, user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
        return client

    return make


@pytest.fixture
def provider_client(client_for, provider_user):
    return client_for(provider_user)


@pytest.fixture
def other_client(client_for, other_provider_user):
    return client_for(other_provider_user)


@pytest.fixture
def reviewer_client(client_for, reviewer):
    return client_for(reviewer)


@pytest.fixture
def analyst_client(client_for, analyst):
    return client_for(analyst)
