"""Renderers of the yearly report (the dict of selectors.build_report): JSON (the contract),
Markdown (the minister's answer in Dutch, question by question), XLSX (one sheet per question)
and CSV (one figure per row, for analysts).

The Markdown answer is Dutch whatever the user's language: it is the text that goes to the
Flemish Parliament, so its sentences are written here in Dutch rather than through gettext.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from csgrants.core.exports import csv_writer, xlsx_bytes
from csgrants.core.money import format_eur
from csgrants.core.postal import PROVINCES

BAND_LABELS_NL = {
    "lt_10000": "minder dan € 10.000",
    "10000_17499": "€ 10.000 tot € 17.499",
    "17500_24999": "€ 17.500 tot € 24.999",
    "25000_34999": "€ 25.000 tot € 34.999",
    "gte_35000": "€ 35.000 of meer",
}
BAND_LABELS_EN = {
    "lt_10000": "less than € 10,000",
    "10000_17499": "€ 10,000 to € 17,499",
    "17500_24999": "€ 17,500 to € 24,999",
    "25000_34999": "€ 25,000 to € 34,999",
    "gte_35000": "€ 35,000 or more",
}
BREAKDOWNS = ("by_enterprise_kind", "by_province", "by_package", "by_amount_band")
BUCKET_TITLES_NL = {
    "submitted": "Ingediende aanvragen",
    "approved": "Goedgekeurde aanvragen",
    "rejected": "Geweigerde aanvragen",
    "withdrawn": "Ingetrokken aanvragen",
}
BREAKDOWN_TITLES_NL = {
    "by_enterprise_kind": "a) kmo of maatwerkbedrijf",
    "by_province": "b) provincie",
    "by_package": "c) gekozen pakket",
    "by_amount_band": "d) bedrag van het verbetertraject",
}


@dataclass
class Labels:
    """Display names for codes, in one language. Built from the catalogue by `labels_for`."""

    language: str = "nl"
    packages: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def province(self, code: str) -> str:
        if code == "unknown":
            return "onbekend" if self.language == "nl" else "unknown"
        names = PROVINCES.get(code)
        return (names[0] if self.language == "nl" else names[1]) if names else code

    def band(self, code: str) -> str:
        return (BAND_LABELS_NL if self.language == "nl" else BAND_LABELS_EN).get(code, code)

    def cyfun(self, code: str) -> str:
        """A CyberFundamentals function (identify -> identificeren) in this language."""
        from django.utils import translation

        from csgrants.applications.models import CyFunFunction

        try:
            with translation.override(self.language):
                return str(CyFunFunction(code).label)
        except ValueError:
            return code

    def key(self, breakdown: str, code: str) -> str:
        if breakdown == "by_province":
            return self.province(code)
        if breakdown == "by_amount_band":
            return self.band(code)
        if breakdown == "by_package":
            return self.packages.get(code, code)
        if breakdown == "by_enterprise_kind":
            return self.kinds.get(code, code)
        return code


def labels_for(language: str = "nl") -> Labels:
    from csgrants.catalogue.models import EnterpriseKind, Package, ReasonCode

    en = language.startswith("en")
    return Labels(
        language="en" if en else "nl",
        packages={p.code: (p.name_en if en else p.name_nl) for p in Package.objects.all()},
        kinds={k.code: (k.name_en if en else k.name_nl) for k in EnterpriseKind.objects.all()},
        reasons={r.code: (r.label_en if en else r.label_nl) for r in ReasonCode.objects.all()},
    )


# --- JSON -----------------------------------------------------------------------------------


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


# --- helpers --------------------------------------------------------------------------------


def _nl_number(value) -> str:
    """4.25 -> '4,25'; 1234 -> '1.234' (Flemish notation)."""
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _n(count: int, singular: str, plural: str) -> str:
    return f"{_nl_number(count)} {singular if count == 1 else plural}"


def _eur(value: str | Decimal) -> str:
    return format_eur(Decimal(value))


def breakdown_keys(report: dict, bucket: str, breakdown: str) -> list[str]:
    """Keys of a breakdown over all years, in the order the first year lists them."""
    keys: list[str] = []
    for y in report["years"].values():
        for k in y[bucket][breakdown]:
            if k not in keys:
                keys.append(k)
    return keys


def _table(header: list[str], rows: list[list[str]], align_right_from: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append(
        "|" + "|".join("---" if i < align_right_from else "---:" for i in range(len(header))) + "|"
    )
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _years_phrase(years: list[str]) -> str:
    if len(years) == 1:
        return years[0]
    return ", ".join(years[:-1]) + " en " + years[-1]


# --- Markdown (Dutch) -----------------------------------------------------------------------


def render_markdown(
    report: dict,
    labels: Labels | None = None,
    *,
    next_year_allocated: Decimal | None = None,
    provider_label: str | None = None,
) -> str:
    labels = labels or Labels()
    years = list(report["years"])
    data = report["years"]
    out = []
    out.append(f"# Antwoord: CS-verbetertrajecten, {_years_phrase(years)}")
    scope = f" voor dienstverlener {provider_label}" if provider_label else ""
    out.append(
        f"_Opgemaakt uit de dossiers in csgrants{scope} op {date.today():%d/%m/%Y}. Een aanvraag telt als "
        "ingediend in het jaar van indiening, als goedgekeurd of geweigerd in het jaar van de beslissing en "
        "als ingetrokken in het jaar van de intrekking._"
    )

    # 1. Budget
    out.append("## 1. Budget per jaar")
    sentences = [f"in {y} {_eur(d['budget']['allocated_eur'])}" for y, d in data.items()]
    out.append(
        "Aan de erkende dienstverleners werd " + _years_phrase(sentences) + " aan budget toegekend "
        "(raamovereenkomst en bijkomende middelen). Daarvan werd door goedkeuringen vastgelegd en uitbetaald:"
    )
    out.append(
        _table(
            ["Jaar", "Toegekend budget", "Vastgelegd door goedkeuringen", "Uitbetaald"],
            [
                [
                    y,
                    _eur(d["budget"]["allocated_eur"]),
                    _eur(d["budget"]["committed_eur"]),
                    _eur(d["budget"]["paid_eur"]),
                ]
                for y, d in data.items()
            ],
        )
    )
    if next_year_allocated is not None and years:
        nxt = int(years[-1]) + 1
        out.append(f"## 2. Bedrag vrijgemaakt voor {nxt}")
        if next_year_allocated > 0:
            out.append(
                f"Voor {nxt} werd tot nu toe {_eur(next_year_allocated)} aan bijkomende middelen toegekend aan "
                "de dienstverleners."
            )
        else:
            out.append(f"Voor {nxt} werden tot nu toe geen bijkomende middelen toegekend.")

    # 5-7. Submitted, approved, rejected with their breakdowns.
    for number, bucket, verb in (
        (5, "submitted", "ingediend"),
        (6, "approved", "goedgekeurd"),
        (7, "rejected", "geweigerd"),
    ):
        out.append(f"## {number}. {BUCKET_TITLES_NL[bucket]}")
        counts = [f"in {y} {d[bucket]['total']}" for y, d in data.items()]
        out.append(f"Er werden {_years_phrase(counts)} aanvragen {verb}.")
        if bucket == "approved":
            for y, d in data.items():
                am = d["amendments"]
                out.append(
                    f"In {y} werden daarmee {d['enterprises_reached']} ondernemingen bereikt, voor een "
                    f"steun-equivalent van {_eur(d['grant_equivalent_eur'])} (inclusief {am['upgrades'] + am['extensions']} "
                    f"goedgekeurde uitbreidingen of upgrades na de initiële aanvraag: "
                    f"{_n(am['upgrades'], 'upgrade', 'upgrades')} en "
                    f"{_n(am['extensions'], 'uitbreidingspakket', 'uitbreidingspakketten')}). "
                    f"{_n(am['enterprises_with_extensions'], 'onderneming maakte', 'ondernemingen maakten')} "
                    "gebruik van een uitbreidingspakket."
                )
        if bucket == "rejected":
            withdrawn = [f"in {y} {d['withdrawn']['total']}" for y, d in data.items()]
            out.append(
                f"Daarnaast werden {_years_phrase(withdrawn)} aanvragen door de dienstverlener ingetrokken."
            )
        for breakdown in BREAKDOWNS:
            out.append(f"### {BREAKDOWN_TITLES_NL[breakdown]}")
            keys = breakdown_keys(report, bucket, breakdown)
            rows = [
                [labels.key(breakdown, k)]
                + [_nl_number(d[bucket][breakdown].get(k, 0)) for d in data.values()]
                for k in keys
            ]
            rows.append(
                ["**Totaal**"] + [f"**{_nl_number(d[bucket]['total'])}**" for d in data.values()]
            )
            out.append(_table(["", *years], rows))
        money_rows = [
            [y, _eur(d[bucket]["cost_eur"]), _eur(d[bucket]["subsidy_eur"])]
            for y, d in data.items()
        ]
        subsidy_head = (
            "Gevraagde steun" if bucket in ("submitted", "rejected") else "Toegekende steun"
        )
        out.append("Kostprijs van de trajecten en steun:")
        out.append(_table(["Jaar", "Kostprijs trajecten", subsidy_head], money_rows))

    # 8. Rejection reasons
    out.append("## 8. Top 3 van de redenen van niet-goedkeuring")
    for y, d in data.items():
        top = d["top_rejection_reasons"]
        if not top:
            out.append(f"In {y} werd geen enkele aanvraag geweigerd.")
            continue
        out.append(f"In {y}:")
        out.append(
            _table(
                ["Plaats", "Reden", "Aantal"],
                [
                    [str(i), labels.reasons.get(r["code"], r["code"]), _nl_number(r["count"])]
                    for i, r in enumerate(top, 1)
                ],
                align_right_from=2,
            )
        )
    out.append("Een aanvraag die om twee redenen geweigerd werd, telt voor elk van beide redenen.")

    # 9. Processing time
    out.append("## 9. Gemiddelde doorlooptijd van indiening tot beslissing")
    for y, d in data.items():
        p = d["processing"]
        if not p["decided"]:
            out.append(f"In {y} werden geen beslissingen genomen.")
            continue
        out.append(
            f"In {y} bedroeg de gemiddelde doorlooptijd {_nl_number(p['mean_working_days'])} werkdagen "
            f"({_nl_number(p['mean_calendar_days'])} kalenderdagen; mediaan {_nl_number(p['median_working_days'])} "
            f"werkdagen). {_nl_number(p['within_sla'])} van de {_nl_number(p['decided'])} beslissingen vielen binnen "
            f"de termijn van {p['sla_working_days']} werkdagen."
        )
    out.append(
        _table(
            [
                "Jaar",
                "Beslissingen",
                "Gemiddeld (werkdagen)",
                "Mediaan (werkdagen)",
                "Gemiddeld (kalenderdagen)",
                "Langste (werkdagen)",
                "Binnen termijn",
            ],
            [
                [
                    y,
                    _nl_number(p["decided"]),
                    _nl_number(p["mean_working_days"]),
                    _nl_number(p["median_working_days"]),
                    _nl_number(p["mean_calendar_days"]),
                    _nl_number(p["max_working_days"]),
                    _nl_number(p["within_sla"]),
                ]
                for y, p in ((y, d["processing"]) for y, d in data.items())
            ],
        )
    )
    out.append(
        "Werkdagen tellen van de dag na de indiening tot en met de dag van de beslissing, zonder weekends, "
        "wettelijke feestdagen, 11 juli en de dagen waarop op bijkomende informatie werd gewacht."
    )
    out.extend(_final_reports_markdown(data))
    out.extend(_insight_markdown(report))
    out.extend(_confirmation_markdown(data))
    return "\n\n".join(out) + "\n"


# --- policy insight (issue 24): runway, inflow, funnel ----------------------------------------

RUNWAY_REASONS_NL = {
    "not_enough_history": "minder dan 8 weken geschiedenis",
    "no_commitments": "niets (netto) vastgelegd in de laatste 26 weken",
    "exhausted": "geen budget meer",
}
FUNNEL_STEPS_NL = {
    "filed": "aangemaakt",
    "confirmed": "bevestigd door de onderneming",
    "submitted": "ingediend",
    "decided": "beslist",
    "approved": "goedgekeurd",
    "started": "traject gestart",
    "final_report_accepted": "eindrapport aanvaard",
    "paid": "uitbetaald",
}
INFLOW_MEASURES_NL = {
    "submitted": "Ingediend",
    "approved": "Goedgekeurd",
    "enterprises_reached": "Ondernemingen bereikt",
}


def _nl_date(iso: str | None) -> str:
    return "" if not iso else f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def _runway_cells(r: dict) -> list[str]:
    if r["reason"] and r["reason"] != "exhausted":
        return [RUNWAY_REASONS_NL.get(r["reason"], r["reason"]), "", ""]
    if r["reason"] == "exhausted":
        return [RUNWAY_REASONS_NL["exhausted"], "", ""]
    e = r["exhaustion"]
    return [_nl_date(e["p10"]), _nl_date(e["p50"]), _nl_date(e["p90"])]


def confounded_months(inflow: dict) -> list[list[dict]]:
    """Groups of two or more changes in the same month: their effects cannot be told apart."""
    by_month: dict[str, list[dict]] = {}
    for c in inflow.get("changes", []):
        by_month.setdefault(c["month"], []).append(c)
    return [group for group in by_month.values() if len(group) > 1]


def _insight_markdown(report: dict) -> list[str]:
    out: list[str] = []
    runway = report.get("runway")
    if runway:
        out.append("## 10. Hoe lang volstaat het budget?")
        out.append(
            f"Vooruitblik op {_nl_date(runway['as_of'])}: als de vastleggingen (min de vrijgekomen "
            "bedragen) doorgaan zoals in de laatste 26 weken, raakt het beschikbare budget op "
            "tegen deze data. P10: in 1 op 10 gesimuleerde verlopen vroeger; P50: de mediaan; "
            "P90: in 9 op 10 vroeger. Bijkomende middelen, beleidswijzigingen en drukke periodes "
            "die niet in de laatste 26 weken zaten, kent deze vooruitblik niet."
        )
        rows = [
            [r["provider"], _eur(r["available_eur"]), _eur(r["weekly_commitments_eur"]["mean"])]
            + _runway_cells(r)
            for r in runway["providers"]
        ]
        t = runway["total"]
        rows.append(
            ["**Regeling**", _eur(t["available_eur"]), _eur(t["weekly_commitments_eur"]["mean"])]
            + _runway_cells(t)
        )
        out.append(
            _table(["Dienstverlener", "Beschikbaar", "Netto per week", "P10", "P50", "P90"], rows)
        )
    inflow = report.get("inflow")
    if inflow and inflow.get("months"):
        out.append("## 11. Instroom per maand")
        out.append(
            _table(
                ["Maand", *INFLOW_MEASURES_NL.values()],
                [
                    [m["month"], *[_nl_number(m[k]["total"]) for k in INFLOW_MEASURES_NL]]
                    for m in inflow["months"]
                ],
            )
        )
        if inflow["changes"]:
            out.append(
                "Beleidswijzigingen in deze periode: "
                + "; ".join(
                    f"{_nl_date(c['date'])} "
                    + (c["label"] if c["kind"] == "policy" else f"introductie van {c['label']}")
                    for c in inflow["changes"]
                )
                + "."
            )
        for group in confounded_months(inflow):
            out.append(
                "Let op: "
                + " en ".join(c["label"] for c in group)
                + " vielen samen; wat elk van beide aan de instroom veranderde, is uit deze "
                "cijfers niet te scheiden. Een vergelijking voor en na is geen gemeten effect."
            )
    funnel = report.get("funnel")
    if funnel:
        out.append("## 12. Trechter: waar haken dossiers af?")
        for y, f in funnel.items():
            out.append(f"Dossiers aangemaakt in {y}:")
            out.append(
                _table(
                    ["Stap", "Dossiers", "Doorgestroomd", "Mediaan werkdagen sinds vorige stap"],
                    [
                        [
                            FUNNEL_STEPS_NL.get(s["step"], s["step"]),
                            _nl_number(s["reached"]),
                            "" if s["moved_on_share"] is None else _share(s["moved_on_share"]),
                            ""
                            if s["median_working_days"] is None
                            else _nl_number(s["median_working_days"]),
                        ]
                        for s in f["steps"]
                    ],
                )
            )
        out.append(
            'Uit de statushistoriek. "Bevestigd door de onderneming" telt de dossiers die '
            "langs die bevestiging gingen, vanaf de dag dat die stap bestaat."
        )
    return out


CYFUN_NL = {
    "identify": "Identificeren",
    "protect": "Beschermen",
    "detect": "Detecteren",
    "respond": "Reageren",
    "recover": "Herstellen",
}


def _share(value) -> str:
    return "-" if value is None else f"{_nl_number(round(value * 100, 2))}%"


def _mean(value) -> str:
    return "-" if value is None else _nl_number(value)


def _final_reports_markdown(data: dict) -> list[str]:
    """Final reports accepted in the year: satisfaction and CyberFundamentals maturity."""
    if not any(d.get("final_reports") for d in data.values()):
        return []
    out = ["## Eindverslagen: maturiteit en tevredenheid"]
    out.append(
        _table(
            [
                "Jaar",
                "Eindverslagen",
                "Vooruitgang geboekt",
                "Overtuigd om verder te investeren",
                "Gemiddelde tevredenheid (1-5)",
            ],
            [
                [
                    y,
                    _nl_number(f["count"]),
                    _share(f["made_progress_share"]),
                    _share(f["keep_investing_share"]),
                    _mean(f["mean_satisfaction"]),
                ]
                for y, f in ((y, d["final_reports"]) for y, d in data.items())
            ],
        )
    )
    for y, d in data.items():
        f = d["final_reports"]
        if not f["count"]:
            continue
        out.append(
            f"Gemiddelde maturiteit in {y} per CyberFundamentals-functie (1 = initieel, 5 = optimaliserend):"
        )
        out.append(
            _table(
                [
                    "Functie",
                    "Documentatie vooraf",
                    "Documentatie achteraf",
                    "Implementatie vooraf",
                    "Implementatie achteraf",
                ],
                [
                    [
                        CYFUN_NL.get(fn, fn),
                        _mean(m["documentation"]["before"]),
                        _mean(m["documentation"]["after"]),
                        _mean(m["implementation"]["before"]),
                        _mean(m["implementation"]["after"]),
                    ]
                    for fn, m in f["maturity"].items()
                ],
            )
        )
    return out


def _confirmation_markdown(data: dict) -> list[str]:
    """The wait for the enterprise's confirmation (issue 22), before the decision term starts."""
    if not any(d.get("enterprise_confirmation") for d in data.values()):
        return []
    out = ["## Wachttijd op de bevestiging door de onderneming"]
    out.append(
        "De beslissingstermijn en de doorlooptijd lopen vanaf de bevestiging door de "
        "onderneming; daarvoor wacht het dossier bij de onderneming."
    )
    out.append(
        _table(
            [
                "Jaar",
                "Bevestigd",
                "Gemiddeld gewacht (dagen)",
                "Mediaan (dagen)",
                "Langst (dagen)",
                "Wachten nu",
            ],
            [
                [
                    y,
                    _nl_number(c["confirmed"]),
                    _mean(c["mean_days_waited"]),
                    _mean(c["median_days_waited"]),
                    _mean(c["max_days_waited"]),
                    _nl_number(c["waiting_now"]),
                ]
                for y, c in ((y, d["enterprise_confirmation"]) for y, d in data.items())
                if c
            ],
        )
    )
    return out


