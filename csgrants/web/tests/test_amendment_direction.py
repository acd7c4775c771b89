"""An upgrade leads only to a higher package, an extension is added once (issue 20, item 4):
through the amendment form, the decision form and the service, on a MEDIUM file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from conftest import confirm_amendment
from csgrants.applications import amendments
from csgrants.applications.models import Amendment
from csgrants.applications.tests.after_helpers import at
from csgrants.budgets.models import LedgerEntry
from csgrants.catalogue.models import Package
from csgrants.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
DAY = dt.date(2023, 3, 1)


@pytest.fixture
def running(make_application, funded):
    with at(DAY):
        application = make_application("in_progress")
    assert application.current_package.code == "MEDIUM"
    return application


def offered(client, application) -> list[str]:
    page = client.get(reverse("web:amend", args=[application.reference]))
    assert page.status_code == 200
    return [code for code, _label in page.context["form"].fields["package"].choices]


def test_the_form_offers_only_higher_packages_and_extensions_not_on_the_file(
    client, running, provider_user, reviewer
):
    client.force_login(provider_user)
    with at(DAY):
        assert offered(client, running) == ["PLUS", "EXTENSION"]
        client.post(
            reverse("web:amend", args=[running.reference]),
            {"kind": "extension", "package": "EXTENSION", "extra_cost_eur": "4.000,00"},
        )
        # asked for: not offered again, neither while it waits nor once approved
        assert offered(client, running) == ["PLUS"]
        amendment = confirm_amendment(Amendment.objects.get(application=running))
        client.force_login(reviewer)
        client.post(
            reverse("web:amendment_decide", args=[running.reference, amendment.pk]),
            {"outcome": "approved", "note": ""},
        )
        amendment.refresh_from_db()
        assert amendment.status == "approved"
        client.force_login(provider_user)
        assert offered(client, running) == ["PLUS"]


@pytest.mark.parametrize("package", ["START", "CHECK_PLAN", "MEDIUM"])
def test_a_lower_or_sideways_upgrade_is_refused_by_the_form(
    client, running, provider_user, package
):
    client.force_login(provider_user)
    with at(DAY):
        answer = client.post(
            reverse("web:amend", args=[running.reference]),
            {"kind": "upgrade", "package": package, "extra_cost_eur": "2.000,00"},
        )
    assert answer.status_code == 422
    assert answer.context["form"].errors["package"]
    assert not Amendment.objects.exists()


@pytest.mark.parametrize("package", ["START", "CHECK_PLAN", "check&plan"])
def test_the_service_refuses_an_upgrade_that_does_not_lead_up(running, provider_user, package):
    with at(DAY), pytest.raises(ValidationFailed) as refused:
        amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="upgrade",
            package=package,
            extra_cost_eur="2000",
        )
    assert refused.value.code == "NOT_AN_UPGRADE" and refused.value.field == "package"
    assert not Amendment.objects.exists()


def test_an_extension_is_asked_for_once(running, provider_user):
    with at(DAY):
        amendments.amendment_request(
            actor=provider_user,
            application=running,
            kind="extension",
            package="EXTENSION",
            extra_cost_eur="4000",
        )
        with pytest.raises(ValidationFailed) as again:
            amendments.amendment_request(
                actor=provider_user,
                application=running,
                kind="extension",
                package="uitbreiding",
                extra_cost_eur="4000",
            )
    assert again.value.code == "SAME_PACKAGE"
    assert Amendment.objects.count() == 1


def test_a_downgrade_on_record_is_not_approved_and_commits_nothing(
    client, running, provider_user, reviewer
):
    """A request filed before the rule held (MEDIUM -> START) cannot be approved."""
    start = Package.objects.get(code="START")
    with at(DAY):
        downgrade = Amendment.objects.create(
            application=running,
            kind=Amendment.Kind.UPGRADE,
            package=start,
            extra_cost_eur="2000.00",
            extra_subsidy_eur="1000.00",
            policy=running.policy,
            requested_on=DAY,
            requested_by=provider_user,
        )
        commits = LedgerEntry.objects.filter(kind="commit").count()
        client.force_login(reviewer)
        client.post(
            reverse("web:amendment_decide", args=[running.reference, downgrade.pk]),
            {"outcome": "approved", "note": ""},
        )
    downgrade.refresh_from_db()
    running.refresh_from_db()
    assert downgrade.status == Amendment.AmendmentStatus.SUBMITTED
    assert running.current_package.code == "MEDIUM"
    assert LedgerEntry.objects.filter(kind="commit").count() == commits
