"""The transition table, exhaustively: every (from, to) pair for every role is either allowed
exactly as the table says or refused, and refusals change nothing."""

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction

from conftest import confirm, filing_fields
from csgrants.accounts.models import Role
from csgrants.applications import services
from csgrants.applications.models import Application, Decision, Status, StatusChange
from csgrants.applications.workflow import SYSTEM, TRANSITIONS, allowed_targets
from csgrants.core.errors import (
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from csgrants.core.models import AuditEvent

ROLES = [Role.PROVIDER, Role.REVIEWER, Role.BUDGET_MANAGER, Role.ANALYST, Role.ADMIN, SYSTEM]
PAIRS = list(itertools.product(Status.values, Status.values, ROLES))


@pytest.fixture
def actors(provider_user, reviewer, budget_manager, analyst, admin_user):
    return {
        Role.PROVIDER: provider_user,
        Role.REVIEWER: reviewer,
        Role.BUDGET_MANAGER: budget_manager,
        Role.ANALYST: analyst,
        Role.ADMIN: admin_user,
        SYSTEM: None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "role"), PAIRS)
def test_transition_table_per_role(make_application, actors, from_status, to_status, role):
    app = make_application("draft")
    # Put the file in place; priced, as a granted file always is (a database check).
    Application.objects.filter(pk=app.pk).update(status=from_status, subsidy_eur=Decimal("12000"))
    app.refresh_from_db()
    history_before = StatusChange.objects.filter(application=app).count()
    allowed = (from_status, to_status) in TRANSITIONS and role in TRANSITIONS[
        (from_status, to_status)
    ].roles
    if allowed:
        with transaction.atomic():
            services.application_transition(
                actor=actors[role], application=app, to_status=to_status
            )
        app.refresh_from_db()
        assert app.status == to_status
        last = StatusChange.objects.filter(application=app).last()
        assert (last.from_status, last.to_status) == (from_status, to_status)
        assert AuditEvent.objects.filter(
            object_id=app.reference, action__startswith="application."
        ).exists()
    else:
        expected = (
            TransitionNotAllowed
            if (from_status, to_status) not in TRANSITIONS
            else PermissionDenied
        )
        with pytest.raises(expected), transaction.atomic():
            services.application_transition(
                actor=actors[role], application=app, to_status=to_status
            )
        app.refresh_from_db()
        assert app.status == from_status
        assert StatusChange.objects.filter(application=app).count() == history_before


def test_table_shape():
    assert allowed_targets(Status.SUBMITTED, Role.REVIEWER) == [
        Status.INFO_REQUESTED,
        Status.APPROVED,
        Status.REJECTED,
    ]
    assert allowed_targets(Status.SUBMITTED, Role.ANALYST) == []
    assert Status.APPROVED in allowed_targets(Status.SUBMITTED, SYSTEM)
    assert not allowed_targets(Status.CLOSED, Role.ADMIN)
    assert not allowed_targets(Status.REJECTED, Role.ADMIN)


@pytest.mark.django_db
def test_other_provider_cannot_touch_a_file(make_application, other_provider_user):
    app = make_application("draft")
    with pytest.raises(NotFound):
        services.application_submit(actor=other_provider_user, application=app)
    with pytest.raises(NotFound):
        services.application_update(actor=other_provider_user, application=app, cost_eur="20000")
    app.refresh_from_db()
    assert app.status == Status.DRAFT


@pytest.mark.django_db
def test_full_flow_writes_history_and_decision(make_application, reviewer, funded):
    app = make_application("submitted")
    services.info_request(actor=reviewer, application=app, question="Jaarrekening 2024?")
    services.info_answer(actor=app.created_by, application=app, answer="In bijlage.")
    decision = services.decision_record(
        actor=reviewer, application=app, outcome="approved", note="ok"
    )
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert decision.outcome == Decision.Outcome.APPROVED
    steps = list(app.history.values_list("from_status", "to_status"))
    assert steps == [
        ("", "draft"),
        ("draft", "awaiting_confirmation"),
        ("awaiting_confirmation", "submitted"),  # the enterprise confirmed
        ("submitted", "info_requested"),
        ("info_requested", "submitted"),
        ("submitted", "approved"),
    ]


