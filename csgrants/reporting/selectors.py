"""The yearly statistics that answer the parliamentary question (contract:
shared/contracts/report.md). `build_report(years)` returns exactly the contract's JSON shape;
the command, the dashboard, the downloads and the API (/api/v1/statistics/) all use it.

Definitions, where the contract leaves a choice:
- An application counts as **approved** in the year of its approval decision, whatever happened
  to it afterwards: in progress, completed, closed (paid), and also later withdrawn or stopped.
  The approval was a decision of that year and the grant was granted then (de minimis counts aid
  from the date the right to it is granted); a later withdrawal is counted again, as withdrawn,
  in the year it happened, and a stop is not a refusal. So grant equivalent and enterprises
  reached include files that were later stopped or withdrawn.
- **Rejected** = refused at decision (status rejected), in the year of that decision.
- **Withdrawn** = withdrawn by the provider after submission, in the year of the withdrawal
  (`closed_on`); drafts that never reached the agency are not counted.
- **processing** covers files decided (approved or rejected) in the year and uses the stored
  `processing_working_days` (set at the decision: working days from submission, exclusive, to
  decision, inclusive, minus information-request pauses); `within_sla` compares it with the
  decision term of the policy in force at the end of the year.
- **budget**: `allocated_eur` = allocations dated in the year; `committed_eur` = commitment
  ledger lines dated in the year (approvals and approved amendments, gross of later releases);
  `paid_eur` = payment (realise) ledger lines dated in the year.

Performance: a million applications must answer in about the time of one `count(*)` over the
table, so everything is a handful of GROUP BY queries over indexed date ranges
(`submitted_on`, `decided_on`; never `__year`, which defeats the index), small result sets
folded in Python; no query or loop per application.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from csgrants.applications.models import Amendment, Application, Decision, Status
from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.catalogue.models import EnterpriseKind, Package, PolicyVersion, ReasonCode
from csgrants.core.postal import FLEMISH_PROVINCES

SCHEME = "CS-verbetertrajecten"
ZERO = Decimal("0.00")
BANDS = [
    ("lt_10000", None, Decimal(10000)),
    ("10000_17499", Decimal(10000), Decimal(17500)),
    ("17500_24999", Decimal(17500), Decimal(25000)),
    ("25000_34999", Decimal(25000), Decimal(35000)),
    ("gte_35000", Decimal(35000), None),
]
BUCKETS = ("submitted", "approved", "rejected", "withdrawn")
# Statuses that mean "an approval decision was taken" (see the module docstring).
APPROVED_AFTER = (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED, Status.CLOSED, Status.STOPPED)
APPROVED_Q = Q(status__in=APPROVED_AFTER) | Q(status=Status.WITHDRAWN, decided_on__isnull=False)
DECIDED_Q = APPROVED_Q | Q(status=Status.REJECTED)
DEFAULT_SLA = 10


def money(value) -> str:
    return f"{(value or ZERO):.2f}"


def _band_case():
    whens = []
    for key, low, high in BANDS:
        cond = Q()
        if low is not None:
            cond &= Q(cost_eur__gte=low)
        if high is not None:
            cond &= Q(cost_eur__lt=high)
        whens.append(When(cond, then=Value(key)))
    return Case(*whens, default=Value("gte_35000"), output_field=CharField())


def _range(years):
    return date(min(years), 1, 1), date(max(years) + 1, 1, 1)


def _provider_id(provider):
    if provider is None or provider == "":
        return None
    return getattr(provider, "pk", provider)


def _empty_bucket(package_codes, kind_codes):
    return {
        "total": 0,
        "by_enterprise_kind": dict.fromkeys(kind_codes, 0),
        "by_province": dict.fromkeys(FLEMISH_PROVINCES, 0),
        "by_package": dict.fromkeys(package_codes, 0),
        "by_amount_band": {key: 0 for key, _lo, _hi in BANDS},
        "cost_eur": ZERO,
        "subsidy_eur": ZERO,
    }


def _add(bucket, row, package_of):
    n = row["n"]
    bucket["total"] += n
    kinds = bucket["by_enterprise_kind"]
    kinds[row["enterprise_kind"]] = kinds.get(row["enterprise_kind"], 0) + n
    province = row["province"] or "unknown"
    bucket["by_province"][province] = bucket["by_province"].get(province, 0) + n
    code = package_of.get(row["package_id"], str(row["package_id"]))
    bucket["by_package"][code] = bucket["by_package"].get(code, 0) + n
    bucket["by_amount_band"][row["band"]] += n
    bucket["cost_eur"] += row["cost"] or ZERO
    bucket["subsidy_eur"] += row["subsidy"] or ZERO


def _median(distribution: dict[int, int]):
    total = sum(distribution.values())
    if not total:
        return 0
    values = sorted(distribution)
    def nth(k):  # 0-based k-th smallest
        seen = 0
        for v in values:
            seen += distribution[v]
            if seen > k:
                return v
        return values[-1]
    if total % 2:
        return nth(total // 2)
    m = (nth(total // 2 - 1) + nth(total // 2)) / 2
    return int(m) if m == int(m) else round(m, 2)


def _sla_term(year: int) -> int:
    policy = PolicyVersion.objects.filter(valid_from__lte=date(year, 12, 31)).order_by("-valid_from").first()
    return policy.decision_term_working_days if policy else DEFAULT_SLA


def build_report(years: list[int], provider=None) -> dict:
    """The statistics of `years` in the contract's JSON shape. `provider` (a ServiceProvider or
    its id) limits every figure to that provider's files and budget."""
    years = sorted({int(y) for y in years})
    package_of = dict(Package.objects.filter(is_extension=False).order_by("sort_order", "code").values_list("pk", "code"))
    package_codes = list(package_of.values())
    kind_codes = list(EnterpriseKind.objects.order_by("code").values_list("code", flat=True))
    report = {"scheme": SCHEME, "generated_at": timezone.now().replace(microsecond=0).isoformat(), "years": {}}
    if not years:
        return report
    start, end = _range(years)
    pid = _provider_id(provider)
    apps = Application.objects.all()
    if pid is not None:
        apps = apps.filter(provider_id=pid)

    buckets = {y: {b: _empty_bucket(package_codes, kind_codes) for b in BUCKETS} for y in years}

    # 1. Submitted / approved / rejected / withdrawn with all four breakdowns: one scan of the
    # files submitted, decided or withdrawn in the period, grouped finely enough (year x class x
    # kind x province x package x band: a few hundred groups) to fold every breakdown in Python.
    in_period = (
        Q(submitted_on__gte=start, submitted_on__lt=end)
        | Q(decided_on__gte=start, decided_on__lt=end)
        | Q(status=Status.WITHDRAWN, closed_on__gte=start, closed_on__lt=end, submitted_on__isnull=False)
    )
    rows = (
        apps.filter(in_period)
        .values(
            "enterprise_kind", "province", "package_id",
            sy=ExtractYear("submitted_on"),
            dy=ExtractYear("decided_on"),
            wy=Case(When(status=Status.WITHDRAWN, then=ExtractYear("closed_on")), default=None, output_field=IntegerField()),
            cls=Case(
                When(APPROVED_Q, then=Value("A")),
                When(status=Status.REJECTED, then=Value("R")),
                default=Value(""),
                output_field=CharField(),
            ),
            band=_band_case(),
        )
        .annotate(n=Count("id"), cost=Sum("cost_eur"), subsidy=Sum("subsidy_eur"))
        .order_by()
    )
    for row in rows:
        if row["sy"] in buckets:
            _add(buckets[row["sy"]]["submitted"], row, package_of)
        if row["cls"] == "A" and row["dy"] in buckets:
            _add(buckets[row["dy"]]["approved"], row, package_of)
        elif row["cls"] == "R" and row["dy"] in buckets:
            _add(buckets[row["dy"]]["rejected"], row, package_of)
        if row["wy"] in buckets:
            _add(buckets[row["wy"]]["withdrawn"], row, package_of)

    decided = apps.filter(DECIDED_Q, decided_on__gte=start, decided_on__lt=end)
    # 2. Processing time: the distribution of (working days, calendar days) per year is small
    # and gives mean, median, max and the SLA count exactly.
    processing = {y: {"decided": 0, "wd": defaultdict(int), "cal_sum": 0, "cal_n": 0} for y in years}
    for row in (
        decided.values(
            "processing_working_days",
            y=ExtractYear("decided_on"),
            cal=ExpressionWrapper(F("decided_on") - F("submitted_on"), output_field=DurationField()),
        )
        .annotate(n=Count("id"))
        .order_by()
    ):
        p = processing.get(row["y"])
        if p is None:
            continue
        p["decided"] += row["n"]
        if row["processing_working_days"] is not None:
            p["wd"][row["processing_working_days"]] += row["n"]
        if row["cal"] is not None:
            p["cal_sum"] += row["cal"].days * row["n"]
            p["cal_n"] += row["n"]

    # 3. Distinct enterprises with an approval in the year.
    reached = {
        row["y"]: row["n"]
        for row in apps.filter(APPROVED_Q, decided_on__gte=start, decided_on__lt=end)
        .values(y=ExtractYear("decided_on"))
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    }

    # 4. Enterprises whose file approved in the year has an extension package, taken with the
    # application or added by an approved amendment (whenever).
    approved_in = Q(application__decided_on__gte=start, application__decided_on__lt=end) & (
        Q(application__status__in=APPROVED_AFTER)
        | Q(application__status=Status.WITHDRAWN, application__decided_on__isnull=False)
    )
    provider_q = Q(application__provider_id=pid) if pid is not None else Q()
    with_ext: dict[int, set] = defaultdict(set)
    for y, ent in (
        Application.extensions.through.objects.filter(approved_in, provider_q)
        .values_list(ExtractYear("application__decided_on"), "application__enterprise_id")
        .distinct()
    ):
        with_ext[y].add(ent)
    for y, ent in (
        Amendment.objects.filter(approved_in, provider_q, kind=Amendment.Kind.EXTENSION,
                                 status=Amendment.AmendmentStatus.APPROVED)
        .values_list(ExtractYear("application__decided_on"), "application__enterprise_id")
        .distinct()
    ):
        with_ext[y].add(ent)

    # 5. Amendments approved in the year.
    amendments = defaultdict(lambda: {"upgrade": 0, "extension": 0, "subsidy": ZERO})
    for row in (
        Amendment.objects.filter(provider_q, status=Amendment.AmendmentStatus.APPROVED, decided_on__gte=start,
                                 decided_on__lt=end)
        .values("kind", y=ExtractYear("decided_on"))
        .annotate(n=Count("id"), s=Sum("extra_subsidy_eur"))
        .order_by()
    ):
        amendments[row["y"]][row["kind"]] += row["n"]
        amendments[row["y"]]["subsidy"] += row["s"] or ZERO

    # 6. Rejection reasons: an application refused for two reasons counts once for each.
    reasons = defaultdict(dict)
    for row in (
        Decision.reasons.through.objects.filter(
            decision__outcome=Decision.Outcome.REJECTED,
            decision__amendment__isnull=True,
            decision__application__status=Status.REJECTED,
            decision__application__decided_on__gte=start,
            decision__application__decided_on__lt=end,
            **({"decision__application__provider_id": pid} if pid is not None else {}),
        )
        .values(code=F("reasoncode__code"), y=ExtractYear("decision__application__decided_on"))
        .annotate(n=Count("id"))
        .order_by()
    ):
        reasons[row["y"]][row["code"]] = row["n"]

    # 7. Budget: allocations and the ledger.
    alloc_qs = Allocation.objects.filter(allocated_on__gte=start, allocated_on__lt=end)
    ledger_qs = LedgerEntry.objects.filter(kind__in=["commit", "realise"], entry_date__gte=start, entry_date__lt=end)
    if pid is not None:
        alloc_qs = alloc_qs.filter(provider_id=pid)
        ledger_qs = ledger_qs.filter(provider_id=pid)
    allocated = {r["y"]: r["s"] for r in alloc_qs.values(y=ExtractYear("allocated_on")).annotate(s=Sum("amount_eur")).order_by()}
    ledger = defaultdict(dict)
    for r in ledger_qs.values("kind", y=ExtractYear("entry_date")).annotate(s=Sum("amount_eur")).order_by():
        ledger[r["y"]][r["kind"]] = r["s"]

    for y in years:
        b = buckets[y]
        out = {}
        for name in BUCKETS:
            bucket = b[name]
            bucket["cost_eur"] = money(bucket["cost_eur"])
            bucket["subsidy_eur"] = money(bucket["subsidy_eur"])
            out[name] = bucket
        top = sorted(reasons[y].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        out["top_rejection_reasons"] = [{"code": c, "count": n} for c, n in top]
        p = processing[y]
        wd = p["wd"]
        measured = sum(wd.values())
        term = _sla_term(y)
        out["processing"] = {
            "decided": p["decided"],
            "mean_working_days": round(sum(k * v for k, v in wd.items()) / measured, 2) if measured else 0,
            "median_working_days": _median(wd),
            "mean_calendar_days": round(p["cal_sum"] / p["cal_n"], 2) if p["cal_n"] else 0,
            "max_working_days": max(wd) if wd else 0,
            "within_sla": sum(v for k, v in wd.items() if k <= term),
            "sla_working_days": term,
        }
        out["enterprises_reached"] = reached.get(y, 0)
        am = amendments[y]
        out["grant_equivalent_eur"] = money(Decimal(b["approved"]["subsidy_eur"]) + am["subsidy"])
        out["amendments"] = {
            "upgrades": am["upgrade"],
            "extensions": am["extension"],
            "enterprises_with_extensions": len(with_ext.get(y, ())),
        }
        out["budget"] = {
            "allocated_eur": money(allocated.get(y)),
            "committed_eur": money(ledger[y].get("commit")),
            "paid_eur": money(ledger[y].get("realise")),
        }
        report["years"][str(y)] = out
    return report


def reason_labels(language: str = "nl") -> dict[str, str]:
    field = "label_en" if language.startswith("en") else "label_nl"
    return dict(ReasonCode.objects.values_list("code", field))


def next_year_allocated(year: int, provider=None) -> Decimal:
    """Budget allocated in `year` (the minister's question 2 asks what was freed for the year
    after the period)."""
    qs = Allocation.objects.filter(allocated_on__gte=date(year, 1, 1), allocated_on__lt=date(year + 1, 1, 1))
    pid = _provider_id(provider)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    return qs.aggregate(s=Sum("amount_eur"))["s"] or ZERO


def data_years() -> list[int]:
    """Years from the first to the last submission; cheap (min/max over an index)."""
    from django.db.models import Max, Min

    agg = Application.objects.aggregate(lo=Min("submitted_on"), hi=Max("submitted_on"))
    if not agg["lo"]:
        return []
    return list(range(agg["lo"].year, agg["hi"].year + 1))
