"""Issue 20, item 1: one provider's filing never rewrites what another provider's file shows.
A file keeps the enterprise name, kind and seat it was filed with; the shared enterprise record
is the register's or the agency's (created by a filing only when new, never updated by one);
the form's prefill shows a provider only the register or its own earlier files; every change
to an enterprise record is audited."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.test import APIClient

from csgrants.applications.models import Application
from csgrants.core.models import AuditEvent
from csgrants.enterprises.models import Enterprise, KboDenomination, KboEnterprise

NUMBER = "0403.170.701"
P02_NAME = "Bakkerij Peeters"
P01_NAME = "Overname Brussel BV"


@pytest.fixture
def p02_file(make_application, other_provider_user):
    """P02's client: filed and submitted (confirmed by the enterprise), seat in Leuven."""
    return make_application(
        "submitted",
        user=other_provider_user,
        number=NUMBER,
        enterprise_name=P02_NAME,
        postal_code="3000",
    )


def _web_draft_as_p01(client, provider_user):
    from csgrants.web.tests.test_views import new_application_data

    client.force_login(provider_user)
    response = client.post(
        reverse("web:new"),
        new_application_data(
            save="1", enterprise_number=NUMBER, enterprise_name=P01_NAME, postal_code="1000"
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _api_draft_as_p01(provider_user, name=P01_NAME):
    api = APIClient()
    api.force_authenticate(provider_user)
    response = api.post(
        "/api/v1/applications/",
        {
            "enterprise_number": "0403170701",
            "enterprise_name": name,
            "enterprise_kind": "kmo",
            "postal_code": "1000",
            "package": "MEDIUM",
            "cost_eur": "24000.00",
            "declaration": {"negative_equity": False, "public_participation_pct": 0},
            "submit": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_another_providers_drafts_leave_the_file_its_name_and_seat(
    client, p02_file, provider_user, other_provider_user, reviewer
):
    _web_draft_as_p01(client, provider_user)
    # A provider holds one undecided file per enterprise (issue 20): P01 withdraws its web
    # draft before it files the same enterprise through the API.
    from csgrants.applications.services import application_withdraw

    application_withdraw(
        actor=provider_user,
        application=Application.objects.get(provider=provider_user.service_provider),
    )
    own = _api_draft_as_p01(provider_user, name="API Overname BV")
    # P02's portal and its file page.
    client.force_login(other_provider_user)
    for url in (reverse("web:mine"), reverse("web:application", args=[p02_file.reference])):
        page = client.get(url).content.decode()
        assert P02_NAME in page, url
        assert "Overname" not in page, url
    # The API's answer to P02.
    api = APIClient()
    api.force_authenticate(other_provider_user)
    body = api.get(f"/api/v1/applications/{p02_file.reference}/").json()
    assert (body["enterprise_name"], body["postal_code"]) == (P02_NAME, "3000")

    # The queue and the review page.
    client.force_login(reviewer)
    queue = client.get(reverse("web:queue")).content.decode()
    assert P02_NAME in queue and "Overname" not in queue
    review = client.get(reverse("web:review", args=[p02_file.reference])).content.decode()
    assert P02_NAME in review and "3000" in review
    assert "Overname" not in review

    # P01's own drafts keep what P01 typed.
    mine = Application.objects.filter(provider=provider_user.service_provider)
    assert sorted(mine.values_list("enterprise_name", "postal_code")) == [
        ("API Overname BV", "1000"),
        (P01_NAME, "1000"),
    ]
    assert own["enterprise_name"] == "API Overname BV"

    p02_file.refresh_from_db()
    assert (p02_file.enterprise_name, p02_file.postal_code) == (P02_NAME, "3000")
    # The shared record was made by the first filing and no later filing changed it.
    record = Enterprise.objects.get(number=NUMBER)
    assert (record.name, record.postal_code) == (P02_NAME, "3000")
    assert not AuditEvent.objects.filter(action="enterprise.update").exists()


def test_rechecking_the_file_reads_its_own_seat(client, p02_file, provider_user, reviewer):
    """The Flemish-region check on P02's file (seat Leuven) after P01 typed Brussels for the
    same enterprise."""
    _api_draft_as_p01(provider_user)
    client.force_login(reviewer)
    # "Controles opnieuw uitvoeren": the Flemish-region check reads the file's seat (Leuven).
    response = client.post(reverse("web:recheck", args=[p02_file.reference]))
    assert response.status_code == 302
    run = p02_file.check_runs.latest("run_at", "pk")
    region = run.results.get(code="FLEMISH_REGION")
    assert region.outcome == "pass", region.message_en


def test_the_prefill_shows_a_provider_only_the_register_or_its_own_files(
    client, p02_file, provider_user, other_provider_user
):
    lookup = reverse("web:enterprise_lookup") + "?enterprise_number=0403170701"
    client.force_login(provider_user)
    # P01 never filed for this enterprise and the register is not loaded: nothing to fill in.
    response = client.get(lookup)
    assert response.status_code == 204
    assert P02_NAME not in response.content.decode()
    _web_draft_as_p01(client, provider_user)
    # Now P01's own earlier file.
    page = client.get(lookup).content.decode()
    assert P01_NAME in page and P02_NAME not in page
    # And P02 still sees its own typing, not P01's.
    client.force_login(other_provider_user)
    page = client.get(lookup).content.decode()
    assert P02_NAME in page and "Overname" not in page


def test_the_review_page_shows_the_register_beside_the_file(client, p02_file, reviewer):
    KboEnterprise.objects.create(
        enterprise_number=NUMBER, status="AC", juridical_situation="000", type_of_enterprise="2"
    )
    KboDenomination.objects.create(
        entity_number=NUMBER, language="2", type_of_denomination="001", denomination="Peeters NV"
    )
    client.force_login(reviewer)
    review = client.get(reverse("web:review", args=[p02_file.reference])).content.decode()
    assert "Peeters NV" in review  # the register's name
    assert P02_NAME in review  # the file's own


def test_editing_a_draft_changes_the_file_not_the_shared_record(
    client, make_application, provider_user
):
    draft = make_application("draft", number=NUMBER, enterprise_name="Eerst", postal_code="9000")
    api = APIClient()
    api.force_authenticate(provider_user)
    response = api.patch(
        f"/api/v1/applications/{draft.reference}/",
        {"enterprise_name": "Daarna", "postal_code": "1000"},
        format="json",
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.enterprise_name, draft.postal_code, draft.province) == (
        "Daarna",
        "1000",
        "BE-BRU",
    )
    record = Enterprise.objects.get(number=NUMBER)
    assert (record.name, record.postal_code) == ("Eerst", "9000")


def test_an_agency_correction_of_an_enterprise_is_audited_and_leaves_the_files(
    client, p02_file, admin_user
):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    record = Enterprise.objects.get(number=NUMBER)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:enterprises_enterprise_change", args=[record.pk]),
        {"name": "Bakkerij Peeters BV", "kind": "kmo", "postal_code": "3001"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record.refresh_from_db()
    assert (record.name, record.postal_code) == ("Bakkerij Peeters BV", "3001")
    event = AuditEvent.objects.get(action="enterprise.update", object_id=str(record.pk))
    assert event.actor == admin_user
    assert event.before["name"] == P02_NAME and event.after["name"] == "Bakkerij Peeters BV"
    assert event.before["postal_code"] == "3000" and event.after["postal_code"] == "3001"
    p02_file.refresh_from_db()
    assert (p02_file.enterprise_name, p02_file.postal_code) == (P02_NAME, "3000")


def test_a_new_enterprise_is_recorded_once_with_an_audit_event(make_application, provider_user):
    app = make_application("draft", number=NUMBER, enterprise_name="Nieuw BV", postal_code="8000")
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.after["name"] == "Nieuw BV" and event.object_id == str(app.enterprise_id)


def test_the_data_migration_gives_existing_files_their_enterprise_name(make_application):
    app = make_application("draft", number=NUMBER, enterprise_name="Voor De Migratie")
    Application.objects.filter(pk=app.pk).update(enterprise_name="")
    migration = importlib.import_module(
        "csgrants.applications.migrations.0014_application_enterprise_name"
    )
    migration.copy_names(django_apps, None)
    app.refresh_from_db()
    assert app.enterprise_name == "Voor De Migratie"


def test_the_history_import_gives_files_their_own_names_and_keeps_the_record(
    db, tmp_path, p02_file
):
    from csgrants.imports.services import history_import
    from csgrants.imports.tests.test_import import APP_HEADER, write

    write(
        tmp_path,
        "applications.csv",
        APP_HEADER,
        [
            f"CS-2021-0001,P01,{NUMBER},Oude Naam BV,kmo,1000,basis,,40000.00,18000.00,"
            "2021-03-01,approved,2021-03-05,",
            "CS-2021-0002,P01,0202.239.951,Metaal Maes NV,kmo,3500,basis,,20000.00,9000.00,"
            "2021-07-20,approved,2021-07-22,",
        ],
    )
    history_import(tmp_path)
    old = Application.objects.get(reference="CS-2021-0001")
    assert (old.enterprise_name, old.postal_code) == ("Oude Naam BV", "1000")
    # The existing record (made by P02's filing) is left as it is; a new one is created.
    assert Enterprise.objects.get(number=NUMBER).name == P02_NAME
    assert Enterprise.objects.get(number="0202.239.951").name == "Metaal Maes NV"
    p02_file.refresh_from_db()
    assert p02_file.enterprise_name == P02_NAME
    assert Application.objects.get(reference="CS-2021-0002").enterprise_name == "Metaal Maes NV"
    # The run's audit event counts the records it created.
    run = AuditEvent.objects.get(action="history.import")
    assert run.after["enterprises_created"] == 1


def test_an_enterprise_the_agency_records_in_the_admin_is_audited(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:enterprises_enterprise_add"),
        {
            "number": "BE0403170701",
            "name": "Register Gezien NV",
            "kind": "kmo",
            "postal_code": "9000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = Enterprise.objects.get(number=NUMBER)
    assert (record.name, record.province, record.region) == (
        "Register Gezien NV",
        "BE-VOV",
        "flanders",
    )
    event = AuditEvent.objects.get(action="enterprise.create")
    assert event.actor == admin_user and event.after["number"] == NUMBER
    # A postal code that is not Belgian is refused on the form, not with an error page.
    response = client.post(
        reverse("admin:enterprises_enterprise_change", args=[record.pk]),
        {"name": "Register Gezien NV", "kind": "kmo", "postal_code": "0001"},
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="enterprise.update").count() == 0
