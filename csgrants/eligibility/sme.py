"""The EU definition of a small or medium-sized enterprise (SME, kmo).

Implements Commission Recommendation 2003/361/EC, Annex, as laid down in
``shared/contracts/eligibility.md`` (rules 1-6):

- art. 2: the ceilings. Micro < 10 annual work units (AWU, JAE), small < 50, medium < 250,
  AND turnover or balance sheet total at most EUR 2M/2M, 10M/10M, 50M/43M. Headcount is strict
  ("fewer than"), money is "not exceeding".
- art. 3(2): partner enterprises (25% or more, not linked), with the exempt investors that may
  hold 25-50% without making the enterprise a partner (business angels only below EUR 1,250,000).
- art. 3(3): linked enterprises (majority of votes, board, dominant influence, control by
  agreement; the ``control`` flag of the input, implied by a share above 50%).
- art. 3(4): 25% or more held by one or more public bodies: not an SME, whatever the size.
- art. 4(2): a category changes only when a ceiling is crossed in two consecutive periods.
- art. 6(2)-(3): partners are added pro rata by the greater of capital and voting share, linked
  enterprises at 100%; a relation's figures are given consolidated (its own linked enterprises
  included), so they are used as given.

Maatwerkbedrijven (social-economy enterprises) are exempt from the test by the scheme's own
rules, not by the Recommendation.

Where the contract is silent, the choices are these (and the tests pin them down):

- Holdings of upstream relations acting jointly are added up (capital with capital, votes with
  votes) and the group is judged as one: more than 50% or any control makes every member
  linked (an exempt investor loses its exemption, art. 3(2) "not linked ... jointly"); 25-50%
  makes each non-exempt member a partner counted by its own share; exempt members stay exempt.
- All public bodies' holdings are added up for art. 3(4) ("jointly or individually"), whether
  or not they act jointly.
- ``investor_category`` describes an investor in the enterprise; on a downstream relation it has
  no effect.
- Aggregated figures are rounded to the cent (AWU to 0.01) before the ceilings are applied, so
  that the category can be checked against the figures shown in the answer.
- The two-period rule is read as art. 4(2) reads, by ceilings: going from oldest to newest, two
  consecutive periods that both lie beyond the current status on the same side move the status
  to the nearer of the two categories. Where both periods show the same category this is the
  contract's "two consecutive periods both show that new category". Where they differ (large
  status, then medium, then small) the enterprise has been below the SME ceilings twice in a row
  and becomes medium; a literal "same category twice" reading would keep it large, and would
  let a higher figure turn a large enterprise into an SME.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext

from . import _format as fmt
from .errors import EligibilityInputError
from .types import (
    CATEGORIES_BY_RANK,
    EXEMPT_INVESTOR_CATEGORIES,
    Category,
    Direction,
    EnterpriseKind,
    Figures,
    InvestorCategory,
    Period,
    PeriodOutcome,
    Reason,
    Relation,
    RelationOutcome,
    SmeInput,
    SmeResult,
    Status,
    Treatment,
)

PARTNER_THRESHOLD = Decimal(25)  # art. 3(2): 25% or more
LINKED_THRESHOLD = Decimal(50)  # art. 3(3)(a): a majority, i.e. more than 50%
PUBLIC_BODY_THRESHOLD = Decimal(25)  # art. 3(4): 25% or more
BUSINESS_ANGEL_LIMIT = Decimal(1_250_000)  # art. 3(2)(a): total investment below EUR 1,250,000

# Annex art. 2: (headcount strictly below, turnover at most, balance sheet total at most).
CEILINGS: tuple[tuple[Category, Decimal, Decimal, Decimal], ...] = (
    (Category.MICRO, Decimal(10), Decimal(2_000_000), Decimal(2_000_000)),
    (Category.SMALL, Decimal(50), Decimal(10_000_000), Decimal(10_000_000)),
    (Category.MEDIUM, Decimal(250), Decimal(50_000_000), Decimal(43_000_000)),
)

_CENT = Decimal("0.01")
_ZERO = Figures(Decimal(0), Decimal(0), Decimal(0))


# ---------------------------------------------------------------------------------------------
# Labels and messages


_CATEGORY_LABEL = {
    "nl": {
        Category.MICRO: "micro-kmo",
        Category.SMALL: "kleine kmo",
        Category.MEDIUM: "middelgrote kmo",
        Category.LARGE: "grote onderneming (geen kmo)",
    },
    "en": {
        Category.MICRO: "micro SME",
        Category.SMALL: "small SME",
        Category.MEDIUM: "medium-sized SME",
        Category.LARGE: "large enterprise (not an SME)",
    },
}

_INVESTOR_LABEL = {
    "nl": {
        InvestorCategory.PUBLIC_INVESTMENT_CORPORATION: "publieke participatiemaatschappij",
        InvestorCategory.VENTURE_CAPITAL: "durfkapitaalvennootschap",
        InvestorCategory.BUSINESS_ANGEL: "business angels",
        InvestorCategory.UNIVERSITY: "universiteit",
        InvestorCategory.RESEARCH_CENTRE: "onderzoekscentrum zonder winstoogmerk",
        InvestorCategory.INSTITUTIONAL_INVESTOR: "institutionele belegger",
        InvestorCategory.REGIONAL_DEVELOPMENT_FUND: "regionaal ontwikkelingsfonds",
        InvestorCategory.SMALL_LOCAL_AUTHORITY: "kleine autonome lokale overheid",
        InvestorCategory.PUBLIC_BODY: "publieke overheid",
    },
    "en": {
        InvestorCategory.PUBLIC_INVESTMENT_CORPORATION: "public investment corporation",
        InvestorCategory.VENTURE_CAPITAL: "venture capital company",
        InvestorCategory.BUSINESS_ANGEL: "business angels",
        InvestorCategory.UNIVERSITY: "university",
        InvestorCategory.RESEARCH_CENTRE: "non-profit research centre",
        InvestorCategory.INSTITUTIONAL_INVESTOR: "institutional investor",
        InvestorCategory.REGIONAL_DEVELOPMENT_FUND: "regional development fund",
        InvestorCategory.SMALL_LOCAL_AUTHORITY: "small autonomous local authority",
        InvestorCategory.PUBLIC_BODY: "public body",
    },
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def category_label(category: Category, lang: str = "nl") -> str:
    return _CATEGORY_LABEL[_lang(lang)][category]


def _names(names: list[str], lang: str) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {fmt.pick(lang, 'en', 'and')} {names[-1]}"


def _pct(value: Decimal, lang: str) -> str:
    return f"{fmt.number(value, lang)}%"


# ---------------------------------------------------------------------------------------------
# Rules 1-4: how each relation is treated


@dataclass(frozen=True)
class _Judgement:
    relation: Relation
    treatment: Treatment
    share_pct: Decimal  # of the relation's figures added
    holding_pct: Decimal  # judged: own, or the group's when acting jointly
    group: tuple[str, ...]  # names acting jointly, this one included, in input order
    # The relationship that the holding alone would make, for ``status`` when a public body's
    # share is not aggregated.
    underlying: Status


def _is_exempt(relation: Relation) -> bool:
    if relation.investor_category not in EXEMPT_INVESTOR_CATEGORIES:
        return False
    if relation.investor_category is InvestorCategory.BUSINESS_ANGEL:
        # Parsing makes investment_eur required for angels; a missing one earns no exemption.
        return (
            relation.investment_eur is not None and relation.investment_eur < BUSINESS_ANGEL_LIMIT
        )
    return True


def _groups(relations: tuple[Relation, ...]) -> dict[str, tuple[str, ...]]:
    """Upstream relations acting jointly, as connected groups (acting jointly is symmetric and,
    for judging holdings together, transitive)."""
    upstream = [r.name for r in relations if r.direction is Direction.UPSTREAM]
    parent = {name: name for name in upstream}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for relation in relations:
        if relation.direction is not Direction.UPSTREAM:
            continue
        for other in relation.acting_jointly_with:
            if other in parent and other != relation.name:
                parent[find(other)] = find(relation.name)
    members: dict[str, list[str]] = {}
    for name in upstream:
        members.setdefault(find(name), []).append(name)
    return {name: tuple(members[find(name)]) for name in upstream}


def _judge(relations: tuple[Relation, ...]) -> tuple[list[_Judgement], tuple[str, ...], Decimal]:
    by_name = {r.name: r for r in relations}
    groups = _groups(relations)

    # Rule 1 (art. 3(4)): the public bodies' holdings together, capital and votes apart.
    public = [
        r
        for r in relations
        if r.direction is Direction.UPSTREAM and r.investor_category is InvestorCategory.PUBLIC_BODY
    ]
    public_pct = max(
        sum((r.capital_pct for r in public), Decimal(0)),
        sum((r.voting_pct for r in public), Decimal(0)),
    )
    public_control = public_pct >= PUBLIC_BODY_THRESHOLD
    public_names = {r.name for r in public}

    judgements = []
    for relation in relations:
        if relation.direction is Direction.UPSTREAM:
            group = groups[relation.name]
            members = [by_name[name] for name in group]
            holding = max(
                sum((m.capital_pct for m in members), Decimal(0)),
                sum((m.voting_pct for m in members), Decimal(0)),
            )
            control = any(m.control for m in members)
        else:
            group = (relation.name,)
            holding = relation.holding_pct
            control = relation.control
        linked = control or holding > LINKED_THRESHOLD
        underlying = (
            Status.LINKED
            if linked
            else Status.PARTNER
            if holding >= PARTNER_THRESHOLD
            else Status.AUTONOMOUS
        )
        exempt = relation.direction is Direction.UPSTREAM and _is_exempt(relation)

        if public_control and relation.name in public_names:
            treatment, share = Treatment.PUBLIC_BODY, Decimal(0)
            public_linked = public_pct > LINKED_THRESHOLD or any(r.control for r in public)
            underlying = Status.LINKED if public_linked else Status.PARTNER
        elif linked:  # rule 2, and rule 3's last sentence for exempt investors acting jointly
            treatment, share = Treatment.LINKED, Decimal(100)
        elif holding >= PARTNER_THRESHOLD:  # rule 3
            if exempt:
                treatment, share = Treatment.EXEMPT_INVESTOR, Decimal(0)
                underlying = Status.AUTONOMOUS  # the point of the exemption
            else:
                treatment, share = Treatment.PARTNER, relation.holding_pct
        else:  # rule 4
            treatment, share = Treatment.BELOW_THRESHOLD, Decimal(0)
        judgements.append(_Judgement(relation, treatment, share, holding, group, underlying))
    controlling = tuple(r.name for r in public) if public_control else ()
    return judgements, controlling, public_pct


def _relation_reason(j: _Judgement, lang: str) -> Reason | None:
    r = j.relation
    name = r.name
    others = [n for n in j.group if n != name]
    if j.treatment is Treatment.PUBLIC_BODY:
        return None  # explained once, by the PUBLIC_BODY_CONTROL reason
    if j.treatment is Treatment.LINKED:
        # A group is linked by its combined holding over 50%, or by a member's control.
        by_holding = j.holding_pct > LINKED_THRESHOLD
        if others and _is_exempt(r):
            group = _names(list(j.group), lang)
            held = _pct(j.holding_pct, lang)
            how_nl = f"houden samen {held}, meer dan 50%" if by_holding else "hebben zeggenschap"
            how_en = f"together hold {held}, more than 50%" if by_holding else "have control"
            return Reason(
                "EXEMPTION_LOST_ACTING_JOINTLY",
                fmt.pick(
                    lang,
                    f"100% van {name} toegevoegd (verbonden onderneming: {group} handelen samen en "
                    f"{how_nl}, dus vervalt de vrijstelling als investeerder)",
                    f"100% of {name} added (linked enterprise: {group} act jointly and "
                    f"{how_en}, so the investor exemption is lost)",
                ),
            )
        if others:
            together_nl = f"samen {_pct(j.holding_pct, 'nl')}" if by_holding else "met zeggenschap"
            together_en = f"together {_pct(j.holding_pct, 'en')}" if by_holding else "with control"
            why_nl = f"verbonden onderneming: handelt samen met {_names(others, 'nl')}, "
            why_nl += together_nl
            why_en = f"linked enterprise: acts jointly with {_names(others, 'en')}, "
            why_en += together_en
        elif r.capital_pct > LINKED_THRESHOLD or r.voting_pct > LINKED_THRESHOLD:
            why_nl = f"verbonden onderneming: {_pct(r.holding_pct, 'nl')}, meer dan 50%"
            why_en = f"linked enterprise: {_pct(r.holding_pct, 'en')}, more than 50%"
        else:
            why_nl, why_en = "verbonden onderneming: zeggenschap", "linked enterprise: control"
        return Reason(
            "LINKED_AGGREGATED",
            fmt.pick(
                lang, f"100% van {name} toegevoegd ({why_nl})", f"100% of {name} added ({why_en})"
            ),
        )
    if j.treatment is Treatment.PARTNER:
        share = _pct(j.share_pct, lang)
        extra_nl, extra_en = [], []
        if r.investor_category is InvestorCategory.BUSINESS_ANGEL:
            # the parser requires the angels' investment (Art. 3(2)(a))
            assert r.investment_eur is not None
            invested_nl, invested_en = (
                fmt.money(r.investment_eur, "nl"),
                fmt.money(r.investment_eur, "en"),
            )
            extra_nl.append(
                f"business angels investeerden {invested_nl}, niet minder dan € 1.250.000,00"
            )
            extra_en.append(
                f"the business angels invested {invested_en}, not less than €1,250,000.00"
            )
        if others:
            extra_nl.append(
                f"handelt samen met {_names(others, 'nl')}, samen {_pct(j.holding_pct, 'nl')}"
            )
            extra_en.append(
                f"acts jointly with {_names(others, 'en')}, together {_pct(j.holding_pct, 'en')}"
            )
        tail_nl = "".join(f"; {e}" for e in extra_nl)
        tail_en = "".join(f"; {e}" for e in extra_en)
        return Reason(
            "PARTNER_AGGREGATED",
            fmt.pick(
                lang,
                f"{share} van {name} toegevoegd (partneronderneming{tail_nl})",
                f"{share} of {name} added (partner enterprise{tail_en})",
            ),
        )
    held = _pct(r.holding_pct, lang)
    if j.treatment is Treatment.EXEMPT_INVESTOR:
        assert r.investor_category is not None  # only an investor is exempt
        label = _INVESTOR_LABEL[_lang(lang)][r.investor_category]
        return Reason(
            "EXEMPT_INVESTOR",
            fmt.pick(
                lang,
                f"{held} van {name} niet meegeteld (vrijgestelde investeerder: {label})",
                f"{held} of {name} not counted (exempt investor: {label})",
            ),
        )
    return Reason(
        "BELOW_THRESHOLD",
        fmt.pick(
            lang,
            f"{held} van {name} niet meegeteld (minder dan 25%)",
            f"{held} of {name} not counted (less than 25%)",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Rule 5: the category of a period


def categorize(figures: Figures) -> Category:
    """Annex art. 2: headcount strictly below AND (turnover or balance sheet at most)."""
    for category, staff, turnover, balance in CEILINGS:
        if figures.staff_awu < staff and (
            figures.turnover_eur <= turnover or figures.balance_sheet_eur <= balance
        ):
            return category
    return Category.LARGE


def _aggregate(own: Period, judgements: list[_Judgement]) -> Figures:
    year = own.year_end.year
    staff, turnover, balance = own.staff_awu, own.turnover_eur, own.balance_sheet_eur
    for j in judgements:
        if not j.share_pct:
            continue
        # A relation without figures for this year counts as zero for it (contract).
        theirs = next((p for p in j.relation.periods if p.year_end.year == year), None)
        if theirs is None:
            continue
        staff += theirs.staff_awu * j.share_pct / 100
        turnover += theirs.turnover_eur * j.share_pct / 100
        balance += theirs.balance_sheet_eur * j.share_pct / 100
    return Figures(
        staff_awu=staff.quantize(_CENT, rounding=ROUND_HALF_UP),
        turnover_eur=turnover.quantize(_CENT, rounding=ROUND_HALF_UP),
        balance_sheet_eur=balance.quantize(_CENT, rounding=ROUND_HALF_UP),
    )


# ---------------------------------------------------------------------------------------------
# Rule 6: two consecutive periods


def status_over_periods(categories: list[Category]) -> Category:
    """Annex art. 4(2), read by ceilings (see the module docstring).

    Each pair of consecutive periods clamps the status into the range that the pair spans: a
    status above both moves down to the higher of the two, a status below both moves up to the
    lower of the two, a status within the range stays.
    """
    status = categories[0]
    for previous, current in zip(categories, categories[1:], strict=False):
        low, high = sorted((previous.rank, current.rank))
        status = CATEGORIES_BY_RANK[min(max(status.rank, low), high)]
    return status


def _summary(period: PeriodOutcome, lang: str) -> str:
    f, category, year = period.aggregated, period.category, period.year_end.year
    nl = _lang(lang) == "nl"
    awu = f"{fmt.number(f.staff_awu, lang)} {'JAE' if nl else 'AWU'}"
    turnover = fmt.money_short(f.turnover_eur, lang)
    balance = fmt.money_short(f.balance_sheet_eur, lang)
    label = category_label(category, lang)
    when = f"(boekjaar {year})" if nl else f"(financial year {year})"
    if category is not Category.LARGE:
        _c, _s, turnover_ceiling, _b = next(c for c in CEILINGS if c[0] is category)
        if f.turnover_eur <= turnover_ceiling:
            money = f"omzet {turnover}" if nl else f"turnover {turnover}"
        else:
            ceiling = fmt.money_short(turnover_ceiling, lang)
            money = (
                f"balanstotaal {balance} (omzet {turnover} boven {ceiling})"
                if nl
                else f"balance sheet total {balance} (turnover {turnover} above {ceiling})"
            )
        return f"{awu}, {money} {when}: {label}"
    if f.staff_awu >= 250:
        return f"{awu} (250 {'of meer' if nl else 'or more'}) {when}: {label}"
    if nl:
        money = f"omzet {turnover} boven € 50.000.000,00 en balanstotaal {balance} boven € 43.000.000,00"
    else:
        money = (
            f"turnover {turnover} above €50,000,000.00 and balance sheet total {balance} "
            "above €43,000,000.00"
        )
    return f"{awu}, {money} {when}: {label}"


# ---------------------------------------------------------------------------------------------
# The verdict


def evaluate_sme(inp: SmeInput, lang: str = "nl") -> SmeResult:
    """Apply the contract's rules 1-6 to a validated input; messages in Dutch or English."""
    lang = _lang(lang)
    if not inp.enterprise.periods:
        # parse_sme_input guarantees a period; typed callers get the same error it would give.
        raise EligibilityInputError(
            "enterprise.periods", gettext("must hold at least one accounting period")
        )
    with localcontext() as ctx:
        # Figures are at most 10^13 with six decimals; the default 28 digits would already do,
        # a wider context makes sure a sum of many relations is never rounded before quantize.
        ctx.prec = 60
        judgements, public_names, public_pct = _judge(inp.relations)
        ordered = sorted(inp.enterprise.periods, key=lambda p: p.year_end)
        periods = []
        for own in ordered:
            aggregated = _aggregate(own, judgements)
            periods.append(PeriodOutcome(own.year_end, categorize(aggregated), aggregated))

    category = status_over_periods([p.category for p in periods])
    maatwerkbedrijf = inp.enterprise.kind is EnterpriseKind.MAATWERKBEDRIJF
    is_sme = maatwerkbedrijf or (category.is_sme and not public_names)

    underlying = {j.underlying for j in judgements}
    status = (
        Status.LINKED
        if Status.LINKED in underlying
        else Status.PARTNER
        if Status.PARTNER in underlying
        else Status.AUTONOMOUS
    )

    reasons: list[Reason] = []
    if maatwerkbedrijf:
        reasons.append(
            Reason(
                "EXEMPT_MAATWERKBEDRIJF",
                fmt.pick(
                    lang,
                    "Maatwerkbedrijf: vrijgesteld van de kmo-toets, geldt als kmo ongeacht de "
                    "omvang",
                    "Maatwerkbedrijf (social-economy enterprise): exempt from the SME test, counts "
                    "as an SME whatever its size",
                ),
            )
        )
    if public_names:
        many = len(public_names) > 1
        who_nl = (
            f"Publieke overheden {_names(list(public_names), 'nl')} houden samen"
            if many
            else f"Publieke overheid {public_names[0]} houdt"
        )
        who_en = (
            f"Public bodies {_names(list(public_names), 'en')} together hold"
            if many
            else f"Public body {public_names[0]} holds"
        )
        held_nl, held_en = _pct(public_pct, "nl"), _pct(public_pct, "en")
        if maatwerkbedrijf:
            tail_nl = "; voor een maatwerkbedrijf speelt dat in de kmo-toets geen rol"
            tail_en = "; for a maatwerkbedrijf this plays no part in the SME test"
        else:
            tail_nl, tail_en = ": geen kmo, ongeacht de omvang", ": not an SME, whatever its size"
        reasons.append(
            Reason(
                "PUBLIC_BODY_CONTROL",
                fmt.pick(
                    lang,
                    f"{who_nl} {held_nl} van het kapitaal of de stemrechten (25% of meer){tail_nl}",
                    f"{who_en} {held_en} of the capital or voting rights (25% or more){tail_en}",
                ),
            )
        )
    for j in judgements:
        reason = _relation_reason(j, lang)
        if reason is not None:
            reasons.append(reason)
    newest = periods[-1]
    reasons.append(Reason(f"CATEGORY_{newest.category.name}", _summary(newest, lang)))
    if category is not newest.category:
        reasons.append(
            Reason(
                "STATUS_KEPT_TWO_PERIOD_RULE",
                fmt.pick(
                    lang,
                    f"Boekjaar {newest.year_end.year} op zich geeft "
                    f"{category_label(newest.category, 'nl')}, maar een categorie verandert pas na "
                    "twee opeenvolgende boekjaren aan dezelfde kant van een grens: de status is "
                    f"{category_label(category, 'nl')}",
                    f"Financial year {newest.year_end.year} on its own gives "
                    f"{category_label(newest.category, 'en')}, but a category changes only after "
                    "two consecutive periods on the same side of a ceiling: the status is "
                    f"{category_label(category, 'en')}",
                ),
            )
        )
    if category is Category.LARGE and not maatwerkbedrijf:
        reasons.append(
            Reason(
                "NOT_SME",
                fmt.pick(
                    lang,
                    "Geen kmo: de grenzen van een middelgrote onderneming (minder dan 250 JAE en "
                    "omzet tot € 50.000.000,00 of balanstotaal tot € 43.000.000,00) zijn "
                    "overschreden",
                    "Not an SME: the ceilings of a medium-sized enterprise (fewer than 250 AWU and "
                    "turnover up to €50,000,000.00 or balance sheet total up to €43,000,000.00) "
                    "are exceeded",
                ),
            )
        )

    return SmeResult(
        is_sme=is_sme,
        category=category,
        status=status,
        periods=tuple(periods),
        relations=tuple(
            RelationOutcome(j.relation.name, j.treatment, j.share_pct, j.holding_pct)
            for j in judgements
        ),
        reasons=tuple(reasons),
    )
