import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from csgrants.applications import services as app_services
from csgrants.budgets import services
from csgrants.budgets.models import Allocation, FrameworkAgreement, LedgerEntry, ProviderBudget
from csgrants.budgets.selectors import (
    application_open_commitment,
    provider_balance,
    reserve_free,
    scheme_totals,
)
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.errors import BudgetExhausted, ValidationFailed
from csgrants.core.models import AuditEvent

D = Decimal


def ledger_sum(provider, kind):
    return sum(
        (e.amount_eur for e in LedgerEntry.objects.filter(provider=provider, kind=kind)), D("0")
    )


@pytest.mark.django_db
def test_provider_creation_makes_its_lock_row():
    p = ServiceProvider.objects.create(code="NEW", name="New")
    assert ProviderBudget.objects.filter(provider=p).count() == 1


@pytest.mark.django_db
def test_lock_row_is_made_on_first_use_when_missing(provider, allocate):
    ProviderBudget.objects.filter(provider=provider).delete()
    allocate(provider, "100.00")
    assert ProviderBudget.objects.filter(provider=provider).count() == 1


@pytest.mark.django_db
def test_a_concurrent_creator_of_the_lock_row_is_harmless(provider, monkeypatch):
    # Simulate losing the race: the row exists, but our existence check did not see it, so the
    # insert hits the unique constraint. The savepoint keeps the transaction usable.
    real_filter = ProviderBudget.objects.filter

    class Blind:
        def exists(self):
            return False

    with transaction.atomic():
        monkeypatch.setattr(ProviderBudget.objects, "filter", lambda **kw: Blind())
        services.ensure_budget_row(provider)
        monkeypatch.setattr(ProviderBudget.objects, "filter", real_filter)
        assert ProviderBudget.objects.filter(provider=provider).count() == 1
        ServiceProvider.objects.create(code="AFTER", name="still usable")


@pytest.mark.django_db
def test_allocation_writes_ledger_line_and_audit(provider, admin_user):
    a = services.allocation_create(
        actor=admin_user,
        provider=provider,
        amount_eur=D("1000.00"),
        allocated_on=dt.date(2024, 2, 1),
        note="start",
    )
    line = LedgerEntry.objects.get(allocation=a)
    assert (line.kind, line.amount_eur, line.entry_date) == (
        "allocate",
        D("1000.00"),
        dt.date(2024, 2, 1),
    )
    event = AuditEvent.objects.get(action="budget.allocate", object_id=str(a.pk))
    assert event.after["amount_eur"] == "1000.00"
    assert event.actor == admin_user


@pytest.mark.django_db
@pytest.mark.parametrize("bad", [1000.0, 0.1, True, "1000.00", None])
def test_money_paths_refuse_anything_but_decimal(provider, admin_user, bad):
    with pytest.raises(TypeError):
        services.allocation_create(
            actor=admin_user, provider=provider, amount_eur=bad, allocated_on=dt.date(2024, 1, 1)
        )
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_budget_commit_refuses_a_float(provider, allocate, make_application, admin_user):
    allocate(provider, "100000.00")
    app = make_application("submitted")
    with pytest.raises(TypeError), transaction.atomic():
        services.budget_commit(
            actor=admin_user,
            provider=provider,
            amount_eur=12000.0,
            on=dt.date(2024, 1, 2),
            application=app,
        )
    assert not LedgerEntry.objects.filter(kind="commit").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["0.00", "-5.00", "1.005", "9" * 30, "1e400", "-1e400", "Infinity"])
def test_zero_negative_and_sub_cent_amounts_are_refused(provider, admin_user, bad):
    with pytest.raises(ValidationFailed):
        services.allocation_create(
            actor=admin_user, provider=provider, amount_eur=D(bad), allocated_on=dt.date(2024, 1, 1)
        )


@pytest.mark.django_db
def test_amounts_come_back_as_decimal(provider, allocate):
    allocate(provider, "1234.56")
    line = LedgerEntry.objects.get()
    assert type(line.amount_eur) is Decimal
    b = provider_balance(provider)
    for value in (b.allocated, b.committed, b.released, b.realised, b.available):
        assert type(value) is Decimal
    assert b.available == D("1234.56")


@pytest.mark.django_db
def test_database_refuses_negative_and_zero_amounts(provider, allocate):
    a = allocate(provider, "10.00")
    for amount in (D("-1.00"), D("0.00")):
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.bulk_create(
                [
                    LedgerEntry(
                        provider=provider,
                        kind="allocate",
                        amount_eur=amount,
                        entry_date=dt.date(2024, 1, 1),
                        allocation=a,
                    )
                ]
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Allocation.objects.bulk_create(
                [
                    Allocation(
                        provider=provider,
                        kind="top_up",
                        amount_eur=amount,
                        allocated_on=dt.date(2024, 1, 1),
                    )
                ]
            )
    # Raw SQL too: the constraint lives in the database, not in Python.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {LedgerEntry._meta.db_table} (provider_id, kind, amount_eur, entry_date, allocation_id, note, created_at)"  # noqa: S608 - table name from the model
            " VALUES (%s, 'allocate', -5, '2024-01-01', %s, '', '2024-01-01')",
            [provider.pk, a.pk],
        )


