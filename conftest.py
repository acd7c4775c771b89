"""Shared fixtures: the catalogue comes from the data migration; users per role; helpers that
build applications in any state by calling the services (never by writing status fields)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest
from django.db import connection

from csgrants.accounts.models import Role, User
from csgrants.catalogue.models import ServiceProvider

DEFAULT_DECLARATION = {"negative_equity": False, "public_participation_pct": 0}
# Who confirms for the enterprise (contracts/enterprise-confirmation.md): not a provider's address.
DEFAULT_SIGNATORY = {
    "name": "An Janssens",
    "email": "an.janssens@voorbeeld-nv.be",
    "capacity": "zaakvoerder",
}


def open_confirmation_token(application) -> str:
    """The personal link's token of a file waiting for its enterprise, rebuilt as the mail does
    (the token itself is stored nowhere)."""
    from csgrants.applications.confirmation import token_of

    row = application.confirmation_requests.filter(
        used_at__isnull=True, superseded_at__isnull=True
    ).latest("requested_at", "id")
    return token_of(row)


def confirm(application, *, name="An Janssens", capacity="zaakvoerder", **extra):
    """Confirm a file waiting for its enterprise through the real service (what the POST to
    /bevestiging/<token>/ calls); returns the file as it is then (submitted, or approved
    straight through)."""
    from csgrants.applications.confirmation import confirmation_confirm

    confirmation_confirm(
        token=open_confirmation_token(application),
        name=name,
        capacity=capacity,
        agree=True,
        **extra,
    )
    application.refresh_from_db()
    return application


def confirm_amendment(amendment, *, name="An Janssens", capacity="zaakvoerder"):
    """The enterprise confirms an amendment through its link (contract rule 5), as the POST to
    /bevestiging/<token>/ does; a file filed before confirmations existed has no link."""
    from csgrants.applications.confirmation import confirmation_confirm, token_of

    row = amendment.confirmation_requests.filter(
        used_at__isnull=True, superseded_at__isnull=True
    ).first()
    if row is not None:
        confirmation_confirm(token=token_of(row), name=name, capacity=capacity, agree=True)
    return amendment


def filing_fields(**overrides) -> dict:
    """What a provider fills in for application_create: a small enterprise in Ghent, MEDIUM."""
    return {
        "enterprise_number": "0403.170.701",
        "enterprise_name": "Voorbeeld NV",
        "enterprise_kind": "kmo",
        "postal_code": "9000",
        "package": "MEDIUM",
        "cost_eur": "24000.00",
        "extensions": [],
        "declaration": DEFAULT_DECLARATION,
        "signatory": DEFAULT_SIGNATORY,
        **overrides,
    }


def pytest_collection_modifyitems(config, items):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    for item in items:
        if "browser" in item.keywords and not chromium:
            item.add_marker(
                pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
            )


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """The process keeps the reference data and the policy versions in use (core.reference);
    an earlier test's rolled-back rows must not reach this one through them, and tests change
    policies with update(), which sends no signal."""
    from csgrants.core import reference

    reference.forget()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections); set DATABASE_URL")


@pytest.fixture
def postgres_only_tx(transactional_db):
    """Like `postgres_only`, for tests that commit for real: several connections must see each
    other's rows and wait on each other's row locks."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections); set DATABASE_URL")


def make_user(username: str, role: str, provider=None) -> User:
    user = User.objects.create_user(
        username=username, password="demo-password-123", role=role, service_provider=provider
    )
    return user


@pytest.fixture
def provider(db):
    return ServiceProvider.objects.create(code="P1", name="Provider One")


@pytest.fixture
def other_provider(db):
    return ServiceProvider.objects.create(code="P2", name="Provider Two")


@pytest.fixture
def provider_user(provider):
    return make_user("prov", Role.PROVIDER, provider)


@pytest.fixture
def other_provider_user(other_provider):
    return make_user("prov2", Role.PROVIDER, other_provider)


@pytest.fixture
def reviewer(db):
    return make_user("rev", Role.REVIEWER)


@pytest.fixture
def budget_manager(db):
    return make_user("budget", Role.BUDGET_MANAGER)


@pytest.fixture
def analyst(db):
    return make_user("analyst", Role.ANALYST)


@pytest.fixture
def admin_user(db):
    return make_user("adm", Role.ADMIN)


@pytest.fixture
def funded(provider, admin_user):
    """Give the provider EUR 1,000,000 so approvals fit."""
    from csgrants.budgets.services import allocation_create

    allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=Decimal("1000000.00"),
        allocated_on=dt.date(2020, 1, 1),
        kind="initial",
    )
    return provider


@pytest.fixture
def make_application(provider_user, request):
    """Build an application by calling the services. `state` is one of draft,
    awaiting_confirmation, submitted, info_requested, approved, rejected, in_progress, withdrawn,
    stopped. A submitted file is confirmed by its enterprise through the real service."""
    from csgrants.applications import services
    from csgrants.applications.models import Decision

    counter = {"n": 0}
    numbers = [
        "0403.170.701",
        "0202.239.951",
        "0417.497.106",
        "0404.616.494",
        "0403.199.702",
        "0203.201.340",
        "0207.446.772",
        "0431.852.116",
        "0415.104.174",
        "0400.378.485",
    ]

    def build(state="draft", *, user=None, reviewer=None, number=None, **overrides):
        user = user or provider_user
        number = number or numbers[counter["n"] % len(numbers)]
        counter["n"] += 1
        fields = filing_fields(
            **{
                "enterprise_number": number,
                "enterprise_name": f"Enterprise {counter['n']}",
                **overrides,
            }
        )
        app = services.application_create(actor=user, provider=user.service_provider, **fields)
        if state == "draft":
            return app
        if state == "withdrawn_draft":
            return services.application_withdraw(actor=user, application=app)
        app = services.application_submit(actor=user, application=app)
        if state == "awaiting_confirmation":
            return app
        app = confirm(app)
        if state == "submitted":
            return app
        staff = reviewer or make_user(f"rev{counter['n']}", Role.REVIEWER)
        if state == "info_requested":
            services.info_request(actor=staff, application=app, question="Graag de jaarrekening.")
            return app.__class__.objects.get(pk=app.pk)
        if state == "rejected":
            services.decision_record(
                actor=staff, application=app, outcome=Decision.Outcome.REJECTED, reasons=["NOT_SME"]
            )
            return app.__class__.objects.get(pk=app.pk)
        request.getfixturevalue("funded")  # approval commits budget
        services.decision_record(actor=staff, application=app, outcome=Decision.Outcome.APPROVED)
        app.refresh_from_db()
        if state == "approved":
            return app
        if state == "stopped":
            services.application_stop(actor=staff, application=app, reasons=["NOT_SME"])
            app.refresh_from_db()
            return app
        if state == "withdrawn":
            services.application_withdraw(actor=user, application=app)
            app.refresh_from_db()
            return app
        services.application_start(actor=user, application=app)
        app.refresh_from_db()
        if state == "in_progress":
            return app
        raise ValueError(f"unknown state {state}")

    return build
