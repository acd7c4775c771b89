"""The trigger-kept summaries (reporting.summaries) give exactly the report the base tables give,
after the services' writes and after the history import; the rebuild command's --check agrees
and catches a corrupted row. PostgreSQL only: on SQLite the report reads the base tables."""

import datetime as dt
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from conftest import DEFAULT_SIGNATORY, confirm, confirm_amendment, make_user
from csgrants.accounts.models import Role
from csgrants.applications import amendments, services, trajectory
from csgrants.applications.models import Amendment, Application, Decision, FinalReport, Status
from csgrants.applications.tests.after_helpers import report_data
from csgrants.budgets.services import allocation_create
from csgrants.catalogue.models import Package, ServiceProvider
from csgrants.imports.services import history_import
from csgrants.reporting import file_steps, funnel, inflow, summaries
from csgrants.reporting.selectors import build_report

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "history"


def _number(i: int) -> str:
    base = 4_100_000 + i * 13
    digits = f"{base:08d}{97 - base % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


NUMBERS = [_number(i) for i in range(12)]  # enterprises come back: distinct counts matter


def _free_number(user, rng, i):
    """One of NUMBERS for which the provider holds no undecided file (a provider holds one per
    enterprise, issue 20), else a new enterprise."""
    from csgrants.applications.statuses import UNDECIDED_STATUSES

    busy = set(
        Application.objects.filter(
            provider=user.service_provider, status__in=UNDECIDED_STATUSES
        ).values_list("enterprise__number", flat=True)
    )
    free = [n for n in NUMBERS if n not in busy]
    return rng.choice(free) if free else _number(100 + i)


POSTAL = ["9000", "2000", "3500", "8500", "1800", "1000", "4000"]
REASONS = ["NOT_SME", "DE_MINIMIS_CEILING", "RECENT_TRAJECTORY", "INCOMPLETE_FILE", "OTHER"]
YEAR_SETS = ([2021], [2021, 2022], [2021, 2023], [2022, 2023], list(range(2014, 2026)))


def on(d: dt.date):
    return time_machine.travel(
        timezone.make_aware(dt.datetime(d.year, d.month, d.day, 10, 0)), tick=False
    )


def assert_summaries_match(provider_ids):
    """The report from the summaries equals the report from the base tables, for several year
    sets, with and without a provider; and the command's check agrees. Not vacuous: the base
    tables hold figures for the years compared."""
    any_figures = False
    for years in YEAR_SETS:
        for pid in (None, *provider_ids):
            fast = build_report(years, pid, summaries=True)
            direct = build_report(years, pid, summaries=False)
            fast.pop("generated_at"), direct.pop("generated_at")
            assert fast == direct, (years, pid)
            any_figures |= any(y["submitted"]["total"] for y in direct["years"].values())
            if years in (YEAR_SETS[1], YEAR_SETS[-1]):  # monthly: two spans say enough
                assert _inflow(years, pid) == _inflow(years, pid, direct=True), (years, pid)
    assert any_figures
    with _direct(False):
        kept = inflow.changes()
    with _direct(True):
        assert kept == inflow.changes()
    # The funnel of a year does not depend on the other years asked.
    for pid in (None, *provider_ids):
        assert _funnels(pid) == _funnels(pid, direct=True), pid
    assert summaries.check() == {}


def _direct(direct):
    """As on SQLite (direct): the base tables, not the summaries."""
    return mock.patch.object(summaries, "enabled", return_value=not direct)


def _inflow(years, pid, direct=False):
    with _direct(direct):
        return {
            "inflow": inflow.inflow(years, pid, known_changes=[]),
            "compare": inflow.before_after(dt.date(years[-1], 3, 1), 14, pid, known_changes=[]),
        }


def _funnels(pid, direct=False):
    with _direct(direct):
        return {y: funnel.funnel(y, pid) for y in range(2021, 2025)}


@pytest.fixture
def people(postgres_only, provider, other_provider):
    staff = make_user("summary-reviewer", Role.REVIEWER)
    admin = make_user("summary-admin", Role.ADMIN)
    users = [
        make_user("summary-p1", Role.PROVIDER, provider),
        make_user("summary-p2", Role.PROVIDER, other_provider),
    ]
    for p in (provider, other_provider):
        allocation_create(
            actor=admin,
            provider=p,
            amount_eur=Decimal("5000000.00"),
            allocated_on=dt.date(2021, 1, 4),
        )
    return staff, users