@pytest.mark.django_db
def test_rejection_needs_a_reason(make_application, reviewer):
    app = make_application("submitted")
    with pytest.raises(ValidationFailed) as exc:
        services.decision_record(actor=reviewer, application=app, outcome="rejected", reasons=[])
    assert exc.value.code == "REASON_REQUIRED"
    with pytest.raises(ValidationFailed) as exc:
        services.decision_record(
            actor=reviewer, application=app, outcome="rejected", reasons=["NOPE"]
        )
    assert exc.value.field == "reasons"
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    decision = services.decision_record(
        actor=reviewer, application=app, outcome="rejected", reasons=["NOT_SME", "OTHER"], note="x"
    )
    assert sorted(decision.reasons.values_list("code", flat=True)) == ["NOT_SME", "OTHER"]


@pytest.mark.django_db
def test_reference_format_and_uniqueness_per_year(make_application):
    with time_machine.travel(date(2031, 3, 2)):
        a = make_application("draft")
        b = make_application("draft")
    with time_machine.travel(date(2032, 1, 4)):
        c = make_application("draft")
    pattern = re.compile(r"^CS-(\d{4})-(\d{5})$")
    (year_a, n_a), (year_b, n_b), (year_c, _) = (
        pattern.match(x.reference).groups() for x in (a, b, c)
    )
    assert (year_a, year_b, year_c) == ("2031", "2031", "2032")
    assert int(n_b) == int(n_a) + 1


@pytest.mark.django_db
def test_reference_skips_numbers_taken_by_imported_history(make_application):
    with time_machine.travel(date(2033, 3, 2)):
        first = make_application("draft")
        number = int(first.reference.rsplit("-", 1)[1])
        Application.objects.filter(pk=first.pk).update(reference=f"CS-2033-{number + 1:05d}")
        second = make_application("draft")
    assert second.reference == f"CS-2033-{number + 2:05d}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "rate", "subsidy"),
    [
        (date(2022, 12, 31), Decimal("45.00"), Decimal("10800.00")),
        (date(2023, 1, 1), Decimal("50.00"), Decimal("12000.00")),
    ],
)
def test_subsidy_at_the_policy_boundary(make_application, day, rate, subsidy):
    with time_machine.travel(day):
        app = make_application("submitted", cost_eur="24000.00")
    assert app.submitted_on == day
    assert app.rate_pct == rate
    assert app.subsidy_eur == subsidy
    assert app.policy.valid_from == (date(2021, 1, 1) if day.year == 2022 else date(2023, 1, 1))


@pytest.mark.django_db
def test_subsidy_rounds_half_up_to_the_cent(make_application):
    with time_machine.travel(date(2022, 6, 1)):
        app = make_application("submitted", cost_eur="33333.33")
    assert app.subsidy_eur == Decimal("15000.00")


@pytest.mark.django_db
def test_due_date_and_pause_through_the_services(make_application, reviewer, funded):
    with time_machine.travel(date(2023, 1, 2)):
        app = make_application("submitted")
    assert app.decision_due_on == date(2023, 1, 16)
    with time_machine.travel(date(2023, 1, 4)):
        services.info_request(actor=reviewer, application=app, question="Cijfers?")
    app.refresh_from_db()
    assert app.paused_since == date(2023, 1, 4)
    with time_machine.travel(date(2023, 1, 9)):
        services.info_answer(actor=app.created_by, application=app, answer="Zie bijlage")
    app.refresh_from_db()
    assert app.paused_since is None
    assert app.decision_due_on == date(2023, 1, 19)
    with time_machine.travel(date(2023, 1, 19)):
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    app.refresh_from_db()
    assert app.processing_working_days == 10
    assert app.paused_working_days == 3


@pytest.mark.django_db
def test_withdraw_and_stop(make_application, reviewer):
    app = make_application("approved")
    services.application_withdraw(actor=app.created_by, application=app)
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    other = make_application("approved")
    with pytest.raises(ValidationFailed):
        services.application_stop(actor=reviewer, application=other, reasons=[])
    services.application_stop(
        actor=reviewer, application=other, reasons=["NOT_SME"], note="geen kmo"
    )
    other.refresh_from_db()
    assert other.status == Status.STOPPED
    assert other.decisions.last().outcome == Decision.Outcome.STOPPED


