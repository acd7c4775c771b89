"""Realistic demo data: nine service providers with tariffs, tens of enterprises across the five
Flemish provinces, the historical files of 2021-2022 (fixtures/history) and current files in
every status, all built through the services so history, audit and budget add up."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from csgrants.accounts.models import Role, User
from csgrants.applications import services
from csgrants.applications.models import Application, Status
from csgrants.budgets.demo import seed_demo_budgets
from csgrants.catalogue import bounds
from csgrants.catalogue.models import Package, ServiceProvider, Tariff
from csgrants.core import clock
from csgrants.core.calendar import default_calendar
from csgrants.core.enterprise_number import from_base
from csgrants.imports.services import history_import

DEMO_PASSWORD = "demo"  # noqa: S105 - the demo's published password, never in production

PROVIDERS = [
    ("P01", "CyberSafe Vlaanderen BV", "info@cybersafe.example"),
    ("P02", "Digitale Weerbaarheid NV", "aanvragen@weerbaar.example"),
    ("P03", "SecureFlow Consulting BV", "hello@secureflow.example"),
    ("P04", "Kempen IT-Security BV", "info@kempensec.example"),
    ("P05", "WestSec Advies CV", "contact@westsec.example"),
    ("P06", "Brabant Cyber Partners BV", "info@bcp.example"),
    ("P07", "Schelde Security Services NV", "info@schelde.example"),
    ("P08", "Limburgse Cyberdokters BV", "info@cyberdokters.example"),
    ("P09", "Noordzee Infosec BV", "info@noordzee.example"),
]

TARIFFS = {
    "START": "9200.00",
    "MEDIUM": "21500.00",
    "PLUS": "32000.00",
    "CHECK_PLAN": "17500.00",
    "EXTENSION": "6500.00",
}

POSTAL = [
    "2000",
    "2800",
    "2300",
    "3000",
    "1800",
    "3500",
    "3600",
    "9000",
    "9300",
    "9100",
    "8000",
    "8500",
    "8800",
]
NAMES = [
    "Bakkerij",
    "Transport",
    "Metaalwerken",
    "Drukkerij",
    "Tuinaanleg",
    "Boekhoudkantoor",
    "Schrijnwerkerij",
    "Installatietechniek",
    "Zorgwonen",
    "Brouwerij",
    "Logistiek",
    "Architectenbureau",
    "Webshop",
    "Garage",
]
PLACES = [
    "Van Damme",
    "Peeters",
    "Janssens",
    "Maes",
    "Claes",
    "Wouters",
    "De Smet",
    "Mertens",
    "Willems",
    "Goossens",
]


def enterprise_number(seed: int) -> str:
    return from_base(4_000_000 + seed * 7919)  # "04xx.xxx.xx": a valid first digit


def _user(username, role, provider=None, superuser=False, language="nl"):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "service_provider": provider, "language": language},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = superuser
        user.is_superuser = superuser
        user.email = f"{username}@csgrants.example"
        user.save()
    return user


@transaction.atomic
def load_demo(*, stdout=None) -> bool:
    """Load the demo once; returns False when it was already there."""
    if not settings.CSGRANTS_ALLOW_DEMO_USERS:
        raise RuntimeError(
            "demo data is not allowed with these settings (CSGRANTS_ALLOW_DEMO_USERS)"
        )
    if User.objects.filter(username="admin").exists():
        return False
    rnd = random.Random(2026)  # noqa: S311 - reproducible demo, not security
    providers = []
    for code, name, email in PROVIDERS:
        p, _ = ServiceProvider.objects.get_or_create(
            code=code, defaults={"name": name, "email": email}
        )
        if p.name == p.code:  # created by an import with its code only
            p.name, p.email = name, email
            p.save()
        providers.append(p)
        for pkg, amount in TARIFFS.items():
            package = Package.objects.get(code=pkg)
            # START came with the 2023 policy (EUR 9,200 is below the 2021 minimum).
            valid_from = date(2023, 1, 1) if pkg == "START" else date(2021, 1, 1)
            # Tariffs the policy would refuse are not saved (catalogue.bounds), demo or not.
            bounds.check_tariff(
                is_extension=package.is_extension,
                amount=Decimal(amount),
                valid_from=valid_from,
                valid_to=None,
            )
            Tariff.objects.get_or_create(
                provider=p,
                package=package,
                valid_from=valid_from,
                defaults={"amount_eur": Decimal(amount)},
            )
    _user("admin", Role.ADMIN, superuser=True)
    reviewer = _user("reviewer", Role.REVIEWER)
    _user("budget", Role.BUDGET_MANAGER)
    _user("analyst", Role.ANALYST)
    prov = _user("provider", Role.PROVIDER, providers[0])
    prov2 = _user("provider2", Role.PROVIDER, providers[1], language="en")
    # History first: its allocations.csv may carry the 2019 allocations, which the budget seed
    # then recognises instead of recording twice.
    history_import(Path(settings.BASE_DIR) / "fixtures" / "history")
    seed_demo_budgets(providers)

    # Current files, built as they happened over the last weeks.
    today = clock.today()
    cal = default_calendar()
    # Every state of the enterprise's confirmation (contracts/enterprise-confirmation.md): files
    # waiting for their enterprise (one in English, one whose answer changed the figures and
    # waits again), and one whose enterprise withdrew its confirmation (a draft again).
    plan = (
        [Status.DRAFT] * 3
        + [Status.AWAITING_CONFIRMATION] * 2
        + ["withdrawn_confirmation", "reconfirmation"]
        + [Status.SUBMITTED] * 8
        + [Status.INFO_REQUESTED] * 2
        + [Status.APPROVED] * 4
        + [Status.REJECTED] * 2
        + [Status.IN_PROGRESS] * 3
        + [Status.WITHDRAWN, Status.STOPPED]
    )
    packages = ["START", "MEDIUM", "MEDIUM", "PLUS", "PLUS", "CHECK_PLAN"]
    for i, target in enumerate(plan):
        user = prov if i % 3 else prov2
        days_back = 1 + (i * 2) % 16
        filed = today - timedelta(days=days_back)
        while not cal.is_working_day(filed):
            filed -= timedelta(days=1)
        pkg = packages[i % len(packages)]
        cost = Decimal(TARIFFS[pkg]) + Decimal(rnd.randrange(0, 2500))
        extensions = ["EXTENSION"] if pkg == "PLUS" and i % 2 else []
        if extensions:
            cost += Decimal(TARIFFS["EXTENSION"])
        # Quoted as the filing form prefills it: within the policy's range (catalogue.bounds).
        cost = bounds.prefill_cost(cost, bounds.policy_on(filed)).amount or cost
        periods = [
            {
                "year_end": f"{today.year - 1 - k}-12-31",
                "staff_awu": rnd.randrange(3, 180),
                "turnover_eur": str(rnd.randrange(300_000, 30_000_000)),
                "balance_sheet_eur": str(rnd.randrange(200_000, 20_000_000)),
            }
            for k in range(2)
        ]
        declaration = {
            "sme": {"enterprise": {"periods": periods}, "relations": []},
            "de_minimis_prior_aid": [
                {
                    "granted_on": f"{today.year - 1}-03-15",
                    "amount_eur": "7500.00",
                    "description": "kmo-portefeuille",
                }
            ]
            if i % 4 == 0
            else [],
            "negative_equity": False,
            "public_participation_pct": 0,
        }
        with clock.frozen(filed):
            app = services.application_create(
                actor=user,
                provider=user.service_provider,
                enterprise_number=enterprise_number(i + 1),
                enterprise_name=f"{NAMES[i % len(NAMES)]} {PLACES[i % len(PLACES)]} BV",
                enterprise_kind="maatwerkbedrijf" if i == 7 else "kmo",
                postal_code=POSTAL[i % len(POSTAL)],
                package=pkg,
                extensions=extensions,
                cost_eur=cost,
                declaration=declaration,
                signatory={
                    "name": f"{SIGNATORIES[i % len(SIGNATORIES)]}",
                    "email": f"zaakvoerder@{NAMES[i % len(NAMES)].lower()}{i + 1}.example",
                    "capacity": "zaakvoerder" if i % 3 else "bestuurder",
                    "language": "en" if i == 4 else "nl",
                },
            )
            if target == Status.DRAFT:
                continue
            services.application_submit(actor=user, application=app)
            if target == Status.AWAITING_CONFIRMATION:
                continue
            _confirm(app)
        decide_on = min(today, cal.add_working_days(filed, 3))
        with clock.frozen(decide_on):
            if target == Status.SUBMITTED:
                continue
            if target == "withdrawn_confirmation":
                from csgrants.applications.confirmation import confirmation_withdraw

                confirmation_withdraw(token=_token(app, used=True))
                continue
            if target == "reconfirmation":
                services.info_request(
                    actor=reviewer, application=app, question="Klopt de offerteprijs?"
                )
                services.application_update(
                    actor=user, application=app, cost_eur=cost + Decimal(500)
                )
                services.info_answer(actor=user, application=app, answer="De offerte is aangepast.")
                continue
            if target == Status.INFO_REQUESTED:
                services.info_request(
                    actor=reviewer,
                    application=app,
                    question="Kunt u de jaarrekening van het laatste boekjaar bezorgen?",
                )
                continue
            if target == Status.REJECTED:
                services.decision_record(
                    actor=reviewer,
                    application=app,
                    outcome="rejected",
                    reasons=["NOT_SME"],
                    note="Samen met de partneronderneming meer dan 250 JAE.",
                )
                continue
            services.decision_record(actor=reviewer, application=app, outcome="approved")
            if target == Status.WITHDRAWN:
                services.application_withdraw(
                    actor=user, application=app, note="Onderneming ziet af van het traject."
                )
            elif target == Status.STOPPED:
                services.application_stop(
                    actor=reviewer,
                    application=app,
                    reasons=["NOT_SME"],
                    note="Na controle geen kmo.",
                )
            elif target == Status.IN_PROGRESS:
                services.application_start(actor=user, application=app)
    # After approval: an upgrade, final reports, a payment, a late report (csgrants/applications).
    from csgrants.applications.demo_after import seed_demo_after

    seed_demo_after(
        provider_user=prov,
        reviewer=reviewer,
        payer=User.objects.get(username="budget"),
        numbers=[enterprise_number(100 + k) for k in range(5)],
    )
    if stdout:
        stdout.write(
            f"demo loaded: {Application.objects.count()} applications, {len(providers)} providers"
        )
    return True


SIGNATORIES = [
    "An Peeters",
    "Bart Claes",
    "Chloe Maes",
    "Dirk Jacobs",
    "Els Willems",
    "Filip Goossens",
]


def _token(app, *, used: bool = False) -> str:
    """The token of the file's latest link, rebuilt as its mail does (demo only)."""
    from csgrants.applications.confirmation import token_of

    rows = app.confirmation_requests.filter(used_at__isnull=not used).order_by(
        "-requested_at", "-id"
    )
    return token_of(rows.first())


def _confirm(app) -> None:
    from csgrants.applications.confirmation import confirmation_confirm

    confirmation_confirm(
        token=_token(app),
        name=app.signatory_name,
        capacity=app.signatory_capacity,
        agree=True,
        ip_address="192.0.2.10",
        user_agent="demo",
    )


def demo_confirmation_links() -> list[tuple[str, str, str]]:
    """(reference, signatory e-mail, link) of the demo files waiting for their enterprise: the
    links their mails carry, rebuilt from the request rows (only where demo data is allowed)."""
    from csgrants.applications.confirmation import link_for, link_state
    from csgrants.applications.models import ConfirmationRequest

    if not settings.CSGRANTS_ALLOW_DEMO_USERS:
        raise RuntimeError("demo links are not shown with these settings")
    rows = ConfirmationRequest.objects.filter(
        used_at__isnull=True,
        superseded_at__isnull=True,
        application__status=Status.AWAITING_CONFIRMATION,
    ).select_related("application")
    return [
        (r.application.reference, r.email, link_for(r))
        for r in rows.order_by("application__reference")
        if link_state(r) == "open"
    ]