def _scenario(staff, users, seed):
    """Files made through the services at random (seeded) dates and outcomes, then the kinds of
    direct writes the services never make (updates that move a file between groups, updates
    that move nothing, deletes)."""
    rng = random.Random(seed)
    reports = random.Random(seed + 100)  # its own draws: the files' fates stay the seed's
    made = []
    for i in range(40):
        user = rng.choice(users)
        day = dt.date(2021, 1, 4) + dt.timedelta(days=rng.randrange(0, 900))
        package, cost = rng.choice(
            [
                ("MEDIUM", "21000.00"),
                ("PLUS", "32000.00"),
                ("MEDIUM", "17200.00"),
                ("PLUS", "36000.00"),
            ]
        )
        if day.year >= 2023:
            package, cost = rng.choice(
                [("START", "9800.00"), ("MEDIUM", "24000.00"), ("PLUS", "30000.00")]
            )
        with on(day):
            app = services.application_create(
                actor=user,
                provider=user.service_provider,
                enterprise_number=_free_number(user, rng, i),
                enterprise_name=f"Onderneming {i}",
                enterprise_kind="kmo",
                postal_code=rng.choice(POSTAL),
                package=package,
                cost_eur=cost,
                extensions=["EXTENSION"] if rng.random() < 0.2 else [],
                declaration={"negative_equity": False, "public_participation_pct": 0},
                signatory=DEFAULT_SIGNATORY,
            )
        made.append(app)
        fate = rng.random()
        if fate < 0.1:
            continue  # a draft
        if fate < 0.15:
            with on(day):
                services.application_withdraw(
                    actor=user, application=app
                )  # a draft withdrawn: not counted
            continue
        with on(day):
            services.application_submit(actor=user, application=app)
            if fate < 0.2:
                continue  # waiting for its enterprise: not submitted yet, counted nowhere
            confirm(app)
        day += dt.timedelta(days=rng.randrange(1, 20))
        if fate < 0.25:
            continue  # waiting for a decision
        if fate < 0.3:
            with on(day):
                services.application_withdraw(actor=user, application=app)
            continue
        if fate < 0.5:
            with on(day):
                services.decision_record(
                    actor=staff,
                    application=app,
                    outcome=Decision.Outcome.REJECTED,
                    reasons=rng.sample(REASONS, rng.choice([1, 2])),
                )
            continue
        with on(day):
            services.decision_record(
                actor=staff, application=app, outcome=Decision.Outcome.APPROVED
            )
        app.refresh_from_db()
        if rng.random() < 0.6:
            day += dt.timedelta(days=rng.randrange(10, 200))
            upgrade = app.package.code == "MEDIUM" and rng.random() < 0.5
            if upgrade or not app.extensions.exists():
                with on(day):
                    am = amendments.amendment_request(
                        actor=user,
                        application=app,
                        kind="upgrade" if upgrade else "extension",
                        package="PLUS" if upgrade else "EXTENSION",
                        extra_cost_eur="6000.00",
                    )
                    approve = rng.random() < 0.8
                    if approve:
                        confirm_amendment(am)
                    amendments.amendment_decide(
                        actor=staff,
                        amendment=am,
                        outcome=Decision.Outcome.APPROVED if approve else Decision.Outcome.REJECTED,
                        reasons=[] if approve else ["OTHER"],
                    )
        later = rng.random()
        day += dt.timedelta(days=rng.randrange(5, 400))
        with on(day):
            if later < 0.15:
                services.application_withdraw(actor=user, application=app)
            elif later < 0.25:
                services.application_stop(actor=staff, application=app, reasons=["NOT_SME"])
            elif later < 0.6:
                services.application_start(actor=user, application=app)
                _final_report(staff, user, app, day, reports)
    # Direct writes: a file moves province, provider and status; an update that moves nothing;
    # an extension taken away; a refused file and a draft deleted.
    approved = list(
        Application.objects.filter(status__in=[Status.APPROVED, Status.IN_PROGRESS]).order_by("id")
    )
    assert len(approved) >= 4
    Application.objects.filter(pk=approved[0].pk).update(province="BE-VLI", postal_code="3500")
    Application.objects.filter(pk=approved[1].pk).update(status=Status.COMPLETED)
    other = [u.service_provider for u in users if u.service_provider_id != approved[2].provider_id][
        0
    ]
    Application.objects.filter(pk=approved[2].pk).update(provider=other)
    Application.objects.filter(pk=approved[3].pk).update(
        decided_on=dt.date(2022, 12, 30), processing_working_days=7
    )
    Application.objects.update(updated_at=timezone.now())
    # An extension taken with the application (no amendment for it) taken away.
    candidates = Application.objects.filter(
        status__in=[Status.APPROVED, Status.IN_PROGRESS]
    ).exclude(
        Exists(
            Amendment.objects.filter(
                application=OuterRef("pk"), kind="extension", status="approved"
            )
        )
    )
    with_extension = candidates.filter(extensions__isnull=False).order_by("id").first()
    if with_extension is None:  # this seed filed none with it: an operator adds one first
        with_extension = candidates.order_by("id").first()
        assert with_extension is not None
        with_extension.extensions.add(Package.objects.get(code="EXTENSION"))
    with_extension.extensions.remove(Package.objects.get(code="EXTENSION"))
    # An approved extension amendment without its M2M row (as the history import writes them),
    # and one whose approval is taken back.
    extension_amendments = list(
        Amendment.objects.filter(status="approved", kind="extension").order_by("id")
    )
    assert len(extension_amendments) >= 2
    first = extension_amendments[0]
    Application.extensions.through.objects.filter(application_id=first.application_id).delete()
    Amendment.objects.filter(pk=first.pk).update(status="rejected")
    for status in (Status.REJECTED, Status.DRAFT):
        _delete_file(Application.objects.filter(status=status).order_by("id").first())
    _manual_sql()
    _manual_funnel_sql()
    return made


