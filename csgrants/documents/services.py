"""Services of the decision letters.

- `letter_request` runs inside the decision's transaction (the notification seam calls it for
  the events that state a decision, `notifications.hooks`): it writes a `LetterJob` and enqueues
  its rendering, which the worker runs only once the decision has committed. A decision
  therefore never waits for a PDF, and a rendering that fails cannot undo it.
- `letter_job_run` (the task) renders the letters of a job, one per language its recipients
  read, stores each write-once with its SHA-256, and announces `letter_ready`, upon which the
  notification seam sends the decision mail, which names the letter and its hash. A failure is recorded on the job and retried later (three attempts,
  spaced) and stays on the staff board, where staff can retry it by hand.
- `letter_correct` issues a correction: a new letter that names the one it replaces.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from csgrants.accounts.models import Role
from csgrants.core.audit import audit_record
from csgrants.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from csgrants.core.transactions import service_atomic
from csgrants.documents.letters import render_letter
from csgrants.documents.models import Letter, LetterJob, LetterKind

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=5)  # times the attempt number
CORRECTORS = frozenset({Role.REVIEWER, Role.ADMIN})

# The mail events that state a decision, and which letter each one's object gets.
LETTER_EVENTS = ("decision", "amendment_decided", "payment")
LETTER_READY = "letter_ready"  # announced with the LetterJob once its letters are stored


def _kind_of(event: str, obj) -> str:
    if event == "payment":
        return LetterKind.PAYMENT
    if event == "amendment_decided":
        return LetterKind.AMENDMENT
    return {
        "approved": LetterKind.APPROVAL,
        "rejected": LetterKind.REJECTION,
        "stopped": LetterKind.STOP,
    }[obj.outcome]


def letter_request(*, event: str, obj, languages=("nl",)) -> LetterJob:
    """Called in the transaction of the decision (or payment) `obj` of the mail `event`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a letter is requested inside the transaction of its decision")
    application = obj.application
    job = LetterJob.objects.create(
        application=application,
        kind=_kind_of(event, obj),
        decision=obj if event != "payment" else None,
        payment=obj if event == "payment" else None,
        event=event,
        languages=",".join(languages),
        requested_at=timezone.now(),
    )
    _enqueue_after_commit(job.pk)
    return job


def _enqueue_after_commit(job_pk: int, run_after=None) -> None:
    from django_tasks_db.backend import DatabaseBackend

    from csgrants.documents.tasks import render_letters

    task = render_letters
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    if isinstance(task.get_backend(), DatabaseBackend):
        # The queue is a table of the same database: the task row commits with the decision
        # (see notifications.hooks).
        task.enqueue(job_pk)
    else:
        transaction.on_commit(lambda: task.enqueue(job_pk))


def letter_store(*, job: LetterJob, language: str, content: bytes, sha256: str, title: str):
    """Write one rendered letter, once. The job's letter in that language, if already stored
    by an earlier attempt, is kept as it is."""
    existing = job.letters.filter(language=language).first()
    if existing is not None:
        return existing
    return Letter.objects.create(
        application=job.application,
        letter_kind=job.kind,
        job=job,
        language=language,
        title=title,
        content=content,
        sha256=sha256,
        size=len(content),
        replaces=_replaced_in(job, language),
        created_at=job.requested_at,
    )


def _replaced_in(job: LetterJob, language: str):
    if job.replaces is None:
        return None
    if job.replaces.language == language:
        return job.replaces
    return None


def _job_for_update(job_pk: int) -> LetterJob | None:
    return (
        LetterJob.objects.select_for_update(of=("self",))
        .select_related(
            "application__provider",
            "application__enterprise",
            "application__package",
            "application__current_package",
            "decision__amendment__package",
            "payment",
            "replaces",
        )
        .filter(pk=job_pk)
        .first()
    )


def letter_job_run(job_pk: int) -> str:
    """Render and store the job's letters, then send its mail. Returns the job's status."""
    from csgrants.applications import events

    with transaction.atomic():
        job = _job_for_update(job_pk)
        if job is None or job.status == LetterJob.JobStatus.DONE:
            return job.status if job else "missing"
        try:
            for language in job.language_list:
                if job.letters.filter(language=language).exists():
                    continue
                rendered = render_letter(job, language)
                with transaction.atomic():
                    letter_store(
                        job=job,
                        language=language,
                        content=rendered.content,
                        sha256=rendered.sha256,
                        title=rendered.title,
                    )
        except Exception as exc:  # any failure of the renderer: record it, retry later
            logger.exception("letter job %s failed", job_pk)
            job.attempts += 1
            job.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            job.status = (
                LetterJob.JobStatus.PENDING
                if job.attempts < MAX_ATTEMPTS
                else LetterJob.JobStatus.FAILED
            )
            job.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            if job.status == LetterJob.JobStatus.PENDING and _can_defer():
                _enqueue_after_commit(job.pk, run_after=timezone.now() + RETRY_AFTER * job.attempts)
            return job.status
        job.attempts += 1
        job.status = LetterJob.JobStatus.DONE
        job.last_error = ""
        job.save(update_fields=["attempts", "last_error", "status", "updated_at"])
        if job.event:
            events.announce(LETTER_READY, job)
        return job.status


def _can_defer() -> bool:
    from csgrants.documents.tasks import render_letters

    return render_letters.get_backend().supports_defer


@service_atomic
def letter_job_retry(*, actor, job: LetterJob) -> LetterJob:
    """Staff send a failed (or stuck) rendering back to the worker."""
    if actor is None or actor.effective_role not in CORRECTORS:
        raise PermissionDenied(gettext("Only reviewers and administrators retry a letter."))
    job = LetterJob.objects.select_for_update().get(pk=job.pk)
    if job.status == LetterJob.JobStatus.DONE:
        raise TransitionNotAllowed(gettext("The letters of this decision were rendered."))
    job.status = LetterJob.JobStatus.PENDING
    job.attempts = 0
    job.save(update_fields=["status", "attempts", "updated_at"])
    audit_record(actor=actor, action="letter.retry", obj=job.application, after={"job": job.pk})
    _enqueue_after_commit(job.pk)
    return job


@service_atomic
def letter_correct(*, actor, letter: Letter, note: str) -> LetterJob:
    """Issue a correction of `letter`: the worker renders a new letter of the same decision from
    today's data, which names the one it replaces. The old letter stays as it was."""
    if actor is None or actor.effective_role not in CORRECTORS:
        raise PermissionDenied(gettext("Only reviewers and administrators correct a letter."))
    if not (note or "").strip():
        raise ValidationFailed(gettext("Say what the correction changes."), field="note")
    if (
        Letter.objects.filter(replaces=letter).exists()
        or LetterJob.objects.filter(replaces=letter)
        .exclude(status=LetterJob.JobStatus.FAILED)
        .exists()
    ):
        raise TransitionNotAllowed("this letter was already corrected", code="ALREADY_CORRECTED")
    old = letter.job
    job = LetterJob.objects.create(
        application=letter.application,
        kind=old.kind,
        decision=old.decision,
        payment=old.payment,
        event="",
        languages=letter.language,
        replaces=letter,
        correction_note=note.strip(),
        requested_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="letter.correct",
        obj=letter.application,
        after={"replaces": str(letter.pk), "job": job.pk, "note": job.correction_note},
    )
    _enqueue_after_commit(job.pk)
    return job
