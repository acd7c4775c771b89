"""Demo files after approval, built through the services on the days they happened: a closed file
with an upgrade, an accepted final report and its payment; a completed file whose report waits
for review; a running file with an extension waiting for a decision; and a running file whose
final report is late (the daily reminders pick it up). Called by the demo loader."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from csgrants.applications import amendments, services, trajectory
from csgrants.core import clock
from csgrants.core.calendar import default_calendar

SCORES = {
    "identify": (2, 1, 4, 3),
    "protect": (2, 2, 3, 4),
    "detect": (1, 1, 3, 3),
    "respond": (1, 1, 2, 3),
    "recover": (2, 1, 3, 3),
}


def _maturity(shift: int = 0) -> dict:
    return {
        f: {
            "documentation_before": db,
            "implementation_before": ib,
            "documentation_after": min(5, da + shift),
            "implementation_after": min(5, ia + shift),
        }
        for f, (db, ib, da, ia) in SCORES.items()
    }


def _enterprise_confirms(amendment) -> None:
    from csgrants.applications.confirmation import confirmation_confirm, token_of

    confirmation_confirm(
        token=token_of(amendment.confirmation_requests.get()),
        name="Gert Van Damme",
        capacity="bestuurder",
        agree=True,
    )


def _approved_file(*, user, reviewer, number, name, postal, package, cost, filed: date):
    cal = default_calendar()
    while not cal.is_working_day(filed):
        filed -= timedelta(days=1)
    with clock.frozen(filed):
        app = services.application_create(
            actor=user,
            provider=user.service_provider,
            enterprise_number=number,
            enterprise_name=name,
            enterprise_kind="kmo",
            postal_code=postal,
            package=package,
            cost_eur=Decimal(cost),
            declaration={
                "negative_equity": False,
                "public_participation_pct": 0,
                "de_minimis_prior_aid": [],
            },
            signatory={
                "name": "Gert Van Damme",
                "email": f"bestuur@{number.replace('.', '')}.example",
                "capacity": "bestuurder",
            },
        )
        services.application_submit(actor=user, application=app)
        from csgrants.applications.confirmation import confirmation_confirm, token_of

        confirmation_confirm(
            token=token_of(app.confirmation_requests.get()),
            name="Gert Van Damme",
            capacity="bestuurder",
            agree=True,
        )
    with clock.frozen(cal.add_working_days(filed, 4)):
        app.refresh_from_db()
        if app.status == "submitted":
            services.decision_record(actor=reviewer, application=app, outcome="approved")
    with clock.frozen(cal.add_working_days(filed, 10)):
        services.application_start(actor=user, application=app)
    app.refresh_from_db()
    return app


def _report(app, user, on: date, **data):
    with clock.frozen(on):
        trajectory.final_report_submit(
            actor=user,
            application=app,
            work_delivered=data.pop(
                "work_delivered",
                "Nulmeting, actieplan, begeleiding bij MFA, back-ups en patchbeheer.",
            ),
            maturity=data.pop("maturity", _maturity()),
            **{
                "made_progress": True,
                "keep_investing": True,
                "satisfaction_score": 4,
                "testimonial_consent": False,
                **data,
            },
        )


def seed_demo_after(*, provider_user, reviewer, payer, numbers, today: date | None = None) -> None:
    """`numbers`: five unused enterprise numbers."""
    today = today or clock.today()
    n = iter(numbers)

    # Closed: upgraded MEDIUM -> PLUS, report accepted, paid.
    closed = _approved_file(
        user=provider_user,
        reviewer=reviewer,
        number=next(n),
        name="Drukkerij Claes Gent BV",
        postal="9000",
        package="MEDIUM",
        cost="21000.00",
        filed=today - timedelta(days=300),
    )
    with clock.frozen(today - timedelta(days=240)):
        upgrade = amendments.amendment_request(
            actor=provider_user,
            application=closed,
            kind="upgrade",
            package="PLUS",
            extra_cost_eur="8000.00",
        )
    with clock.frozen(today - timedelta(days=238)):
        _enterprise_confirms(upgrade)
    with clock.frozen(today - timedelta(days=236)):
        amendments.amendment_decide(actor=reviewer, amendment=upgrade, outcome="approved")
    _report(
        closed,
        provider_user,
        today - timedelta(days=60),
        actual_cost_eur="27850.00",
        satisfaction_score=5,
        maturity=_maturity(1),
        testimonial_consent=True,
        testimonial="Dankzij het traject hebben we eindelijk een werkend back-upplan.",
    )
    with clock.frozen(today - timedelta(days=50)):
        trajectory.final_report_accept(
            actor=reviewer, application=closed, note="Volledig en goed gestaafd."
        )
    with clock.frozen(today - timedelta(days=40)):
        trajectory.payment_record(actor=payer, application=closed)

    # Completed: the report waits for review.
    waiting = _approved_file(
        user=provider_user,
        reviewer=reviewer,
        number=next(n),
        name="Schrijnwerkerij Maes Hasselt BV",
        postal="3500",
        package="PLUS",
        cost="30000.00",
        filed=today - timedelta(days=200),
    )
    _report(
        waiting,
        provider_user,
        today - timedelta(days=3),
        actual_cost_eur="29400.00",
        keep_investing=False,
        satisfaction_score=3,
    )

    # Completed, the report accepted: the payment waits for the budget manager.
    to_pay = _approved_file(
        user=provider_user,
        reviewer=reviewer,
        number=next(n),
        name="Installatietechniek Peeters Kortrijk BV",
        postal="8500",
        package="MEDIUM",
        cost="22000.00",
        filed=today - timedelta(days=260),
    )
    _report(
        to_pay,
        provider_user,
        today - timedelta(days=12),
        actual_cost_eur="21800.00",
        satisfaction_score=4,
        maturity=_maturity(1),
    )
    with clock.frozen(today - timedelta(days=8)):
        trajectory.final_report_accept(
            actor=reviewer, application=to_pay, note="In orde; betaling kan volgen."
        )

    # Running, with an extension waiting for a decision.
    running = _approved_file(
        user=provider_user,
        reviewer=reviewer,
        number=next(n),
        name="Transport Wouters Brugge BV",
        postal="8000",
        package="MEDIUM",
        cost="19500.00",
        filed=today - timedelta(days=90),
    )
    with clock.frozen(today - timedelta(days=5)):
        extension = amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="6000.00",
        )
    with clock.frozen(today - timedelta(days=4)):
        _enterprise_confirms(extension)  # so the reviewer can decide on it in the demo

    # Running for more than a year: the final report is late.
    _approved_file(
        user=provider_user,
        reviewer=reviewer,
        number=next(n),
        name="Bakkerij Jacobs Leuven BV",
        postal="3000",
        package="START",
        cost="12000.00",
        filed=today - timedelta(days=420),
    )