@pytest.mark.django_db
def test_ledger_lines_cannot_be_edited_or_deleted(provider, allocate):
    allocate(provider, "10.00")
    line = LedgerEntry.objects.get()
    line.amount_eur = D("99.00")
    with pytest.raises(TypeError):
        line.save()
    with pytest.raises(TypeError):
        line.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=line.pk).update(amount_eur=D("5.00"))
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().amount_eur == D("10.00")


@pytest.mark.django_db
def test_a_commit_line_must_name_its_file(provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            provider=provider, kind="commit", amount_eur=D("5.00"), entry_date=dt.date(2024, 1, 1)
        )


@pytest.mark.django_db
def test_approval_commits_and_withdrawal_releases(provider, allocate, make_application, reviewer):
    allocate(provider, "50000.00")
    app = make_application("submitted")
    app_services.decision_record(actor=reviewer, application=app, outcome="approved")
    app.refresh_from_db()
    b = provider_balance(provider)
    assert b.committed == app.subsidy_eur
    assert b.available == D("50000.00") - app.subsidy_eur
    app_services.application_withdraw(actor=app.created_by, application=app)
    b = provider_balance(provider)
    assert b.released == app.subsidy_eur
    assert b.available == D("50000.00")
    assert application_open_commitment(app) == 0
    assert AuditEvent.objects.filter(
        action="budget.release", after__application=app.reference
    ).exists()


@pytest.mark.django_db
def test_approval_that_does_not_fit_changes_nothing(provider, allocate, make_application, reviewer):
    app = make_application("submitted")
    allocate(provider, str(app.subsidy_eur - D("0.01")))
    audit_before = AuditEvent.objects.count()
    with pytest.raises(BudgetExhausted) as exc:
        app_services.decision_record(actor=reviewer, application=app, outcome="approved")
    assert exc.value.code == "BUDGET_EXHAUSTED"
    app.refresh_from_db()
    assert app.status == "submitted"
    assert not app.decisions.exists()
    assert not LedgerEntry.objects.filter(kind="commit").exists()
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_an_approval_for_exactly_the_available_amount_fits(
    provider, allocate, make_application, reviewer
):
    app = make_application("submitted")
    allocate(provider, str(app.subsidy_eur))
    app_services.decision_record(actor=reviewer, application=app, outcome="approved")
    assert provider_balance(provider).available == 0


@pytest.mark.django_db
def test_payment_realises_and_releases_the_rest(funded, make_application, admin_user):
    provider = funded  # EUR 1,000,000
    app = make_application("approved")
    committed = app.subsidy_eur
    with transaction.atomic():
        rest = services.budget_realise_application(
            actor=admin_user,
            application=app,
            amount_eur=committed - D("1000.00"),
            on=dt.date(2025, 1, 1),
        )
    assert rest == D("1000.00")
    b = provider_balance(provider)
    assert b.realised == committed - D("1000.00")
    assert b.released == D("1000.00")
    assert b.open_commitments == 0
    # The payment does not reduce the available budget twice.
    assert b.available == D("1000000.00") - b.realised
    assert b.allocated == b.open_commitments + b.paid + b.available
    with pytest.raises(BudgetExhausted), transaction.atomic():
        services.budget_realise_application(
            actor=admin_user, application=app, amount_eur=D("0.01"), on=dt.date(2025, 1, 2)
        )


@pytest.mark.django_db
def test_amendment_commit_counts_for_the_file(funded, make_application, reviewer):
    from csgrants.applications.models import Amendment
    from csgrants.catalogue.models import Package

    provider = funded  # EUR 1,000,000
    app = make_application("approved")
    amendment = Amendment.objects.create(
        application=app,
        kind="upgrade",
        package=Package.objects.get(code="PLUS"),
        extra_cost_eur=D("8000.00"),
        extra_subsidy_eur=D("4000.00"),
        requested_on=dt.date(2025, 1, 1),
    )
    with transaction.atomic():
        line = services.budget_commit(
            actor=reviewer, amount_eur=D("4000.00"), on=dt.date(2025, 1, 2), amendment=amendment
        )
    assert line.application == app and line.provider == provider
    assert application_open_commitment(app) == app.subsidy_eur + D("4000.00")
    app_services.application_withdraw(actor=app.created_by, application=app)
    assert provider_balance(provider).available == D("1000000.00")