# --- CSV ------------------------------------------------------------------------------------


def report_rows(report: dict):
    """(year, section, breakdown, key, value) for every figure of the report."""
    for y, d in report["years"].items():
        for bucket in ("submitted", "approved", "rejected", "withdrawn"):
            b = d[bucket]
            yield y, bucket, "total", "", b["total"]
            for breakdown in BREAKDOWNS:
                for k, v in b[breakdown].items():
                    yield y, bucket, breakdown, k, v
            yield y, bucket, "cost_eur", "", b["cost_eur"]
            yield y, bucket, "subsidy_eur", "", b["subsidy_eur"]
        for i, r in enumerate(d["top_rejection_reasons"], 1):
            yield y, "top_rejection_reasons", str(i), r["code"], r["count"]
        for k, v in d["processing"].items():
            yield y, "processing", k, "", v
        yield y, "enterprises_reached", "", "", d["enterprises_reached"]
        yield y, "grant_equivalent_eur", "", "", d["grant_equivalent_eur"]
        for k, v in d["amendments"].items():
            yield y, "amendments", k, "", v
        for k, v in d["budget"].items():
            yield y, "budget", k, "", v
        for k, v in (d.get("enterprise_confirmation") or {}).items():
            yield y, "enterprise_confirmation", k, "", v
        f = d.get("final_reports")
        if f:
            for k in ("count", "made_progress_share", "keep_investing_share", "mean_satisfaction"):
                yield y, "final_reports", k, "", f[k]
            for fn, m in f["maturity"].items():
                for aspect, values in m.items():
                    for when, v in values.items():
                        yield y, "final_reports", f"maturity_{aspect}_{when}", fn, v