def _final_report(staff, user, app, day, rng):
    """Most started files report; most reports are accepted, some sent back."""
    if rng.random() < 0.3:
        return
    app.refresh_from_db()
    with on(day + dt.timedelta(days=rng.randrange(30, 120))):
        trajectory.final_report_submit(actor=user, application=app, **report_data())
    with on(day + dt.timedelta(days=rng.randrange(121, 140))):
        app.refresh_from_db()
        if rng.random() < 0.8:
            trajectory.final_report_accept(actor=staff, application=app)
        else:
            trajectory.final_report_send_back(actor=staff, application=app, note="Onvolledig.")


def _manual_funnel_sql():
    """What an operator might do to the funnel's sources in psql: take back a mistaken start,
    move a file to another main package, delete an accepted final report and enter one as
    accepted directly."""
    with connection.cursor() as cur:
        cur.execute(
            "DELETE FROM applications_statuschange WHERE id = "
            "(SELECT max(id) FROM applications_statuschange WHERE to_status = 'in_progress')"
        )
        assert cur.rowcount == 1
        cur.execute(
            "UPDATE applications_application SET package_id = "
            "(SELECT id FROM catalogue_package WHERE code = 'PLUS') WHERE id = "
            "(SELECT min(id) FROM applications_application a WHERE status <> 'draft' AND "
            "package_id <> (SELECT id FROM catalogue_package WHERE code = 'PLUS'))"
        )
        assert cur.rowcount == 1
        cur.execute(
            "SELECT id, application_id FROM applications_finalreport WHERE status = 'accepted' "
            "ORDER BY id LIMIT 1"
        )
        accepted, reported = cur.fetchone()
        cur.execute("DELETE FROM applications_maturityscore WHERE report_id = %s", [accepted])
        cur.execute("DELETE FROM applications_finalreport WHERE id = %s", [accepted])
    running = (
        Application.objects.filter(history__to_status=Status.IN_PROGRESS)
        .exclude(final_reports__status="accepted")
        .exclude(pk=reported)  # the file whose report went stays without one
        .order_by("id")
        .first()
    )
    assert running is not None
    FinalReport.objects.create(
        application=running,
        status="accepted",
        work_delivered="Ingevoerd door de beheerder.",
        actual_cost_eur=Decimal("20000.00"),
        made_progress=True,
        keep_investing=True,
        satisfaction_score=4,
        submitted_on=dt.date(2024, 6, 3),
        reviewed_on=dt.date(2024, 6, 10),
    )


def _delete_file(application):
    """A file deleted in psql with what protects it (its confirmation, pending letter jobs):
    what the triggers must follow, which the services never do."""
    from csgrants.applications.models import Confirmation, ConfirmationRequest
    from csgrants.documents.models import LetterJob

    LetterJob.objects.filter(application=application).delete()
    Confirmation.objects.filter(application=application).delete()
    ConfirmationRequest.objects.filter(application=application).delete()
    application.delete()


