"""Generate a large history in the import format (shared/contracts/history-import.md) for the
import and report benchmarks: by default 1,000,000 applications and 100,000 amendments over six
years (2019-2024), streamed to CSV (memory stays flat whatever the size).

Realistic spread: volume grows over the years and dips in August and at year end; Flemish
provinces dominate (some Brussels and Walloon files, a few unknown-looking but valid codes);
packages follow the catalogue's history (light/basis/check&plan written as they were then, START
only from 2023); about 88% approved (later completed or closed for older years), 4% rejected
(one or two reason codes), 3% withdrawn, the last weeks still submitted; decisions 1-15 working
days after submission; enterprises come back after four years; subsidy 45% until 2022, 50% after.

    python bench/generate_history.py OUTDIR [--applications N] [--amendments M] [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from csgrants.core.calendar import WorkingCalendar  # noqa: E402

# The scheme's life starts in 2019 (catalogue.bounds.SCHEME_START): the import refuses older.
FIRST_YEAR, LAST_YEAR = 2019, 2024
PROVIDERS = [f"P{i:02d}" for i in range(1, 21)]
POSTAL = [
    ("2000", 9),
    ("2018", 4),
    ("2800", 4),
    ("2300", 3),
    ("2400", 2),
    ("9000", 8),
    ("9100", 3),
    ("9300", 3),
    ("8000", 3),
    ("8500", 4),
    ("8800", 3),
    ("8400", 2),
    ("3000", 4),
    ("1800", 3),
    ("1930", 3),
    ("1500", 2),
    ("3500", 3),
    ("3600", 3),
    ("3800", 1),
    ("1000", 2),
    ("1300", 1),
    ("4000", 1),
    ("5000", 1),
    ("6000", 1),
    ("6700", 1),
    ("7000", 1),
]
REASONS = [
    "NOT_SME",
    "DE_MINIMIS_CEILING",
    "RECENT_TRAJECTORY",
    "OUTSIDE_FLEMISH_REGION",
    "INCOMPLETE_FILE",
    "COST_OUT_OF_RANGE",
    "NEGATIVE_EQUITY",
    "PUBLIC_BODY_CONTROL",
    "OTHER",
]
REASON_WEIGHTS = [30, 15, 15, 10, 10, 8, 5, 4, 3]


def package_for(rng, year):
    """(written name, cost range) as providers filed them in that year."""
    if year < 2021:
        options = [
            ("basis", 30000, 40000, 70),
            ("light", 18000, 24000, 20),
            ("check&plan", 15000, 18000, 10),
        ]
    elif year < 2023:
        options = [
            ("basis", 32000, 45000, 60),
            ("light", 19000, 25000, 30),
            ("check&plan", 16000, 19000, 10),
        ]
    else:
        options = [
            ("PLUS", 26000, 35000, 35),
            ("MEDIUM", 17000, 25000, 35),
            ("START", 9200, 12000, 20),
            ("CHECK_PLAN", 12000, 17000, 10),
        ]
    name, lo, hi, _w = rng.choices(options, weights=[o[3] for o in options])[0]
    if rng.random() < 0.05:
        name = (
            name.upper() if name.islower() else name.lower()
        )  # spelling varies; import is case-insensitive
    return name, lo, hi


def enterprise(i: int):
    base = 4_000_000 + i * 7
    digits = f"{base:08d}{97 - base % 97:02d}"
    h = (i * 2654435761) & 0xFFFFFFFF
    postal = POSTAL_TABLE[h % len(POSTAL_TABLE)]
    kind = "maatwerkbedrijf" if h % 500 == 0 else "kmo"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}", f"Onderneming {i} BV", kind, postal


POSTAL_TABLE = [p for p, w in POSTAL for _ in range(w)]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--applications", type=int, default=1_000_000)
    ap.add_argument("--amendments", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    cal = WorkingCalendar()
    days = []
    d = date(FIRST_YEAR, 1, 1)
    while d <= date(LAST_YEAR, 12, 31):
        if cal.is_working_day(d):
            days.append(d)
        d += timedelta(days=1)
    index_of = {d: i for i, d in enumerate(days)}
    # Volume grows ~12% a year, dips in August and the last two weeks of December.
    weights = [
        (1.12 ** (d.year - FIRST_YEAR))
        * (0.5 if d.month == 8 or (d.month == 12 and d.day > 17) else 1.0)
        for d in days
    ]
    total_w = sum(weights)
    per_day = [args.applications * w / total_w for w in weights]
    amendment_p = args.amendments / (args.applications * 0.88)
    n_enterprises = int(args.applications * 0.75)
    last_day = days[-1]
    app_header = [
        "reference",
        "service_provider",
        "enterprise_number",
        "enterprise_name",
        "enterprise_kind",
        "postal_code",
        "package",
        "extensions",
        "cost_eur",
        "subsidy_eur",
        "submitted_on",
        "status",
        "decided_on",
        "rejection_reason",
    ]
    am_header = [
        "reference",
        "kind",
        "package",
        "extra_cost_eur",
        "extra_subsidy_eur",
        "requested_on",
        "status",
        "decided_on",
    ]
    written = amendments = 0
    carry = 0.0
    counters: dict[int, int] = {}
    with (
        (out / "applications.csv").open("w", newline="") as fa,
        (out / "amendments.csv").open("w", newline="") as fm,
    ):
        wa, wm = csv.writer(fa, lineterminator="\n"), csv.writer(fm, lineterminator="\n")
        wa.writerow(app_header)
        wm.writerow(am_header)
        for di, day in enumerate(days):
            carry += per_day[di]
            n = int(carry)
            carry -= n
            if di == len(days) - 1:
                n += args.applications - written - n if args.applications - written > n else 0
            n = min(n, args.applications - written)
            for _ in range(n):
                written += 1
                y = day.year
                counters[y] = counters.get(y, 0) + 1
                ref = f"CS-{y}-{counters[y]:06d}"
                number, name, kind, postal = enterprise(rng.randrange(n_enterprises))
                package, lo, hi = package_for(rng, y)
                cost = rng.randrange(lo, hi, 50)
                ext = ""
                if rng.random() < 0.15:
                    ext = "EXTENSION"
                    cost += rng.randrange(5000, 8000, 50)
                # Within the seeded policy's range (catalogue.bounds), extensions included:
                # EUR 50,000 in 2021-2022, EUR 35,000 from 2023.
                cost = min(cost, 50000 if y < 2023 else 35000)
                rate = 45 if y < 2023 else 50
                subsidy = f"{cost * rate / 100:.2f}"
                r = rng.random()
                wd = min(
                    len(days) - 1,
                    di
                    + rng.choices(
                        range(1, 16), weights=[4, 10, 14, 14, 12, 10, 8, 7, 6, 5, 4, 2, 2, 1, 1]
                    )[0],
                )
                decided = days[wd]
                reason = ""
                if decided > last_day or (last_day - day).days < 10:
                    status, decided_s = "submitted", ""
                elif r < 0.04:
                    status, decided_s = "rejected", decided.isoformat()
                    k = 2 if rng.random() < 0.2 else 1
                    reason = ";".join(
                        sorted(set(rng.choices(REASONS, weights=REASON_WEIGHTS, k=k)))
                    )
                elif r < 0.07:
                    status, decided_s = "withdrawn", decided.isoformat()
                else:
                    age = (last_day - decided).days
                    if age > 540:
                        status = "closed" if rng.random() < 0.9 else "completed"
                    elif age > 200:
                        status = rng.choice(["closed", "completed", "approved"])
                    else:
                        status = "approved"
                    decided_s = decided.isoformat()
                wa.writerow(
                    [
                        ref,
                        rng.choice(PROVIDERS),
                        number,
                        name,
                        kind,
                        postal,
                        package,
                        ext,
                        f"{cost}.00",
                        subsidy,
                        day.isoformat(),
                        status,
                        decided_s,
                        reason,
                    ]
                )
                if (
                    status in ("approved", "completed", "closed")
                    and amendments < args.amendments
                    and rng.random() < amendment_p
                ):
                    amendments += 1
                    req_i = min(len(days) - 1, index_of[decided] + rng.randrange(5, 120))
                    requested = days[req_i]
                    dec = days[min(len(days) - 1, req_i + rng.randrange(1, 10))]
                    upgrade = package.lower() in ("light", "medium") and rng.random() < 0.6
                    a_cost = (
                        rng.randrange(9000, 14000, 50) if upgrade else rng.randrange(5000, 8000, 50)
                    )
                    a_status = rng.choices(
                        ["approved", "rejected", "submitted"], weights=[90, 5, 5]
                    )[0]
                    wm.writerow(
                        [
                            ref,
                            "upgrade" if upgrade else "extension",
                            "PLUS" if upgrade else "EXTENSION",
                            f"{a_cost}.00",
                            f"{a_cost * rate / 100:.2f}",
                            requested.isoformat(),
                            a_status,
                            "" if a_status == "submitted" else dec.isoformat(),
                        ]
                    )
    # Budget: a framework per provider every four years plus yearly top-ups, enough to cover
    # the commitments (the import takes history as given and does not check budget).
    with (out / "allocations.csv").open("w", newline="") as fl:
        wl = csv.writer(fl, lineterminator="\n")
        wl.writerow(["service_provider", "allocated_on", "amount_eur", "note"])
        yearly = args.applications * 16000 / (LAST_YEAR - FIRST_YEAR + 1) / len(PROVIDERS)
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            for p in PROVIDERS:
                note = "framework agreement" if (y - FIRST_YEAR) % 4 == 0 else "top-up"
                wl.writerow([p, f"{y}-01-02", f"{yearly:.2f}", note])
    print(f"wrote {written} applications, {amendments} amendments to {out}")


if __name__ == "__main__":
    main()
