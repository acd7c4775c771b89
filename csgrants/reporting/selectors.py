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
- **budget**: `allocated_eur` = allocations dated in the year, each euro once (a reserve for new
  providers counts when it is set aside, not again when part of it is assigned to a provider;
  filtered on a provider: that provider's allocations, assignments included); `committed_eur` = commitment
  ledger lines dated in the year (approvals and approved amendments, gross of later releases);
  `paid_eur` = payment (realise) ledger lines dated in the year.

Performance: a million applications must answer in at most three times one `count(*)` over
the table. On PostgreSQL the report reads summaries that triggers keep exact on every write
(reporting.summaries, docs/statistics.md): a few thousand rows per report, about half the time
of the count. Elsewhere (SQLite), and with `summaries=False`, it queries the base tables: a
handful of aggregate queries over date ranges (`submitted_on`, `decided_on` filters, never
`__year`, which defeats the indexes), each returning a few hundred or thousand groups folded in
Python by the same code as the summaries' rows; no query or loop per application. The main
grouped scan uses EXTRACT(YEAR ...) keys that the extended statistics of applications migration
0005 know, so that PostgreSQL aggregates it in parallel; the smaller queries use integer CASEs
for the year. The GROUP BYs get 64 MB of work_mem so that they hash instead of sorting; the
distinct counts and refusals read a covering index on decided_on.
Measured figures: bench/report_bench.py and docs/statistics.md.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils import timezone

from csgrants.applications.models import Amendment, Application, Decision, Status
from csgrants.applications.selectors import confirmation_wait_section, final_reports_section
from csgrants.applications.statuses import approval_decided, approval_decided_q
from csgrants.budgets.models import Allocation, LedgerEntry
from csgrants.catalogue.models import EnterpriseKind, Package, PolicyVersion, ReasonCode
from csgrants.core.postal import FLEMISH_PROVINCES
from csgrants.reporting import summaries as summary_tables
from csgrants.reporting.models import (
    AmendmentCount,
    ApplicationFact,
    LedgerSum,
    ProcessingFact,
    ReachCount,
    RefusalCount,
)

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
# "An approval decision was taken" (see the module docstring): applications.statuses.
APPROVED_Q = approval_decided_q()
DEFAULT_SLA = 10


def money(value) -> str:
    return f"{(value or ZERO):.2f}"


def _band_case():
    """Amount band of the quoted cost; the WHENs are tried in order, so each is one comparison."""
    whens = [
        When(cost_eur__lt=high, then=Value(key)) for key, _low, high in BANDS if high is not None
    ]
    return Case(*whens, default=Value(BANDS[-1][0]), output_field=CharField())


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


def _median(distribution: dict[int, int], total: int | None = None):
    """Median of a histogram {value: count}. With `total` larger than the histogram holds (a
    truncated histogram), None when the median lies beyond it."""
    n = sum(distribution.values()) if total is None else total
    if not n:
        return 0
    values = sorted(distribution)

    def nth(k):  # 0-based k-th smallest
        seen = 0
        for v in values:
            seen += distribution[v]
            if seen > k:
                return v
        return None

    if n % 2:
        return nth(n // 2)
    lo, hi = nth(n // 2 - 1), nth(n // 2)
    if lo is None or hi is None:
        return None
    m = (lo + hi) / 2
    return int(m) if m == int(m) else round(m, 2)


def _year_of(field: str, years: list[int]):
    """The year of a date field as an integer CASE over the report's (sorted) years. Cheaper
    than EXTRACT(YEAR ...) (a numeric on PostgreSQL) in a GROUP BY over hundreds of thousands of
    rows. The queries filter on [first year, last year + 1) already, so each WHEN needs only an
    upper bound; a year between two requested ones that was not asked for maps to NULL."""
    whens, previous = [], None
    for y in years:
        if previous is not None and y != previous + 1:
            whens.append(When(**{f"{field}__lt": date(y, 1, 1)}, then=Value(None)))
        whens.append(When(**{f"{field}__lt": date(y + 1, 1, 1)}, then=Value(y)))
        previous = y
    return Case(*whens, default=None, output_field=IntegerField())


class DaysBetween(Func):
    """Calendar days from the second date to the first, as an integer (a date difference is an
    integer on PostgreSQL; Django's DurationField would make it an interval, slower to sum)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _days(value) -> float:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _sla_term(year: int) -> int:
    policy = (
        PolicyVersion.objects.filter(valid_from__lte=date(year, 12, 31))
        .order_by("-valid_from")
        .first()
    )
    return policy.decision_term_working_days if policy else DEFAULT_SLA


def build_report(years: list[int], provider=None, *, summaries: bool | None = None) -> dict:
    """The statistics of `years` in the contract's JSON shape. `provider` (a ServiceProvider or
    its id) limits every figure to that provider's files and budget.

    On PostgreSQL the figures of the applications, the enterprises reached, the refusals and the
    ledger come from the trigger-kept summaries (reporting.summaries); elsewhere, or with
    `summaries=False`, from the base tables. Both give the same report."""
    if summaries is None:
        summaries = summary_tables.enabled()
    if connection.vendor != "postgresql":
        # No transaction on SQLite: the project opens them IMMEDIATE (a write lock).
        return _build_report(years, provider, summaries)
    with transaction.atomic():
        # The GROUP BYs below have a few thousand groups, but the planner, estimating far more,
        # would sort 100,000s of rows on 4 MB of work_mem instead of hashing them.
        with connection.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '64MB'")
        return _build_report(years, provider, summaries)


def _scan_groups(apps, years):
    """The files submitted, decided or withdrawn in the period, grouped (base tables).
    The group keys are plain columns and EXTRACT(YEAR ...) / the band CASE, expressions that
    the extended statistics `application_report_groups` (applications migration 0005) know:
    with them PostgreSQL estimates the few thousand groups correctly and aggregates in
    parallel workers; without them it expects a group per row and aggregates in one process,
    twice as slow. The period filter stays on date ranges (indexes), never on the year."""
    start, end = _range(years)
    in_period = (
        Q(submitted_on__gte=start, submitted_on__lt=end)
        | Q(decided_on__gte=start, decided_on__lt=end)
        | Q(
            status=Status.WITHDRAWN,
            closed_on__gte=start,
            closed_on__lt=end,
            submitted_on__isnull=False,
        )
    )
    return list(
        apps.filter(in_period)
        .values(
            "enterprise_kind",
            "province",
            "package_id",
            "status",
            sy=ExtractYear("submitted_on"),
            dy=ExtractYear("decided_on"),
            wy=ExtractYear("closed_on"),
            band=_band_case(),
            p=F("processing_working_days"),
        )
        .annotate(
            n=Count("*"),
            cost=Sum("cost_eur"),
            subsidy=Sum("subsidy_eur"),
            cal=Sum(DaysBetween("decided_on", "submitted_on")),
        )
        .order_by()
    )


def _summary_groups(years, pid):
    """The same groups as _scan_groups (without the working days), from the summary. A key's
    slots are summed before a group with no files is dropped: one slot may hold, say, only the
    change of a file's cost (n 0) while another holds the file."""
    qs = ApplicationFact.objects.filter(
        Q(submitted_year__in=years) | Q(decided_year__in=years) | Q(withdrawn_year__in=years)
    )
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    groups = (
        qs.values(
            "enterprise_kind",
            "province",
            "package_id",
            "status",
            "band",
            sy=F("submitted_year"),
            dy=F("decided_year"),
            wy=F("withdrawn_year"),
        )
        .annotate(
            n=Sum("n"), cost=Sum("cost_eur"), subsidy=Sum("subsidy_eur"), cal=Sum("calendar_days")
        )
        .order_by()
    )
    return [row for row in groups if row["n"]]


def _summary_processing(years, pid):
    qs = ProcessingFact.objects.filter(~Q(n=0), decided_year__in=years)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    return (
        qs.values("status", dy=F("decided_year"), p=F("working_days"))
        .annotate(n=Sum("n"))
        .order_by()
    )


def _direct_reach(apps, years, start, end):
    """Enterprises reached and with an extension per year, from the base tables. Both read the
    covering index on decided_on (status, enterprise, id); two queries measured faster than one
    with two filtered distinct counts. Enterprises reached: one filtered COUNT(DISTINCT) per year
    in a single aggregate, not a GROUP BY year (which sorts every row of the period by year and
    enterprise: 160 ms instead of 60 ms on a million files)."""
    approved = apps.filter(APPROVED_Q, decided_on__gte=start, decided_on__lt=end)
    reached_by_year = approved.aggregate(
        **{
            str(y): Count(
                "enterprise_id",
                distinct=True,
                filter=Q(decided_on__gte=date(y, 1, 1), decided_on__lt=date(y + 1, 1, 1)),
            )
            for y in years
        }
    )
    reached = {y: reached_by_year[str(y)] or 0 for y in years}
    with_ext = {
        row["y"]: row["n"]
        for row in approved.filter(
            Q(id__in=Application.extensions.through.objects.values("application_id"))
            | Q(
                id__in=Amendment.objects.filter(
                    kind=Amendment.Kind.EXTENSION, status=Amendment.AmendmentStatus.APPROVED
                ).values("application_id")
            )
        )
        .values(y=_year_of("decided_on", years))
        .annotate(n=Count("enterprise_id", distinct=True))
        .order_by()
    }
    return reached, with_ext


def _summary_reach(years, pid):
    rows = ReachCount.objects.filter(year__in=years, provider_id=pid if pid is not None else 0)
    reached, with_ext = {}, {}
    for row in rows.values("year", "enterprises", "enterprises_extension"):
        reached[row["year"]] = row["enterprises"]
        with_ext[row["year"]] = row["enterprises_extension"]
    return reached, with_ext


def _direct_refusals(pid, start, end):
    """(year, reason code, count) from the base tables. One join driven from the (few) refused
    applications of the period, read from the covering index on decided_on, to their decision
    (index on application_id) and its reasons. The planner prices those index lookups as disk
    reads (random_page_cost 4) and would rather scan every decision ever taken; the statistics
    read cached data, so for this query it is told so."""
    refusals = Decision.reasons.through.objects.filter(
        decision__application__status=Status.REJECTED,
        decision__application__decided_on__gte=start,
        decision__application__decided_on__lt=end,
        decision__outcome=Decision.Outcome.REJECTED,
        decision__amendment__isnull=True,
    )
    if pid is not None:
        refusals = refusals.filter(decision__application__provider_id=pid)
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL random_page_cost = 1.1")
    rows = [
        (row["y"], row["code"], row["n"])
        for row in refusals.values(
            y=ExtractYear("decision__application__decided_on"), code=F("reasoncode__code")
        )
        .annotate(n=Count("*"))
        .order_by()
    ]
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SET LOCAL random_page_cost TO DEFAULT")
    return rows


def _direct_amendments(years, pid, start, end):
    provider_q = Q(application__provider_id=pid) if pid is not None else Q()
    rows = (
        Amendment.objects.filter(
            provider_q,
            status=Amendment.AmendmentStatus.APPROVED,
            decided_on__gte=start,
            decided_on__lt=end,
        )
        .values("kind", y=_year_of("decided_on", years))
        .annotate(n=Count("id"), s=Sum("extra_subsidy_eur"))
        .order_by()
    )
    return [(row["y"], row["kind"], row["n"], row["s"]) for row in rows]


def _summary_amendments(years, pid):
    qs = AmendmentCount.objects.filter(~Q(n=0), year__in=years)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    rows = qs.values("year", "kind").annotate(total=Sum("n"), s=Sum("subsidy_eur")).order_by()
    return [(row["year"], row["kind"], row["total"], row["s"]) for row in rows]


def _summary_refusals(years, pid):
    qs = RefusalCount.objects.filter(~Q(n=0), year__in=years)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    code_of = dict(ReasonCode.objects.values_list("pk", "code"))
    return [
        (row["year"], code_of.get(row["reason_id"], str(row["reason_id"])), row["n"])
        for row in qs.values("year", "reason_id").annotate(n=Sum("n")).order_by()
    ]


def _direct_ledger(pid, years, start, end):
    """{(kind, year): sum} of the commitments and payments, one conditional aggregate."""
    qs = LedgerEntry.objects.filter(
        kind__in=["commit", "realise"], entry_date__gte=start, entry_date__lt=end
    )
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    sums = qs.aggregate(
        **{
            f"{kind}_{y}": Sum(
                "amount_eur",
                filter=Q(
                    kind=kind, entry_date__gte=date(y, 1, 1), entry_date__lt=date(y + 1, 1, 1)
                ),
            )
            for y in years
            for kind in ("commit", "realise")
        }
    )
    return {(kind, y): sums[f"{kind}_{y}"] for y in years for kind in ("commit", "realise")}


def _summary_ledger(pid, years):
    qs = LedgerSum.objects.filter(~Q(n=0), kind__in=["commit", "realise"], year__in=years)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    return {
        (row["kind"], row["year"]): row["s"]
        for row in qs.values("kind", "year").annotate(s=Sum("amount_eur")).order_by()
    }


def _build_report(years: list[int], provider=None, summaries: bool = False) -> dict:
    years = sorted({int(y) for y in years})
    package_of = dict(
        Package.objects.filter(is_extension=False)
        .order_by("sort_order", "code")
        .values_list("pk", "code")
    )
    package_codes = list(package_of.values())
    kind_codes = list(EnterpriseKind.objects.order_by("code").values_list("code", flat=True))
    report = {
        "scheme": SCHEME,
        "generated_at": timezone.now().replace(microsecond=0).isoformat(),
        "years": {},
    }
    if not years:
        return report
    start, end = _range(years)
    pid = _provider_id(provider)
    apps = Application.objects.all()
    if pid is not None:
        apps = apps.filter(provider_id=pid)
    buckets = {y: {b: _empty_bucket(package_codes, kind_codes) for b in BUCKETS} for y in years}

    # 1. Submitted / approved / rejected / withdrawn with all four breakdowns, and the processing
    # time of the decided files: the files submitted, decided or withdrawn in the period, grouped
    # finely enough (years x status x kind x province x package x band: a few thousand groups) to
    # fold every breakdown in Python, and the decided files per working days (the distribution
    # gives mean, median, maximum and the SLA count exactly). From the base tables, one scan
    # gives both (its groups carry the working days too); from the summaries, two reads. The
    # same fold below takes either.
    terms = {y: _sla_term(y) for y in years}
    dist: dict[int, dict[int, int]] = {y: defaultdict(int) for y in years}
    counts = {y: {"decided": 0, "cal": 0.0} for y in years}
    if summaries:
        groups, timings = _summary_groups(years, pid), _summary_processing(years, pid)
    else:
        groups = timings = _scan_groups(apps, years)

    def decided_class(status, y):
        # Approved: an approval decision in the year, whatever happened after (a withdrawn file
        # with a decision date was withdrawn after its approval); rejected: refused that year.
        if approval_decided(status, y):
            return "approved"
        return "rejected" if status == Status.REJECTED else None

    for row in groups:
        status = row["status"]
        sy, y, wy = (int(row[k]) if row[k] else None for k in ("sy", "dy", "wy"))
        if sy in buckets:
            _add(buckets[sy]["submitted"], row, package_of)
        cls = decided_class(status, y)
        if cls and y in buckets:
            _add(buckets[y][cls], row, package_of)
            counts[y]["decided"] += row["n"]
            counts[y]["cal"] += _days(row["cal"])
        if status == Status.WITHDRAWN and wy in buckets:
            _add(buckets[wy]["withdrawn"], row, package_of)
    for row in timings:
        y = int(row["dy"]) if row["dy"] else None
        if row["p"] is not None and y in buckets and decided_class(row["status"], y):
            dist[y][row["p"]] += row["n"]
    processing = {}
    for y in years:
        wd, n, decided_n = dist[y], sum(dist[y].values()), counts[y]["decided"]
        processing[y] = {
            "decided": decided_n,
            "mean_working_days": round(sum(k * v for k, v in wd.items()) / n, 2) if n else 0,
            "median_working_days": _median(wd),
            "mean_calendar_days": round(counts[y]["cal"] / decided_n, 2) if decided_n else 0,
            "max_working_days": max(wd) if wd else 0,
            "within_sla": sum(v for k, v in wd.items() if k <= terms[y]),
            "sla_working_days": terms[y],
        }

    # 2. Enterprises reached, and those whose file approved in the year has an extension
    # package (taken with the application, or added by an approved amendment whenever).
    if summaries:
        reached, with_ext = _summary_reach(years, pid)
    else:
        reached, with_ext = _direct_reach(apps, years, start, end)

    # 3. Amendments approved in the year.
    amendments = defaultdict(lambda: {"upgrade": 0, "extension": 0, "subsidy": ZERO})
    for y, kind, n, subsidy in (
        _summary_amendments(years, pid) if summaries else _direct_amendments(years, pid, start, end)
    ):
        amendments[y][kind] += n
        amendments[y]["subsidy"] += subsidy or ZERO

    # 4. Rejection reasons: an application refused for two reasons counts once for each.
    reasons = defaultdict(lambda: defaultdict(int))
    for y, code, n in (
        _summary_refusals(years, pid) if summaries else _direct_refusals(pid, start, end)
    ):
        if y is not None and int(y) in buckets:
            reasons[int(y)][code] += n

    # 5. Budget: allocations (few rows) and the ledger.
    alloc_qs = Allocation.objects.filter(allocated_on__gte=start, allocated_on__lt=end)
    if pid is not None:
        alloc_qs = alloc_qs.filter(provider_id=pid)
    else:
        # Every euro once: a reserve counts when it is set aside; what is later assigned from it
        # to a provider (an allocation pointing at the reserve) is not new budget.
        alloc_qs = alloc_qs.filter(reserve__isnull=True)
    allocated = alloc_qs.aggregate(
        **{
            str(y): Sum(
                "amount_eur",
                filter=Q(allocated_on__gte=date(y, 1, 1), allocated_on__lt=date(y + 1, 1, 1)),
            )
            for y in years
        }
    )
    ledger_sums = (
        _summary_ledger(pid, years) if summaries else _direct_ledger(pid, years, start, end)
    )

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
        out["processing"] = processing[y]
        out["enterprises_reached"] = reached.get(y, 0)
        am = amendments[y]
        out["grant_equivalent_eur"] = money(Decimal(b["approved"]["subsidy_eur"]) + am["subsidy"])
        out["amendments"] = {
            "upgrades": am["upgrade"],
            "extensions": am["extension"],
            "enterprises_with_extensions": with_ext.get(y, 0),
        }
        out["budget"] = {
            "allocated_eur": money(allocated[str(y)]),
            "committed_eur": money(ledger_sums.get(("commit", y))),
            "paid_eur": money(ledger_sums.get(("realise", y))),
        }
        # Final reports accepted in the year: maturity before/after, satisfaction (issue 9).
        out["final_reports"] = final_reports_section(y, provider=pid)
        # The wait for the enterprise's confirmation, before the decision term starts (issue 22).
        out["enterprise_confirmation"] = confirmation_wait_section(y, provider=pid)
        report["years"][str(y)] = out
    return report


def reason_labels(language: str = "nl") -> dict[str, str]:
    field = "label_en" if language.startswith("en") else "label_nl"
    return dict(ReasonCode.objects.values_list("code", field))


def next_year_allocated(year: int, provider=None) -> Decimal:
    """Budget allocated in `year` (the minister's question 2 asks what was freed for the year
    after the period)."""
    qs = Allocation.objects.filter(
        allocated_on__gte=date(year, 1, 1), allocated_on__lt=date(year + 1, 1, 1)
    )
    pid = _provider_id(provider)
    if pid is not None:
        qs = qs.filter(provider_id=pid)
    return qs.aggregate(s=Sum("amount_eur"))["s"] or ZERO


def data_years() -> list[int]:
    """Years from the first to the last submission; cheap (min/max over an index)."""
    from django.db.models import Min

    agg = Application.objects.aggregate(lo=Min("submitted_on"), hi=Max("submitted_on"))
    if not agg["lo"]:
        return []
    return list(range(agg["lo"].year, agg["hi"].year + 1))


def scheme_years(today: date | None = None) -> list[int]:
    """The scheme's years, for the dashboard's year choice: from the year of the first framework
    agreement (the scheme started with the 2019 agreement; else the first policy version, else
    the first submission) to this year. Not every year that some imported row mentions."""
    from django.db.models import Min

    from csgrants.budgets.models import FrameworkAgreement
    from csgrants.core import clock

    this_year = (today or clock.today()).year
    first = FrameworkAgreement.objects.aggregate(d=Min("start_date"))["d"]
    if first is None:
        first = PolicyVersion.objects.aggregate(d=Min("valid_from"))["d"]
    start = first.year if first else (data_years() or [this_year])[0]
    return list(range(min(start, this_year), this_year + 1))


def available_at_year_start(years, provider=None) -> dict[int, Decimal]:
    """Per year: the budget still available on 1 January from allocations of earlier years
    (allocated - committed + released before that day), for the budget table's explanation: a
    year's commitments are mostly paid from earlier allocations. One query: the trigger-kept
    ledger summaries on PostgreSQL, the ledger itself elsewhere."""
    years = sorted({int(y) for y in years})
    if not years:
        return {}
    pid = getattr(provider, "pk", provider)
    if summary_tables.enabled():
        qs = LedgerSum.objects.filter(~Q(n=0), year__lt=years[-1])
        if pid is not None:
            qs = qs.filter(provider_id=pid)
        rows = qs.values("year", "kind").annotate(s=Sum("amount_eur")).order_by()
        per = [(r["year"], r["kind"], r["s"] or Decimal(0)) for r in rows]
    else:
        qs = LedgerEntry.objects.filter(entry_date__lt=date(years[-1], 1, 1))
        if pid is not None:
            qs = qs.filter(provider_id=pid)
        rows = (
            qs.annotate(year=ExtractYear("entry_date"))
            .values("year", "kind")
            .annotate(s=Sum("amount_eur"))
            .order_by()
        )
        per = [(r["year"], r["kind"], r["s"] or Decimal(0)) for r in rows]
    sign = {"allocate": 1, "commit": -1, "release": 1}
    return {
        y: sum(
            (sign.get(k, 0) * amount for year, k, amount in per if year < y), Decimal(0)
        ).quantize(Decimal("0.01"))
        for y in years
    }
