from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from csgrants.accounts.models import Role, User
from csgrants.catalogue.models import ServiceProvider


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("create_api_user", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def works(raw) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client.get("/api/v1/applications/").status_code


@pytest.mark.django_db
def test_an_unknown_provider_is_refused_naming_it_and_nothing_is_created():
    providers = ServiceProvider.objects.count()
    with pytest.raises(CommandError, match="NOPE") as refused:
        run("crm", "--role", "provider", "--provider", "NOPE")
    assert refused.value.returncode == 1  # the exit status manage.py answers with
    assert ServiceProvider.objects.count() == providers
    assert not ServiceProvider.objects.filter(code__iexact="NOPE").exists()
    assert not User.objects.filter(username="crm").exists()


@pytest.mark.django_db
def test_a_new_provider_is_created_only_when_asked_with_its_name():
    lines = run("crm", "--role", "provider", "--provider", "ACME", "--create-provider", "Acme NV")
    acme = ServiceProvider.objects.get(code="ACME")
    assert acme.name == "Acme NV"
    user = User.objects.get(username="crm")
    assert user.role == Role.PROVIDER and user.service_provider == acme
    assert works(lines[-1]) == 200
    # an existing provider is found by its code, in any case, and never doubled
    run("crm2", "--role", "provider", "--provider", "acme")
    assert User.objects.get(username="crm2").service_provider == acme
    assert ServiceProvider.objects.filter(code__iexact="ACME").count() == 1


@pytest.mark.django_db
def test_each_run_prints_a_new_token_and_keeps_the_old_ones():
    first = run("rev-bot", "--role", "reviewer")[-1]
    second = run("rev-bot", "--role", "reviewer")[-1]
    assert first != second
    assert works(first) == works(second) == 200
    assert User.objects.filter(username="rev-bot").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["budget_manager", "admin", "analyst"])
def test_staff_roles(role):
    assert works(run(f"bot-{role}", "--role", role)[-1]) == 200
    assert User.objects.get(username=f"bot-{role}").role == role


@pytest.mark.django_db
def test_refusals():
    with pytest.raises(CommandError):
        run("x", "--role", "provider")
    with pytest.raises(CommandError):
        run("x", "--role", "reviewer", "--provider", "ACME")
    run("y", "--role", "reviewer")
    ServiceProvider.objects.create(code="ACME", name="Acme NV")
    with pytest.raises(CommandError):
        run("y", "--role", "provider", "--provider", "ACME")


@pytest.mark.django_db
def test_purge_idempotency_records_keeps_the_last_24_hours(provider_user):
    from datetime import timedelta

    from django.utils import timezone

    from csgrants.api.models import IdempotencyRecord

    now = timezone.now()
    IdempotencyRecord.objects.create(
        user=provider_user, key="old", fingerprint="x", created_at=now - timedelta(hours=25)
    )
    IdempotencyRecord.objects.create(
        user=provider_user, key="new", fingerprint="x", created_at=now - timedelta(hours=23)
    )
    out = io.StringIO()
    call_command("purge_idempotency_records", stdout=out)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1" in out.getvalue()
