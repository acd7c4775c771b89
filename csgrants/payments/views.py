"""Budget managers' screens of the payment orders: the files ready to pay and the batches, one
batch with its approval, exports and the import of finance's answer, and the providers' bank
accounts with their four-eyes approval. Reviewers and analysts read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from csgrants.catalogue.models import ServiceProvider
from csgrants.core.errors import DomainError
from csgrants.core.permissions import STAFF, role_required
from csgrants.payments import services
from csgrants.payments.models import BankAccount, PaymentBatch


def message_for(error: DomainError) -> str:
    # web.errors sits above this app (docs/architecture.md layers): the service's own message.
    return str(error.message)


read_required = role_required(*STAFF)
manager_required = role_required("budget_manager", "admin")

EXPORTS = {
    "csv": ("text/csv; charset=utf-8", "csv", services.batch_csv),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        services.batch_xlsx,
    ),
    "pain001": ("application/xml", "xml", services.batch_pain001),
}
# Only the three known formats reach the view (urls: <str:fmt> is checked here).


@read_required
def overview(request):
    return render(
        request,
        "payments/overview.html",
        {
            "payable": list(services.payable_files()[:500]),
            "batches": list(
                PaymentBatch.objects.select_related("prepared_by", "approved_by")[:100]
            ),
        },
    )


@require_POST
@manager_required
def prepare(request):
    try:
        batch = services.batch_prepare(actor=request.user)
    except DomainError as exc:
        messages.error(request, message_for(exc))
        return redirect("payments:overview")
    messages.success(request, _("The batch was prepared; a second budget manager approves it."))
    return redirect("payments:batch", pk=batch.pk)


@read_required
def batch(request, pk):
    batch = get_object_or_404(PaymentBatch, pk=pk)
    return render(
        request,
        "payments/batch.html",
        {
            "batch": batch,
            "lines": list(batch.lines.select_related("application", "bank_account")),
            "can_approve": batch.status == PaymentBatch.BatchStatus.PREPARED
            and batch.prepared_by_id != request.user.pk,
        },
    )


@require_POST
@manager_required
def approve(request, pk):
    batch = get_object_or_404(PaymentBatch, pk=pk)
    try:
        services.batch_approve(actor=request.user, batch=batch)
        messages.success(
            request, _("The batch was approved; export it for the finance department.")
        )
    except DomainError as exc:
        messages.error(request, message_for(exc))
    return redirect("payments:batch", pk=pk)


@manager_required
def export(request, pk, fmt):
    batch = get_object_or_404(PaymentBatch, pk=pk)
    if fmt not in EXPORTS:
        raise Http404
    content_type, extension, build = EXPORTS[fmt]
    try:
        content = build(batch)
    except DomainError as exc:
        messages.error(request, message_for(exc))
        return redirect("payments:batch", pk=pk)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.{extension}"'
    return response


@require_POST
@manager_required
def answer(request, pk):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the answer file of the finance department."))
        return redirect("payments:batch", pk=pk)
    try:
        result = services.batch_answer_import(
            actor=request.user, text=upload.read().decode("utf-8-sig")
        )
    except (DomainError, UnicodeDecodeError) as exc:
        messages.error(request, message_for(exc) if isinstance(exc, DomainError) else str(exc))
        return redirect("payments:batch", pk=pk)
    messages.success(
        request,
        _("Paid: %(paid)s; failed: %(failed)s; lines not matched: %(unmatched)s.")
        % {
            "paid": result["paid"],
            "failed": result["failed"],
            "unmatched": ", ".join(map(str, result["unmatched"])) or "-",
        },
    )
    return redirect("payments:batch", pk=pk)


@read_required
def accounts(request):
    return render(
        request,
        "payments/accounts.html",
        {
            "accounts": list(
                BankAccount.objects.select_related("provider", "proposed_by", "decided_by")[:300]
            ),
            "providers": list(ServiceProvider.objects.order_by("name")),
            "values": request.POST if request.method == "POST" else {},
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@require_POST
@manager_required
def account_propose(request):
    data = request.POST
    provider = ServiceProvider.objects.filter(pk=_int(data.get("provider"))).first()
    if provider is None:
        messages.error(request, _("Choose the service provider."))
        return redirect("payments:accounts")
    try:
        services.bank_account_propose(
            actor=request.user,
            provider=provider,
            holder=data.get("holder", ""),
            iban=data.get("iban", ""),
            bic=data.get("bic", ""),
            street=data.get("street", ""),
            building_number=data.get("building_number", ""),
            postal_code=data.get("postal_code", ""),
            town=data.get("town", ""),
            country=data.get("country", "BE"),
        )
    except DomainError as exc:
        messages.error(request, message_for(exc))
        return redirect("payments:accounts")
    messages.success(request, _("The bank account was proposed; a second person approves it."))
    return redirect("payments:accounts")


@require_POST
@manager_required
def account_decide(request, pk):
    account = get_object_or_404(BankAccount, pk=pk)
    try:
        services.bank_account_decide(
            actor=request.user, account=account, approve=request.POST.get("approve") == "1"
        )
        messages.success(request, _("The decision on the bank account was recorded."))
    except DomainError as exc:
        messages.error(request, message_for(exc))
    return redirect("payments:accounts")