def _manual_sql():
    """What an operator might do in psql, which the services never do: change a refusal's
    reasons and outcome, correct and remove ledger lines, move an extension to another file,
    take an approved extension amendment out with its decision and commitment."""
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM catalogue_reasoncode WHERE code = 'OTHER'")
        (other,) = cur.fetchone()
        cur.execute(
            "SELECT DISTINCT d.id FROM applications_decision d JOIN applications_decision_reasons r ON r.decision_id = d.id "
            "WHERE d.outcome = 'rejected' AND d.amendment_id IS NULL ORDER BY d.id"
        )
        refused = [row[0] for row in cur.fetchall()]
        assert len(refused) >= 4
        cur.execute(
            "UPDATE applications_decision_reasons SET reasoncode_id = %s WHERE id = (SELECT min(id) FROM "
            "applications_decision_reasons WHERE decision_id = %s) AND NOT EXISTS (SELECT 1 FROM applications_decision_reasons x WHERE x.decision_id = %s "
            "AND x.reasoncode_id = %s)",
            [other, refused[0], refused[0], other],
        )
        cur.execute(
            "DELETE FROM applications_decision_reasons WHERE decision_id = %s", [refused[1]]
        )
        cur.execute(
            "UPDATE applications_decision SET outcome = 'stopped' WHERE id = %s", [refused[2]]
        )
        cur.execute(
            "UPDATE budgets_ledgerentry SET amount_eur = amount_eur + 100, entry_date = entry_date + 300 "
            "WHERE id = (SELECT min(id) FROM budgets_ledgerentry WHERE kind = 'commit')"
        )
        cur.execute(
            "DELETE FROM budgets_ledgerentry WHERE id = (SELECT max(id) FROM budgets_ledgerentry "
            "WHERE kind = 'commit' AND amendment_id IS NULL)"
        )
        cur.execute(
            "SELECT a.id FROM applications_application a WHERE a.status IN ('approved', 'in_progress') "
            "AND NOT EXISTS (SELECT 1 FROM applications_application_extensions e WHERE e.application_id = a.id) "
            "ORDER BY a.id"
        )
        plain = [row[0] for row in cur.fetchall()]
        if plain:
            cur.execute(
                "UPDATE applications_application_extensions SET application_id = %s WHERE id = "
                "(SELECT min(id) FROM applications_application_extensions)",
                [plain[-1]],
            )
        # A refused decision entered again with its reasons first (the foreign keys are checked at
        # the commit): its own triggers, not the reasons', carry the change both ways.
        cur.execute(
            "SELECT application_id, decided_on, created_at FROM applications_decision WHERE id = %s",
            [refused[3]],
        )
        application_id, decided_on, created_at = cur.fetchone()
        cur.execute(
            "SELECT reasoncode_id FROM applications_decision_reasons WHERE decision_id = %s",
            [refused[3]],
        )
        reasons = [row[0] for row in cur.fetchall()]
        cur.execute("DELETE FROM applications_decision WHERE id = %s", [refused[3]])
        cur.execute(
            "DELETE FROM applications_decision_reasons WHERE decision_id = %s", [refused[3]]
        )
        for reason in reasons:
            cur.execute(
                "INSERT INTO applications_decision_reasons (decision_id, reasoncode_id) VALUES (%s, %s)",
                [refused[3], reason],
            )
        cur.execute(
            "INSERT INTO applications_decision (id, application_id, outcome, decided_on, by_system, note, "
            "created_at) VALUES (%s, %s, 'rejected', %s, false, '', %s)",
            [refused[3], application_id, decided_on, created_at],
        )
        cur.execute(
            "SELECT id, application_id FROM applications_amendment WHERE status = 'approved' "
            "AND kind = 'extension' ORDER BY id DESC LIMIT 1"
        )
        amendment_id, application_id = cur.fetchone()
        # Its extension from the amendment alone, then the amendment taken out.
        cur.execute(
            "DELETE FROM applications_application_extensions WHERE application_id = %s",
            [application_id],
        )
        cur.execute("DELETE FROM budgets_ledgerentry WHERE amendment_id = %s", [amendment_id])
        cur.execute(
            "DELETE FROM applications_decision_reasons WHERE decision_id IN "
            "(SELECT id FROM applications_decision WHERE amendment_id = %s)",
            [amendment_id],
        )
        cur.execute(  # the decision's letter, still to be rendered
            "DELETE FROM documents_letterjob WHERE decision_id IN "
            "(SELECT id FROM applications_decision WHERE amendment_id = %s)",
            [amendment_id],
        )
        cur.execute("DELETE FROM applications_decision WHERE amendment_id = %s", [amendment_id])
        cur.execute(  # the enterprise's confirmation of the amendment, and its link
            "DELETE FROM applications_confirmation WHERE request_id IN "
            "(SELECT id FROM applications_confirmationrequest WHERE amendment_id = %s)",
            [amendment_id],
        )
        cur.execute(
            "DELETE FROM applications_confirmationrequest WHERE amendment_id = %s", [amendment_id]
        )
        cur.execute("DELETE FROM applications_amendment WHERE id = %s", [amendment_id])


