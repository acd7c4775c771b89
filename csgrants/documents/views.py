"""Web screens of the documents: the download of a letter from a file page (the file's provider
and staff; anyone else 404), the staff board of letter renderings that wait or failed, with a
retry, and the correction of a letter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csgrants.applications.models import Application
from csgrants.core.errors import DomainError
from csgrants.core.permissions import STAFF, role_required
from csgrants.documents import selectors, services
from csgrants.documents.models import Letter, LetterJob

staff_required = role_required(*STAFF)
decider_required = role_required("reviewer", "admin")


def _readable_application(request, reference) -> Application:
    application = Application.objects.filter(reference=reference).first()
    if application is None or not selectors.may_read_letters(request.user, application):
        raise Http404
    return application


@login_required
def download(request, reference, letter_id):
    application = _readable_application(request, reference)
    letter = selectors.letter_with_content(application, letter_id)
    if letter is None:
        raise Http404
    response = HttpResponse(bytes(letter.content), content_type="application/pdf")
    filename = f"{application.reference}-{letter.letter_kind}-{letter.language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(letter.size)
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def board(request):
    from csgrants.core import clock
    from csgrants.documents.deminimis import board as register_board

    return render(
        request,
        "documents/board.html",
        {"jobs": list(selectors.letter_jobs_open()[:200]), **register_board(clock.today())},
    )


@require_POST
@decider_required
def retry(request, pk):
    job = get_object_or_404(LetterJob, pk=pk)
    try:
        services.letter_job_retry(actor=request.user, job=job)
        messages.success(request, _("The letter was sent back to the worker."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("documents:board")


@require_POST
@decider_required
def correct(request, reference, letter_id):
    application = _readable_application(request, reference)
    letter = get_object_or_404(
        Letter.objects.only("id", "application_id"), pk=letter_id, application=application
    )
    try:
        services.letter_correct(
            actor=request.user, letter=letter, note=request.POST.get("note", "")
        )
        messages.success(
            request, _("A corrected letter is being prepared; the old one stays as it was.")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("web:review", reference=reference)