@pytest.mark.django_db
def test_agreement_with_initial_allocations_and_reserve(provider, other_provider, admin_user):
    agreement = services.agreement_create(
        actor=admin_user,
        reference="RO-TEST",
        procurement_round="2019",
        start_date=dt.date(2019, 12, 1),
        initial_allocations=[(provider, D("300.00")), (other_provider, D("200.00"))],
        reserve_eur=D("1000.00"),
    )
    assert set(agreement.providers.all()) == {provider, other_provider}
    assert provider_balance(provider).allocated == D("300.00")
    assert provider_balance(other_provider).allocated == D("200.00")
    reserve = Allocation.objects.get(kind="reserve")
    assert reserve.provider is None and reserve.agreement == agreement
    assert not LedgerEntry.objects.filter(allocation=reserve).exists()
    assert AuditEvent.objects.filter(
        action="budget.agreement_create", object_id=agreement.reference
    ).exists()
    assert scheme_totals().budget == D("1500.00")
    with pytest.raises(ValidationFailed):
        services.agreement_create(
            actor=admin_user, reference="RO-TEST", start_date=dt.date(2020, 1, 1)
        )
    with pytest.raises(ValidationFailed):
        services.agreement_create(
            actor=admin_user,
            reference="RO-X",
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2019, 1, 1),
        )
    assert FrameworkAgreement.objects.count() == 1


@pytest.mark.django_db
def test_reserve_assignment_moves_money_once(provider, other_provider, admin_user):
    services.agreement_create(
        actor=admin_user,
        reference="RO-2023",
        start_date=dt.date(2023, 6, 30),
        reserve_eur=D("2000000.00"),
    )
    reserve = Allocation.objects.get(kind="reserve")
    before = scheme_totals().budget
    a = services.reserve_assign(
        actor=admin_user,
        reserve=reserve,
        provider=provider,
        amount_eur=D("750000.00"),
        allocated_on=dt.date(2024, 1, 1),
    )
    assert a.kind == "initial" and a.reserve == reserve and a.provider == provider
    assert reserve_free(reserve) == D("1250000.00")
    assert provider_balance(provider).allocated == D("750000.00")
    assert scheme_totals().budget == before  # moved, not created
    assert provider in reserve.agreement.providers.all()
    second = services.reserve_assign(
        actor=admin_user,
        reserve=reserve,
        provider=provider,
        amount_eur=D("250000.00"),
        allocated_on=dt.date(2024, 2, 1),
    )
    assert second.kind == "top_up"
    with pytest.raises(BudgetExhausted):
        services.reserve_assign(
            actor=admin_user,
            reserve=reserve,
            provider=other_provider,
            amount_eur=D("1000000.01"),
            allocated_on=dt.date(2024, 3, 1),
        )
    assert reserve_free(reserve) == D("1000000.00")
    assert provider_balance(other_provider).allocated == 0
    event = AuditEvent.objects.filter(action="budget.reserve_assign").last()
    assert event.after["reserve_free_eur"] == "1000000.00"


@pytest.mark.django_db
def test_a_reserve_never_has_a_provider(provider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            kind="reserve",
            provider=provider,
            amount_eur=D("1.00"),
            allocated_on=dt.date(2024, 1, 1),
        )


@pytest.mark.django_db
def test_top_up(provider, admin_user, allocate):
    allocate(provider, "1000.00")
    a = services.allocation_top_up(
        actor=admin_user,
        provider=provider,
        amount_eur=D("500.00"),
        allocated_on=dt.date(2024, 5, 1),
        note="extra",
    )
    assert a.kind == "top_up"
    assert provider_balance(provider).allocated == D("1500.00")
    assert ledger_sum(provider, "allocate") == D("1500.00")


@pytest.mark.django_db
def test_an_amendment_that_does_not_fit_is_refused(provider, allocate, make_application, reviewer):
    from csgrants.applications.models import Amendment
    from csgrants.catalogue.models import Package

    app = make_application("submitted")
    allocate(provider, str(app.subsidy_eur + D("999.99")))
    app_services.decision_record(actor=reviewer, application=app, outcome="approved")
    amendment = Amendment.objects.create(
        application=app,
        kind="extension",
        package=Package.objects.get(code="EXTENSION"),
        extra_cost_eur=D("2000.00"),
        extra_subsidy_eur=D("1000.00"),
        requested_on=dt.date(2025, 1, 1),
    )
    with pytest.raises(BudgetExhausted) as exc, transaction.atomic():
        services.budget_commit(
            actor=reviewer, amount_eur=D("1000.00"), on=dt.date(2025, 1, 2), amendment=amendment
        )
    assert exc.value.code == "BUDGET_EXHAUSTED"
    assert not LedgerEntry.objects.filter(amendment=amendment).exists()
    assert provider_balance(provider).available == D("999.99")
