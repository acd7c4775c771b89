"""Services that change applications. Each is the one entry point for its change: it opens the
transaction, checks the workflow table and permissions, writes history and audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from csgrants.accounts.models import Role
from csgrants.applications import events
from csgrants.applications.access import ensure_can_see, role_of
from csgrants.applications.checks import (
    ChecksChanged,
    enterprise_files_lock,
    latest_run,
    newly_failed,
    run_checks,
)
from csgrants.applications.models import (
    Application,
    CheckRun,
    Decision,
    InfoRequest,
    ReferenceCounter,
    Status,
    StatusChange,
)
from csgrants.applications.statuses import EDITABLE_STATUSES, UNDECIDED_STATUSES
from csgrants.applications.workflow import transition_for
from csgrants.budgets import services as budgets
from csgrants.catalogue import bounds
from csgrants.catalogue.models import EnterpriseKind, Package, ReasonCode
from csgrants.catalogue.pricing import price
from csgrants.catalogue.selectors import package_resolve
from csgrants.core import clock
from csgrants.core.audit import actor_label, actor_user, audit_record, snapshot
from csgrants.core.calendar import default_calendar
from csgrants.core.errors import (
    Conflict,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from csgrants.core.internals import set_prefetched
from csgrants.core.money import money_argument
from csgrants.core.reference import cached
from csgrants.core.transactions import insert_if_absent, service_atomic
from csgrants.enterprises.services import enterprise_for_filing, enterprise_values

AUDIT_FIELDS = [
    "reference",
    "status",
    "provider",
    "enterprise",
    "enterprise_name",
    "enterprise_kind",
    "postal_code",
    "province",
    "package",
    "current_package",
    "cost_eur",
    "rate_pct",
    "subsidy_eur",
    "policy",
    "submitted_on",
    "decision_due_on",
    "paused_since",
    "decided_on",
    "closed_on",
    "signatory_name",
    "signatory_email",
    "signatory_capacity",
    "language",
]


# The related rows every service reads, loaded with the file when a service locks it (submission
# alone would otherwise fetch them one by one); the API's details of a returned file rely on it.
LOCKED_WITH = ("provider", "enterprise", "package", "current_package")


def _lock(application: Application) -> Application:
    # Only the application's row is locked, not the related rows read with it.
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related(*LOCKED_WITH)
        .get(pk=application.pk)
    )


def application_lock(application: Application) -> Application:
    """The file reloaded with its row locked, for services of other modules (the confirmation)
    that run inside their own `service_atomic`."""
    return _lock(application)


def _today() -> date:
    return clock.today()


REFERENCE_DIGITS = 5  # CS-2026-00042


def next_reference(year: int) -> str:
    prefix = f"CS-{year}-"
    if connection.vendor == "postgresql":
        # A sequence per year hands out numbers without holding a row lock until commit, so
        # concurrent filings do not queue behind each other; a rolled-back filing leaves a gap,
        # which a reference may have. The function creates the year's sequence on its first
        # filing (migration applications 0006) and skips numbers taken by imported history
        # (0008), all in one round trip.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT csgrants_next_free_reference_number(%s, %s, %s)",
                [int(year), prefix, REFERENCE_DIGITS],
            )
            return f"{prefix}{cursor.fetchone()[0]:0{REFERENCE_DIGITS}d}"
    while True:
        reference = f"{prefix}{_counted_number(year):0{REFERENCE_DIGITS}d}"
        # Imported history may already hold references of the same form.
        if not Application.objects.filter(reference=reference).exists():
            return reference


def _counted_number(year: int) -> int:
    # SQLite serialises writers anyway: a counter row is enough.
    insert_if_absent(ReferenceCounter(year=year, last=0), unique=("year",))
    counter = ReferenceCounter.objects.select_for_update().get(pk=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def authorize_transition(*, actor, application: Application, to_status: str):
    """The table's verdict for this actor and step; raises when it is not allowed. Services call
    it before any work that only makes sense for an allowed step."""
    ensure_can_see(actor, application)
    transition = transition_for(application.status, to_status)
    if transition is None:
        raise TransitionNotAllowed(
            _("%(from)s -> %(to)s is not a step of the workflow")
            % {"from": application.status, "to": to_status},
            code="TRANSITION_NOT_ALLOWED",
        )
    if role_of(actor) not in transition.roles:
        raise PermissionDenied(
            _("A %(role)s may not take the step %(step)s on an application.")
            % {"role": role_of(actor), "step": transition.name}
        )
    return transition


def application_transition(
    *, actor, application: Application, to_status: str, note: str = "", on: date | None = None
) -> Application:
    """Move a locked application to `to_status` if the table allows it for the actor's role.
    Callers hold the transaction and the row lock."""
    transition = authorize_transition(actor=actor, application=application, to_status=to_status)
    before = snapshot(application, AUDIT_FIELDS)
    from_status = application.status
    application.status = to_status
    application.save()
    now = timezone.now()
    StatusChange.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        # The enterprise's signatory is no user: the label names it.
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        at=now,
        on=on or _today(),
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"application.{transition.name}",
        obj=application,
        before=before,
        after=snapshot(application, AUDIT_FIELDS),
    )
    return application


# --- drafts -----------------------------------------------------------------------------------


def _kind_codes() -> frozenset[str]:
    return frozenset(EnterpriseKind.objects.values_list("code", flat=True))


def _validate_kind(kind: str) -> str:
    if kind not in cached("kinds", _kind_codes):
        raise ValidationFailed(
            _("Unknown enterprise kind %(kind)s.") % {"kind": repr(kind)}, field="enterprise_kind"
        )
    return kind


def _validate_declaration(declaration) -> dict:
    from csgrants.applications.declaration import validate_declaration

    return validate_declaration(declaration)


def _resolve_extensions(codes) -> list[Package]:
    result = []
    for i, code in enumerate(codes or []):
        try:
            result.append(package_resolve(code, extension=True))
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, code=exc.code, field=f"extensions[{i}]")
    return result


@service_atomic
def application_create(
    *,
    actor,
    provider,
    enterprise_number: str,
    enterprise_name: str,
    enterprise_kind: str,
    postal_code: str,
    package: str,
    cost_eur,
    extensions=(),
    declaration=None,
    signatory=None,
    submit: bool = False,
    submission_token: UUID | None = None,
) -> Application:
    """File a draft; with `submit`, submit it in the same transaction, so that a failed
    submission leaves no stray draft.

    A provider holds at most one undecided file per enterprise (UNDECIDED_STATUSES): a second
    one is refused with OPEN_FILE_EXISTS, naming the first, so that a double submit makes one
    file (issue 20). `submission_token` is the one-time token of the web form: the same form
    sent again returns the file it made the first time, as the first answer did."""
    if role_of(actor) != Role.PROVIDER:
        raise PermissionDenied(_("Only a service provider files applications."))
    if actor.service_provider_id != provider.pk:
        raise PermissionDenied(_("A provider user files only for its own provider."))
    kind = _validate_kind(enterprise_kind)
    main = package_resolve(package, extension=False)
    exts = _resolve_extensions(extensions)
    cost = _filed_cost(cost_eur, policy=bounds.policy_on(_today()))
    decl = _validate_declaration(declaration or {})
    signatory_fields = _validate_signatory(signatory, provider)
    # The file keeps what was typed; the shared record is only created when new.
    enterprise, filed = enterprise_for_filing(
        actor=actor,
        number=enterprise_number,
        name=enterprise_name,
        kind=kind,
        postal_code=postal_code,
    )
    # Filings for one enterprise take turns: the second of two simultaneous sends sees the
    # first's file below.
    enterprise_files_lock(enterprise.pk)
    if submission_token is not None:
        earlier = (
            Application.objects.filter(submission_token=submission_token)
            .select_related(*LOCKED_WITH)
            .first()
        )
        if earlier is not None:
            return _same_submission(earlier, provider=provider, enterprise=enterprise)
    undecided = (
        Application.objects.filter(
            provider=provider, enterprise=enterprise, status__in=UNDECIDED_STATUSES
        )
        .values_list("reference", flat=True)
        .first()
    )
    if undecided is not None:
        raise Conflict(
            _(
                "Your organisation already has a file for this enterprise that is not decided "
                "yet: %(reference)s. Continue that file, or withdraw it before filing anew."
            )
            % {"reference": undecided},
            code="OPEN_FILE_EXISTS",
            field="enterprise_number",
        )
    application = Application.objects.create(
        reference=next_reference(_today().year),
        provider=provider,
        enterprise=enterprise,
        enterprise_name=filed["name"],
        enterprise_kind=kind,
        postal_code=filed["postal_code"],
        province=filed["province"],
        package=main,
        current_package=main,
        cost_eur=cost,
        declaration=decl,
        created_by=actor,
        submission_token=submission_token,
        **signatory_fields,
    )
    if exts:  # a new file has none yet: set() would first read them to compute a difference
        application.extensions.add(*exts)
    StatusChange.objects.create(
        application=application,
        from_status="",
        to_status=Status.DRAFT,
        actor=actor,
        actor_label=actor_label(actor),
        at=timezone.now(),
        on=_today(),
    )
    audit_record(
        actor=actor,
        action="application.create",
        obj=application,
        after=snapshot(application, AUDIT_FIELDS),
    )
    if submit:
        # A row inserted by this transaction is seen by no other: there is no lock to take,
        # and the file and its related rows are all in hand.
        application, run = _submit_locked(actor=actor, application=application)
        # A new file has exactly this one check run: whoever shows the file next (the API's
        # answer) need not read it back.
        set_prefetched(application, "check_runs", [run])
    return application


def _filed_cost(cost_eur, *, policy) -> Decimal:
    """The quoted cost of package and extensions, within the policy's range (catalogue.bounds):
    0, negative and absurd amounts never make a file, not even a draft."""
    return bounds.check_cost(money_argument(cost_eur, field="cost_eur"), policy=policy)


def _same_submission(earlier: Application, *, provider, enterprise) -> Application:
    """The file an earlier send of the same form made, when it was filed for the same."""
    if earlier.provider_id != provider.pk or earlier.enterprise_id != enterprise.pk:
        raise ValidationFailed(
            _("This form was already sent for another enterprise. Open a new form to file anew."),
            code="SUBMISSION_REUSED",
        )
    return earlier


EDITABLE = {
    "enterprise_name",
    "enterprise_kind",
    "postal_code",
    "package",
    "extensions",
    "cost_eur",
    "declaration",
    "signatory",
}


def _validate_signatory(signatory, provider) -> dict:
    """The model fields of a signatory block; {} when none is given (a draft may lack one)."""
    from csgrants.applications.confirmation import validate_signatory

    if signatory is None:
        return {}
    return validate_signatory(signatory, provider=provider)


@service_atomic
def application_update(*, actor, application: Application, **changes) -> Application:
    """Edit a draft, or correct a file while an information request is open."""
    application = _lock(application)
    ensure_can_see(actor, application)
    if role_of(actor) != Role.PROVIDER:
        raise PermissionDenied(_("Only the service provider edits its application."))
    if application.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("Only a draft or a file with an open information request can be edited.")
        )
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    before = snapshot(application, AUDIT_FIELDS)
    before["declaration"] = application.declaration
    if {"enterprise_name", "enterprise_kind", "postal_code"} & set(changes):
        # The file's own values; the shared enterprise record is not the provider's to change.
        filed = enterprise_values(
            name=changes.get("enterprise_name", application.enterprise_name),
            kind=_validate_kind(changes.get("enterprise_kind", application.enterprise_kind)),
            postal_code=changes.get("postal_code", application.postal_code),
        )
        application.enterprise_name = filed["name"]
        application.enterprise_kind = filed["kind"]
        application.postal_code = filed["postal_code"]
        application.province = filed["province"]
    if "package" in changes:
        application.package = application.current_package = package_resolve(
            changes["package"], extension=False
        )
    if "cost_eur" in changes:
        # A file with an open information request stays judged under its policy version.
        policy = (
            application.policy
            if application.status == Status.INFO_REQUESTED and application.policy_id
            else bounds.policy_on(_today())
        )
        application.cost_eur = _filed_cost(changes["cost_eur"], policy=policy)
    if "declaration" in changes:
        application.declaration = _validate_declaration(changes["declaration"] or {})
    if "extensions" in changes:
        application.extensions.set(_resolve_extensions(changes["extensions"]))
    if "signatory" in changes:
        fields = _validate_signatory(changes["signatory"], application.provider) or {
            "signatory_name": "",
            "signatory_email": "",
            "signatory_capacity": "",
        }
        for name, value in fields.items():
            setattr(application, name, value)
    if application.status == Status.INFO_REQUESTED and application.policy_id:
        assert application.submitted_on is not None  # a file with a request was submitted
        _price(application, application.submitted_on)
    application.save()
    after = snapshot(application, AUDIT_FIELDS)
    after["declaration"] = application.declaration
    audit_record(
        actor=actor, action="application.edit", obj=application, before=before, after=after
    )
    return application


# --- submission and the decision clock -----------------------------------------------------


def _price(application: Application, on: date) -> None:
    """Record the policy in force on `on`, its rate and the subsidy (catalogue.pricing)."""
    priced = price(
        enterprise_kind=application.enterprise_kind, cost_eur=application.cost_eur, on=on
    )
    application.policy = priced.policy
    application.rate_pct = priced.rate_pct
    application.subsidy_eur = priced.subsidy_eur


def subsidy_preview(
    *, enterprise_kind: str, cost_eur: Decimal, on: date | None = None
) -> tuple[Decimal | None, Decimal | None]:
    """(rate, subsidy) that a file would get if submitted on `on`; for live previews."""
    priced = price(enterprise_kind=enterprise_kind, cost_eur=cost_eur, on=on or _today())
    return priced.rate_pct, priced.subsidy_eur


def _paused_intervals(application: Application) -> list[tuple[date, date]]:
    from csgrants.applications.confirmation import paused_for_reconfirmation

    if application.status == Status.DRAFT or application.submitted_on is None:
        return []  # information requests only exist once a file has been submitted
    since = application.submitted_on
    # A file the enterprise took back and confirmed again starts afresh: earlier pauses belong
    # to its earlier submission.
    return [
        (r.requested_on, r.answered_on)
        for r in application.info_requests.all()
        if r.answered_on is not None and r.requested_on >= since
    ] + [(a, b) for a, b in paused_for_reconfirmation(application) if a >= since]


def _recompute_due(application: Application) -> None:
    term = application.policy.decision_term_working_days if application.policy else 10
    assert application.submitted_on is not None  # the clock starts at submission
    application.decision_due_on = default_calendar().due_date(
        application.submitted_on, term, _paused_intervals(application)
    )


@service_atomic
def application_submit(*, actor, application: Application) -> Application:
    return _submit_locked(actor=actor, application=_lock(application))[0]


def _submit_locked(*, actor, application: Application) -> tuple[Application, CheckRun]:
    """Submit a draft whose row the caller's transaction holds: it now waits for the
    enterprise's confirmation (applications.confirmation), which mails the signatory its link.
    Returns the file and the check run of its submission (the provider sees the checks at once;
    they run again when the file reaches the agency)."""
    from csgrants.applications.confirmation import confirmation_request_issue, require_signatory

    today = _today()
    ensure_can_see(actor, application)
    if application.status != Status.DRAFT:
        # A file with an open information request goes back through `info_answer`, which
        # closes the request and restarts the clock.
        raise TransitionNotAllowed(
            _("Only a draft can be submitted (status %(status)s).") % {"status": application.status}
        )
    authorize_transition(
        actor=actor, application=application, to_status=Status.AWAITING_CONFIRMATION
    )
    require_signatory(application)
    # Priced as of today so that the enterprise reads the subsidy; the checks read the file as
    # if submitted today. It counts as submitted (submitted_on, the statistics, the decision
    # term) only once the enterprise confirmed.
    application.submitted_on = today
    _price(application, today)
    run = run_checks(application=application, actor=actor)
    application.submitted_on = None
    application.decision_due_on = None
    application_transition(
        actor=actor, application=application, to_status=Status.AWAITING_CONFIRMATION
    )
    confirmation_request_issue(actor=actor, application=application, reconfirmation=False)
    return application, run


def application_price_for_review(application: Application, on: date) -> None:
    """Price a file waiting for its enterprise as it will be when it reaches the agency on
    `on`: a first confirmation is its submission date, a re-confirmation keeps the original."""
    _price(application, application.submitted_on or on)


def application_enter_review(*, actor, application: Application, on: date) -> Application:
    """The enterprise confirmed: the file reaches the agency. The first confirmation is the
    submission date from which the decision term runs; a re-confirmation after a change keeps
    it, the wait counting as a pause. Called by confirmation_confirm under the row lock."""

    first = application.submitted_on is None
    submitted_on = on if application.submitted_on is None else application.submitted_on
    application.submitted_on = submitted_on
    _price(application, submitted_on)
    application.paused_since = None
    _recompute_due(application)
    assert application.policy is not None  # priced above
    straight_through = application.policy.straight_through
    if straight_through:
        # An approval may follow at once: its checks read the enterprise's other files with
        # their approvals taking turns, as a reviewer's approval does (decision_record).
        enterprise_files_lock(application.enterprise_id)
    latest = application.check_runs.order_by("-run_at", "-id").first()
    if (
        first
        and not straight_through
        and latest is not None
        and timezone.localdate(latest.run_at) == on
        and latest.policy_id == application.policy_id
    ):
        # Confirmed the day it was submitted: the submission's checks judged this very file on
        # this date under this policy; a second identical run would only add noise.
        run = latest
    else:
        # The checks read the file as priced in hand, so they run before its row is written:
        # that write moves the file into the statistics summaries (reporting.summaries), whose
        # row for the provider's package and province every concurrent filing of it must also
        # update. The later that lock is taken, the shorter the other filings wait.
        run = run_checks(application=application, actor=actor)
    application_transition(actor=actor, application=application, to_status=Status.SUBMITTED, on=on)
    if first:
        events.announce("submitted", application)
    if straight_through and run.all_passed:
        decision = decision_record(
            actor=None,
            application=application,
            outcome=Decision.Outcome.APPROVED,
            note="straight-through: every automated check passed",
            checks=run,
        )
        application = decision.application  # the approved state, not the submitted one
    return application


def application_back_to_draft(*, actor, application: Application, note: str) -> Application:
    """Back to the provider as a draft: the enterprise withdrew its confirmation, or the provider
    recalled a file still waiting for it. Open links stop working; the file no longer counts as
    submitted, and an open information request closes with it."""
    today = _today()
    now = timezone.now()
    application.confirmation_requests.filter(
        used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now)
    application.info_requests.filter(answered_on__isnull=True).update(
        answered_on=today, answer=f"({note})"
    )
    application.submitted_on = None
    application.decision_due_on = None
    application.paused_since = None
    return application_transition(
        actor=actor, application=application, to_status=Status.DRAFT, note=note, on=today
    )


@service_atomic
def info_request(*, actor, application: Application, question: str) -> InfoRequest:
    application = _lock(application)
    if not (question or "").strip():
        raise ValidationFailed(_("The question is required."), field="question")
    today = _today()
    request = InfoRequest.objects.create(
        application=application, requested_on=today, requested_by=actor, question=question.strip()
    )
    application.paused_since = today
    application_transition(
        actor=actor, application=application, to_status=Status.INFO_REQUESTED, note=question.strip()
    )
    events.announce("info_requested", request)
    return request


@service_atomic
def info_answer(*, actor, application: Application, answer: str) -> Application:
    """Answer the open request. When the answer changed what the enterprise declared, the file
    waits for its confirmation again (the clock stays paused) instead of resuming."""
    from csgrants.applications.confirmation import (
        confirmation_is_current,
        confirmation_request_issue,
    )

    application = _lock(application)
    ensure_can_see(actor, application)
    if not (answer or "").strip():
        raise ValidationFailed(_("The answer is required."), field="answer")
    request = application.info_requests.filter(answered_on__isnull=True).last()
    if request is None or application.status != Status.INFO_REQUESTED:
        raise TransitionNotAllowed(_("There is no open information request."))
    request.answered_on = _today()
    request.answered_by = actor
    request.answer = answer.strip()
    request.save()
    if not confirmation_is_current(application):
        application_transition(
            actor=actor,
            application=application,
            to_status=Status.AWAITING_CONFIRMATION,
            note=answer.strip(),
        )
        confirmation_request_issue(actor=actor, application=application, reconfirmation=True)
        return application
    application.paused_since = None
    _recompute_due(application)
    run_checks(application=application, actor=actor)  # before the row: see _submit_locked
    application_transition(
        actor=actor, application=application, to_status=Status.SUBMITTED, note=answer.strip()
    )
    return application


# --- decisions -----------------------------------------------------------------------------


def reason_codes_resolve(codes) -> list[ReasonCode]:
    codes = list(dict.fromkeys(codes or []))
    found = {r.code: r for r in ReasonCode.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(
            _("Unknown reason code %(code)s.") % {"code": repr(missing[0])},
            field="reasons",
            code="UNKNOWN_REASON",
        )
    return [found[c] for c in codes]


def decision_record(
    *,
    actor,
    application: Application,
    outcome: str,
    reasons=(),
    note: str = "",
    checks: CheckRun | None = None,
) -> Decision:
    """Approve or reject a submitted file. Approval commits the subsidy against the provider's
    budget in this same transaction; BudgetExhausted rolls everything back.

    The checks run again on the facts of this moment (contracts/api.md): another file for the
    enterprise may have been filed or approved since. An approval whose fresh run fails where
    the previous run did not raises ChecksChanged (CHECKS_CHANGED) with the fresh run stored
    and nothing else changed; the reviewer then decides knowing it, and approving again
    compares with that run. `checks` is a run made in the caller's transaction just before
    (the straight-through approval at confirmation), used instead of a fresh one."""
    result = _decision_record(
        actor=actor,
        application=application,
        outcome=outcome,
        reasons=reasons,
        note=note,
        checks=checks,
    )
    if isinstance(result, ChecksChanged):
        # Raised once the transaction that stored the fresh run has ended: the run stays.
        raise result
    return result


def _checks_changed(run: CheckRun, failed: list) -> ChecksChanged:
    english = (get_language() or "nl").startswith("en")
    listed = "; ".join(f"{r.code}: {r.message_en if english else r.message_nl}" for r in failed)
    return ChecksChanged(
        _(
            "The checks were run again for this decision and now fail where they did not "
            "before: %(checks)s. Nothing was decided; read the new results and decide again "
            "knowing them."
        )
        % {"checks": listed},
        run=run,
        newly_failed=failed,
    )


@service_atomic
def _decision_record(
    *, actor, application: Application, outcome: str, reasons, note: str, checks: CheckRun | None
) -> Decision | ChecksChanged:
    application = _lock(application)
    ensure_can_see(actor, application)
    today = _today()
    reason_objs = reason_codes_resolve(reasons)
    if outcome == Decision.Outcome.REJECTED and not reason_objs:
        raise ValidationFailed(
            _("A rejection needs at least one reason."), field="reasons", code="REASON_REQUIRED"
        )
    if outcome not in (Decision.Outcome.APPROVED, Decision.Outcome.REJECTED):
        raise ValidationFailed(_("The outcome must be approved or rejected."), field="outcome")
    authorize_transition(actor=actor, application=application, to_status=outcome)
    subsidy = application.subsidy_eur
    if outcome == Decision.Outcome.APPROVED and (subsidy is None or subsidy <= 0):
        # Nothing to commit means nothing to pay: such a file is priced first (or refused),
        # whatever else it waits for.
        raise TransitionNotAllowed(
            _("This file has no subsidy; it cannot be approved."), code="NO_SUBSIDY"
        )
    from csgrants.applications.confirmation import require_current_confirmation

    require_current_confirmation(application)
    if checks is None:
        # What the enterprise's other files say now, with their approvals taking turns.
        enterprise_files_lock(application.enterprise_id)
        previous = latest_run(application)
        fresh = run_checks(application=application, actor=actor)
        if outcome == Decision.Outcome.APPROVED:
            failed = newly_failed(previous, fresh)
            if failed:
                return _checks_changed(fresh, failed)
    application.decided_on = today
    paused = _paused_intervals(application)
    calendar = default_calendar()
    assert application.submitted_on is not None  # the table lets only a submitted file be decided
    application.paused_working_days = sum(calendar.working_days_between(a, b) for a, b in paused)
    application.processing_working_days = calendar.elapsed(application.submitted_on, today, paused)
    application_transition(
        actor=actor, application=application, to_status=outcome, note=note, on=today
    )
    if outcome == Decision.Outcome.APPROVED:
        assert subsidy is not None  # refused above
        budgets.budget_commit(
            actor=actor,
            provider=application.provider,
            amount_eur=subsidy,
            on=today,
            application=application,
        )
    decision = Decision.objects.create(
        application=application,
        outcome=outcome,
        decided_on=today,
        decided_by=actor,
        by_system=actor is None,
        note=note,
    )
    decision.reasons.set(reason_objs)
    audit_record(
        actor=actor,
        action=f"decision.{outcome}",
        obj=application,
        after={"outcome": outcome, "reasons": [r.code for r in reason_objs], "note": note},
    )
    events.announce("decision", decision)
    return decision


@service_atomic
def application_withdraw(*, actor, application: Application, note: str = "") -> Application:
    application = _lock(application)
    today = _today()
    application.confirmation_requests.filter(
        used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=timezone.now())
    application.closed_on = today
    application_transition(
        actor=actor, application=application, to_status=Status.WITHDRAWN, note=note, on=today
    )
    budgets.budget_release_application(
        actor=actor, application=application, on=today, note="withdrawn"
    )
    events.announce("withdrawn", application)
    return application


@service_atomic
def application_stop(*, actor, application: Application, reasons, note: str = "") -> Decision:
    """Stop an approved file (e.g. found later not to be an SME): a decision with reasons; the
    committed budget is released."""
    application = _lock(application)
    reason_objs = reason_codes_resolve(reasons)
    if not reason_objs:
        raise ValidationFailed(
            _("A stop needs at least one reason."), field="reasons", code="REASON_REQUIRED"
        )
    today = _today()
    application.closed_on = today
    application_transition(
        actor=actor, application=application, to_status=Status.STOPPED, note=note, on=today
    )
    budgets.budget_release_application(
        actor=actor, application=application, on=today, note="stopped"
    )
    decision = Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.STOPPED,
        decided_on=today,
        decided_by=actor,
        note=note,
    )
    decision.reasons.set(reason_objs)
    events.announce("decision", decision)
    return decision


@service_atomic
def application_start(*, actor, application: Application) -> Application:
    application = _lock(application)
    return application_transition(
        actor=actor, application=application, to_status=Status.IN_PROGRESS
    )


@service_atomic
def application_recheck(*, actor, application: Application):
    """Staff re-run the automated checks (e.g. new information arrived); earlier runs stay."""

    application = _lock(application)
    if role_of(actor) not in (Role.REVIEWER, Role.ADMIN):
        raise PermissionDenied(_("Only reviewers run the checks again."))
    if application.policy_id is None:
        raise TransitionNotAllowed(_("A draft has no checks yet: submit it first."))
    return run_checks(application=application, actor=actor)