def render_csv(report: dict) -> str:
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["year", "section", "breakdown", "key", "value"])
    for row in report_rows(report):
        w.writerow(row)
    return buf.getvalue()


# --- XLSX -----------------------------------------------------------------------------------


def render_xlsx(
    report: dict, labels: Labels | None = None, *, next_year_allocated: Decimal | None = None
) -> bytes:
    """One sheet per question of the parliamentary question. Amounts are numbers formatted as
    euro so that analysts can add them up."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    labels = labels or Labels()
    years = list(report["years"])
    data = report["years"]
    wb = Workbook()
    bold = Font(bold=True)
    eur = '"€" #,##0.00'

    def sheet(title, header):
        ws = wb.create_sheet(title[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        return ws

    wb.remove(wb.active)
    ws = sheet("1 Budget", ["Jaar", "Toegekend budget", "Vastgelegd", "Uitbetaald"])
    for y, d in data.items():
        ws.append(
            [int(y)]
            + [Decimal(d["budget"][k]) for k in ("allocated_eur", "committed_eur", "paid_eur")]
        )
        for c in ws[ws.max_row][1:]:
            c.number_format = eur
    if next_year_allocated is not None and years:
        ws = sheet("2 Budget volgend jaar", ["Jaar", "Toegekend budget"])
        ws.append([int(years[-1]) + 1, next_year_allocated])
        ws.cell(row=2, column=2).number_format = eur
    for number, bucket in ((5, "submitted"), (6, "approved"), (7, "rejected")):
        ws = sheet(f"{number} {BUCKET_TITLES_NL[bucket]}", ["Opsplitsing", "Categorie", *years])
        ws.append(["Totaal", "", *[d[bucket]["total"] for d in data.values()]])
        for breakdown in BREAKDOWNS:
            for k in breakdown_keys(report, bucket, breakdown):
                ws.append(
                    [
                        BREAKDOWN_TITLES_NL[breakdown],
                        labels.key(breakdown, k),
                        *[d[bucket][breakdown].get(k, 0) for d in data.values()],
                    ]
                )
        ws.append(
            ["Kostprijs trajecten", "", *[Decimal(d[bucket]["cost_eur"]) for d in data.values()]]
        )
        ws.append(["Steun", "", *[Decimal(d[bucket]["subsidy_eur"]) for d in data.values()]])
        for row in list(ws.iter_rows(min_row=ws.max_row - 1)):
            for c in row[2:]:
                c.number_format = eur
        if bucket == "approved":
            ws.append(
                ["Ondernemingen bereikt", "", *[d["enterprises_reached"] for d in data.values()]]
            )
            ws.append(
                [
                    "Steun-equivalent",
                    "",
                    *[Decimal(d["grant_equivalent_eur"]) for d in data.values()],
                ]
            )
            for c in ws[ws.max_row][2:]:
                c.number_format = eur
            for k, title in (
                ("upgrades", "Upgrades"),
                ("extensions", "Uitbreidingspakketten"),
                ("enterprises_with_extensions", "Ondernemingen met uitbreidingspakket"),
            ):
                ws.append([title, "", *[d["amendments"][k] for d in data.values()]])
        if bucket == "rejected":
            ws.append(["Ingetrokken", "", *[d["withdrawn"]["total"] for d in data.values()]])
    ws = sheet("8 Weigeringsredenen", ["Jaar", "Plaats", "Code", "Reden", "Aantal"])
    for y, d in data.items():
        for i, r in enumerate(d["top_rejection_reasons"], 1):
            ws.append([int(y), i, r["code"], labels.reasons.get(r["code"], r["code"]), r["count"]])
    ws = sheet(
        "9 Doorlooptijd",
        [
            "Jaar",
            "Beslissingen",
            "Gemiddeld (werkdagen)",
            "Mediaan (werkdagen)",
            "Gemiddeld (kalenderdagen)",
            "Langste (werkdagen)",
            "Binnen termijn",
            "Termijn (werkdagen)",
        ],
    )
    for y, d in data.items():
        p = d["processing"]
        ws.append(
            [
                int(y),
                p["decided"],
                p["mean_working_days"],
                p["median_working_days"],
                p["mean_calendar_days"],
                p["max_working_days"],
                p["within_sla"],
                p["sla_working_days"],
            ]
        )
    _insight_sheets(report, sheet, eur)
    # The final reports accepted in each year: counts, shares, satisfaction and the mean
    # CyberFundamentals maturity per function before and after the trajectory.
    ws = sheet(
        "13 Eindverslagen",
        [
            "Jaar",
            "Eindverslagen",
            "Vooruitgang geboekt",
            "Overtuigd om verder te investeren",
            "Gemiddelde tevredenheid (1-5)",
            "Functie",
            "Documentatie vooraf",
            "Documentatie achteraf",
            "Implementatie vooraf",
            "Implementatie achteraf",
        ],
    )
    for y, d in data.items():
        f = d.get("final_reports") or {}
        count = f.get("count", 0)

        def share(key, f=f):
            value = f.get(key)
            return None if value is None else Decimal(str(value))

        head = [
            int(y),
            count,
            share("made_progress_share"),
            share("keep_investing_share"),
            share("mean_satisfaction"),
        ]
        maturity = f.get("maturity") or {}
        if not maturity:
            ws.append(head)
        for function, m in maturity.items():
            ws.append(
                [
                    *head,
                    labels.cyfun(function),
                    m["documentation"]["before"],
                    m["documentation"]["after"],
                    m["implementation"]["before"],
                    m["implementation"]["after"],
                ]
            )
        for row in ws.iter_rows(min_row=2):
            for c in row[2:4]:
                if c.value is not None:
                    c.number_format = "0%"
    for ws in wb.worksheets:
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    return xlsx_bytes(wb)


def _insight_sheets(report: dict, sheet, eur: str) -> None:
    """One sheet each for the runway, the inflow and the funnel, when the report has them."""
    runway = report.get("runway")
    if runway:
        ws = sheet(
            "10 Budgetlooptijd",
            [
                "Dienstverlener",
                "Beschikbaar",
                "Weken geschiedenis",
                "Netto per week",
                "P10",
                "P50",
                "P90",
                "Reden",
            ],
        )
        for r in [*runway["providers"], {**runway["total"], "provider": "Regeling"}]:
            e = r["exhaustion"] or {}
            ws.append(
                [
                    r["provider"],
                    Decimal(r["available_eur"]),
                    r["weekly_commitments_eur"]["weeks"],
                    Decimal(r["weekly_commitments_eur"]["mean"]),
                    *[
                        date.fromisoformat(e[k]) if e.get(k) else None
                        for k in ("p10", "p50", "p90")
                    ],
                    RUNWAY_REASONS_NL.get(r["reason"], "") if r["reason"] else "",
                ]
            )
            for c in (ws.cell(ws.max_row, 2), ws.cell(ws.max_row, 4)):
                c.number_format = eur
            for col in (5, 6, 7):
                ws.cell(ws.max_row, col).number_format = "DD/MM/YYYY"
    inflow = report.get("inflow")
    if inflow:
        packages = inflow["packages"]
        ws = sheet(
            "11 Instroom",
            ["Maand", "Meting", "Totaal", *packages],
        )
        for m in inflow["months"]:
            for k, title in INFLOW_MEASURES_NL.items():
                ws.append(
                    [
                        m["month"],
                        title,
                        m[k]["total"],
                        *[m[k]["by_package"].get(p, 0) for p in packages],
                    ]
                )
        ws.append([])
        ws.append(["Wijzigingen"])
        for c in inflow["changes"]:
            ws.append(
                [
                    c["month"],
                    "beleidsversie" if c["kind"] == "policy" else "nieuw pakket",
                    c["label"],
                    c["date"],
                ]
            )
    funnel = report.get("funnel")
    if funnel:
        ws = sheet(
            "12 Trechter",
            ["Jaar", "Stap", "Dossiers", "Doorgestroomd", "Mediaan werkdagen sinds vorige stap"],
        )
        for y, f in funnel.items():
            for s in f["steps"]:
                ws.append(
                    [
                        int(y),
                        FUNNEL_STEPS_NL.get(s["step"], s["step"]),
                        s["reached"],
                        s["moved_on_share"],
                        s["median_working_days"],
                    ]
                )
                if s["moved_on_share"] is not None:
                    ws.cell(ws.max_row, 4).number_format = "0.0%"
