"""Reads for the API. Querysets load everything the serializers touch in a fixed number of
queries, whatever the page size."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from csgrants.accounts.models import Role
from csgrants.applications.access import role_of, visible_applications
from csgrants.applications.models import (
    Amendment,
    Application,
    CheckResult,
    CheckRun,
    Confirmation,
    ConfirmationRequest,
    Decision,
    FinalReport,
    Status,
)
from csgrants.applications.services import LOCKED_WITH
from csgrants.catalogue.models import Package, ReasonCode, Tariff
from csgrants.catalogue.selectors import package_resolve
from csgrants.core.internals import is_prefetched, set_prefetched


def applications_visible_to(user) -> QuerySet[Application]:
    return visible_applications(user)


def applications_for_api(
    user, *, status=None, year=None, package=None, province=None
) -> QuerySet[Application]:
    qs = applications_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(
            Q(submitted_on__year=year) | Q(submitted_on__isnull=True, created_at__year=year)
        )
    if package:
        qs = qs.filter(package=package_resolve(package))
    if province:
        qs = qs.filter(province=province)
    return with_details(qs).order_by("-created_at", "-id")


# What the serializer reads of a file: relation -> the queryset to prefetch it with.
_DETAILS = {
    "extensions": lambda: Package.objects.only("id", "code"),
    "check_runs": lambda: CheckRun.objects.order_by("run_at", "id").prefetch_related(
        Prefetch("results", queryset=CheckResult.objects.order_by("id"))
    ),
    "decisions": lambda: Decision.objects.order_by("created_at", "id").prefetch_related(
        Prefetch("reasons", queryset=ReasonCode.objects.order_by("code"))
    ),
    "amendments": lambda: Amendment.objects.select_related("package"),
    # what the file's actions depend on after its trajectory (applications.actions)
    "final_reports": lambda: FinalReport.objects.only("id", "application_id", "status"),
    "confirmation_requests": lambda: ConfirmationRequest.objects.order_by("requested_at", "id"),
    "confirmations": lambda: Confirmation.objects.order_by("at", "id"),
}


def _detail_prefetches(names=tuple(_DETAILS)) -> list:
    return [Prefetch(name, queryset=_DETAILS[name]()) for name in names]


def with_details(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related(*LOCKED_WITH).prefetch_related(*_detail_prefetches())


def details_of_new(application: Application, *, extensions) -> Application:
    """The details of a file filed in this request (`extensions`: the codes it was filed with),
    its related rows loaded with it (services.LOCKED_WITH). Only what such a file can have is
    read: no amendments or final reports yet, one check run once submitted, a decision once approved straight
    through. A test holds the answer equal to a GET of the file.

    Relations known to be empty are set without a query (a Prefetch of .none() still costs
    most of a real one in Python); the one check run comes with its results in one query, or
    with none when the filing service left it in hand."""
    empty = {"amendments", "final_reports", "confirmations"}
    if application.status == Status.DRAFT:
        empty.add("confirmation_requests")
    if not extensions:
        empty.add("extensions")
    if application.decided_on is None:
        empty.add("decisions")
    for name in empty:
        set_prefetched(application, name, [])
    if not is_prefetched(application, "check_runs"):  # the filing service may hand its run over
        runs: dict[int, tuple[CheckRun, list[CheckResult]]] = {}
        if application.status != Status.DRAFT:
            results = CheckResult.objects.filter(run__application=application).select_related("run")
            for result in results.order_by("run__run_at", "run_id", "id"):
                runs.setdefault(result.run_id, (result.run, []))[1].append(result)
        for run, rows in runs.values():
            set_prefetched(run, "results", rows)
        set_prefetched(application, "check_runs", [run for run, _ in runs.values()])
    rest = [name for name in _DETAILS if name not in empty and name != "check_runs"]
    if rest:
        prefetch_related_objects([application], *_detail_prefetches(rest))
    return application


def application_for_api(user, reference: str) -> Application | None:
    return with_details(applications_visible_to(user)).filter(reference=reference).first()


def packages_for_api() -> QuerySet[Package]:
    return Package.objects.prefetch_related("aliases").order_by(
        "is_extension", "sort_order", "code"
    )


def tariffs_for_api(user, *, provider_code=None, on=None) -> QuerySet[Tariff]:
    qs = Tariff.objects.select_related("provider", "package")
    if role_of(user) == Role.PROVIDER:
        qs = qs.filter(provider_id=user.service_provider_id)
    if provider_code:
        qs = qs.filter(provider__code=provider_code)
    if on:
        qs = qs.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return qs.order_by("provider__code", "package__sort_order", "package__code", "-valid_from")


def reason_codes_for_api() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.order_by("code")