@pytest.mark.django_db
def test_only_providers_file_and_edit(make_application, reviewer, provider):
    with pytest.raises(PermissionDenied):
        services.application_create(
            actor=reviewer, provider=provider, **filing_fields(package="PLUS", cost_eur="20000")
        )
    app = make_application("submitted")
    with pytest.raises(TransitionNotAllowed):
        services.application_update(actor=app.created_by, application=app, cost_eur="20000")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error_field"),
    [
        ("enterprise_number", "0403.170.702", "enterprise_number"),
        ("postal_code", "99", "postal_code"),
        ("package", "GOLD", "package"),
        ("package", "EXTENSION", "package"),
        ("extensions", ["PLUS"], "extensions[0]"),
        ("cost_eur", "abc", "cost_eur"),
        ("cost_eur", "-1", "cost_eur"),
        ("enterprise_kind", "vzw", "enterprise_kind"),
        ("declaration", {"public_participation_pct": 140}, "declaration.public_participation_pct"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(make_application, field, value, error_field):
    before = Application.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        make_application("draft", **{field: value})
    assert exc.value.field == error_field
    assert Application.objects.count() == before


@pytest.mark.django_db
def test_former_package_names_resolve_to_todays_code(make_application):
    assert make_application("draft", package="light").package.code == "MEDIUM"
    assert make_application("draft", package="BASIS").package.code == "PLUS"
    assert make_application("draft", package="Check&Plan").package.code == "CHECK_PLAN"
    app = make_application("draft", extensions=["uitbreidingspakket"])
    assert list(app.extensions.values_list("code", flat=True)) == ["EXTENSION"]


@pytest.mark.django_db
def test_audit_events_are_written_and_never_changed(make_application, reviewer):
    app = make_application("submitted")
    actions = list(
        AuditEvent.objects.filter(object_id=app.reference).values_list("action", flat=True)
    )
    assert "application.create" in actions and "application.submit" in actions
    event = AuditEvent.objects.filter(object_id=app.reference).first()
    event.action = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "application.create"
    history = app.history.first()
    with pytest.raises(TypeError):
        history.save()


@pytest.mark.django_db
def test_edit_of_a_draft_is_audited_with_before_and_after(make_application):
    app = make_application("draft", cost_eur="20000.00")
    services.application_update(actor=app.created_by, application=app, cost_eur="21000.00")
    event = AuditEvent.objects.filter(object_id=app.reference, action="application.edit").get()
    assert event.before["cost_eur"] == "20000.00"
    assert event.after["cost_eur"] == "21000.00"


@pytest.mark.django_db
def test_deciding_a_draft_is_a_transition_error_not_a_crash(make_application, reviewer):
    app = make_application("draft")
    with pytest.raises(TransitionNotAllowed):
        services.decision_record(actor=reviewer, application=app, outcome="approved")
    app.refresh_from_db()
    assert app.status == Status.DRAFT and app.decided_on is None


@pytest.mark.django_db
def test_an_open_information_request_is_answered_not_resubmitted(make_application):
    app = make_application("info_requested")
    with pytest.raises(TransitionNotAllowed):
        services.application_submit(actor=app.created_by, application=app)
    app.refresh_from_db()
    assert app.status == Status.INFO_REQUESTED
    assert app.info_requests.get().answered_on is None


def _filing(provider_user, **overrides):
    return services.application_create(
        actor=provider_user, provider=provider_user.service_provider, **filing_fields(**overrides)
    )


@pytest.mark.django_db
def test_filing_with_submit_files_and_submits_in_one_change(provider_user):
    with time_machine.travel(date(2024, 3, 4)):
        app = _filing(provider_user, submit=True)
    app.refresh_from_db()
    # Submitted by the provider, it waits for the enterprise: not yet the agency's.
    assert app.status == Status.AWAITING_CONFIRMATION
    assert app.submitted_on is None and app.decision_due_on is None
    assert app.subsidy_eur == Decimal("12000.00")
    assert app.check_runs.count() == 1
    with time_machine.travel(date(2024, 3, 6)):
        app = confirm(app)
    assert app.status == Status.SUBMITTED
    assert app.submitted_on == date(2024, 3, 6)  # the confirmation date
    assert list(app.history.values_list("from_status", "to_status")) == [
        ("", Status.DRAFT),
        (Status.DRAFT, Status.AWAITING_CONFIRMATION),
        (Status.AWAITING_CONFIRMATION, Status.SUBMITTED),
    ]
    assert app.history.last().actor is None
    assert app.history.last().actor_label == "signatory <an.janssens@voorbeeld-nv.be>"
    # At submission, and again when it reached the agency two days later.
    assert app.check_runs.count() == 2


@pytest.mark.django_db
def test_a_filing_whose_submission_fails_leaves_no_draft(provider_user):
    with time_machine.travel(date(2019, 6, 1)), pytest.raises(NotFound):  # before any policy
        _filing(provider_user, submit=True)
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="application.create").exists()