@pytest.mark.parametrize("seed", [1, 7])
def test_summaries_follow_the_services_and_direct_writes(people, provider, other_provider, seed):
    staff, users = people
    _scenario(staff, users, seed)
    assert_summaries_match([provider.pk, other_provider.pk])


@pytest.fixture(scope="module")
def small_history(tmp_path_factory):
    folder = tmp_path_factory.mktemp("history")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate_history.py"),
            str(folder),
            "--applications",
            "3000",
            "--amendments",
            "300",
            "--seed",
            "5",
        ],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.mark.parametrize("large", [False, True], ids=["row-checked", "bulk"])
def test_summaries_follow_the_history_import(postgres_only, small_history, monkeypatch, large):
    if large:  # the path of a million-row import: keys dropped and indexes built at the end
        monkeypatch.setattr("csgrants.imports.services.BULK_CHECK_ROWS", 0)
    history_import(small_history)
    providers = list(
        ServiceProvider.objects.filter(code__in=["P01", "P02", "P17"]).values_list("pk", flat=True)
    )
    assert len(providers) == 3
    assert_summaries_match(providers)
    # Importing the same folder again changes nothing, summaries included.
    history_import(small_history)
    assert summaries.check() == {}


def test_every_trigger_is_installed(postgres_only):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE 'report_summary_%%'"
        )
        installed = set(cur.fetchall())
    assert installed == summaries.trigger_names()
    assert len(installed) == 18


@pytest.mark.parametrize("table,trigger", sorted(summaries.trigger_names()))
def test_every_trigger_is_needed(people, table, trigger):
    """Without any one of the triggers, the writes of the scenario and of an import leave a
    summary wrong, and the check says so."""
    staff, users = people
    with connection.cursor() as cur:  # rolled back with the test's transaction
        cur.execute(f"DROP TRIGGER {trigger} ON {table}")
    _scenario(staff, users, 3)
    history_import(FIXTURES)
    assert summaries.check() != {}


@pytest.mark.parametrize("table,trigger", sorted(file_steps.trigger_names()))
def test_every_file_step_trigger_is_needed(people, table, trigger):
    """The funnel's file steps and their summaries: without any one of their triggers, the
    scenario's writes (the services' and an operator's) leave them wrong, and the check says so."""
    staff, users = people
    with connection.cursor() as cur:
        cur.execute(f"DROP TRIGGER {trigger} ON {table}")
    _scenario(staff, users, 3)
    differences = summaries.check()
    assert set(differences) & {file_steps.TABLE, *(s.table for s in file_steps.SUMMARIES)}


def test_a_dropped_trigger_changes_the_report(people):
    staff, users = people
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER report_summary_update ON applications_application")
    _scenario(staff, users, 3)
    assert set(summaries.check()) >= {"report_application_fact", "report_enterprise_reach"}
    fast = build_report([2021, 2022], summaries=True)
    direct = build_report([2021, 2022], summaries=False)
    assert fast["years"] != direct["years"]


def test_check_catches_a_corrupted_row_and_rebuild_repairs_it(
    people, provider, other_provider, capsys
):
    staff, users = people
    _scenario(staff, users, 2)
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE report_application_fact SET n = n + 1 WHERE id = (SELECT min(id) FROM "
            "report_application_fact WHERE n > 0)"
        )
        cur.execute(
            "UPDATE report_reach_count SET enterprises = enterprises - 1 WHERE provider_id = 0"
        )
    differences = summaries.check()
    assert set(differences) == {"report_application_fact", "report_reach_count"}
    with pytest.raises(CommandError) as failed:
        call_command("rebuild_report_summary", "--check")
    assert failed.value.returncode == 1
    assert "report_application_fact: " in capsys.readouterr().out
    call_command("rebuild_report_summary")
    assert "Rebuilt the report summaries" in capsys.readouterr().out
    assert_summaries_match([provider.pk, other_provider.pk])


def test_the_command_says_there_is_nothing_to_do_on_sqlite(db, capsys):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    call_command("rebuild_report_summary", "--check")
    assert "PostgreSQL only" in capsys.readouterr().out


def _summary_writes() -> dict[str, int]:
    """Rows inserted or updated in each summary table by the current transaction so far."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables "
            "WHERE relname = ANY(%s)",
            [list(summaries.ALL_TABLES)],
        )
        return dict(cur.fetchall())


def test_writes_that_move_no_figure_touch_no_summary(people, provider):
    """A draft, and an update of columns no figure reads, write nothing to the summaries; a
    submission writes the facts and the month's inflow only; the summaries stay exact. (The guards that skip those
    statements without planning them are a matter of cost: bench/api_load.py shows it; the
    scenario tests above show they never skip a statement that matters.)"""
    staff, users = people
    with on(dt.date(2024, 3, 4)):
        before = _summary_writes()
        app = services.application_create(
            actor=users[0],
            provider=provider,
            enterprise_number=_number(1),
            enterprise_name="Guard NV",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur=Decimal("20000.00"),
            signatory=DEFAULT_SIGNATORY,
        )
        assert _summary_writes() == before  # a draft counts nowhere
        Application.objects.filter(pk=app.pk).update(decision_due_on=dt.date(2024, 4, 1))
        assert _summary_writes() == before  # a column no figure reads
        services.application_submit(actor=users[0], application=app)
        assert _summary_writes() == before  # waiting for the enterprise counts nowhere
        confirm(app)
    after = _summary_writes()
    changed = {t for t in after if after[t] != before.get(t, 0)}
    assert changed == {"report_application_fact", "report_inflow_count"}
    assert_summaries_match([provider.pk])


def _slot(value):
    """A statement-level wrapper that makes every statement write the striped summary in the
    slot `value()` gives, as if each came from another session (transaction-local setting)."""

    def wrapper(execute, sql, params, many, context):
        # The driver's own cursor: Django's would run this wrapper again.
        context["cursor"].cursor.execute(
            "SELECT set_config('csgrants.summary_slot', %s, true)", [str(value())]
        )
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.parametrize("seed", [2, 9])
def test_summaries_stay_exact_whatever_slot_each_write_takes(
    people, provider, other_provider, seed
):
    """Concurrent sessions write the application facts in slots of their own (summaries.SLOT).
    With every statement of the scenario in a random slot, the report still equals the base
    tables' report; the rebuild folds the slots into one."""
    staff, users = people
    rng = random.Random(seed)
    with connection.execute_wrapper(_slot(lambda: rng.randrange(summaries.SLOTS))):
        _scenario(staff, users, seed)
    with connection.cursor() as cur:
        cur.execute("SELECT count(DISTINCT slot) FROM report_application_fact")
        assert cur.fetchone()[0] == summaries.SLOTS
    assert_summaries_match([provider.pk, other_provider.pk])
    summaries.rebuild()
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT slot FROM report_application_fact")
        assert cur.fetchall() == [(0,)]
    assert_summaries_match([provider.pk, other_provider.pk])


def test_a_slot_holding_only_a_change_of_cost_still_counts(people, provider):
    """A file filed in one slot, its cost corrected (same key) in another: that slot's row has
    no file (n 0) but 100 euros. Readers sum the slots before dropping empty groups."""
    staff, users = people
    with on(dt.date(2024, 3, 4)), connection.execute_wrapper(_slot(lambda: 1)):
        app = services.application_create(
            actor=users[0],
            provider=provider,
            enterprise_number=_number(3),
            enterprise_name="Slot NV",
            enterprise_kind="kmo",
            postal_code="9000",
            package="MEDIUM",
            cost_eur=Decimal("20000.00"),
            signatory=DEFAULT_SIGNATORY,
            submit=True,
        )
        confirm(app)
    with connection.execute_wrapper(_slot(lambda: 2)):
        Application.objects.filter(pk=app.pk).update(cost_eur=Decimal("20100.00"))
    with connection.cursor() as cur:
        cur.execute("SELECT slot, n, cost_eur FROM report_application_fact ORDER BY slot")
        assert cur.fetchall() == [(1, 1, Decimal("20000.00")), (2, 0, Decimal("100.00"))]
    report = build_report([2024], provider.pk, summaries=True)
    assert report == {
        **build_report([2024], provider.pk, summaries=False),
        "generated_at": report["generated_at"],
    }
    assert_summaries_match([provider.pk])
