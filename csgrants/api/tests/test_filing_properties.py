"""Property (issue 20): no sequence of filings by two providers -- drafts and submissions, through
the API and the web form, with any names and seats, for shared or distinct enterprise numbers --
changes what the other provider's files show. Each file shows the name, kind and seat it was
filed with; the shared enterprise record keeps what the first filing for a new enterprise said."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEFAULT_DECLARATION, DEFAULT_SIGNATORY, make_user
from csgrants.accounts.models import Role
from csgrants.core.postal import province_for
from csgrants.enterprises.models import Enterprise
from csgrants.web.tests.test_views import new_application_data

NUMBERS = ["0403.170.701", "0202.239.951", "0417.497.106"]
# Flanders, Brussels and Wallonia.
POSTAL_CODES = ["1000", "2000", "3000", "4000", "6000", "8500", "9000"]

filings = st.lists(
    st.fixed_dictionaries(
        {
            "provider": st.sampled_from(["P01", "P02"]),
            "number": st.sampled_from(NUMBERS),
            "name": st.from_regex(r"[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?", fullmatch=True),
            "postal_code": st.sampled_from(POSTAL_CODES),
            "kind": st.sampled_from(["kmo", "maatwerkbedrijf"]),
            "submit": st.booleans(),
            "via": st.sampled_from(["api", "web"]),
        }
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def clients(provider, other_provider):
    users = {
        "P01": make_user("prop-p01", Role.PROVIDER, provider),
        "P02": make_user("prop-p02", Role.PROVIDER, other_provider),
    }
    out = {}
    for code, user in users.items():
        client = Client(raise_request_exception=True)
        client.force_login(user)
        out[code] = client
    return out


def _file(client, step) -> str | None:
    """File as the step says; the new file's reference, or None when refused because the
    provider already has an undecided file for the enterprise (OPEN_FILE_EXISTS)."""
    if step["via"] == "api":
        response = client.post(
            "/api/v1/applications/",
            {
                "enterprise_number": step["number"],
                "enterprise_name": step["name"],
                "enterprise_kind": step["kind"],
                "postal_code": step["postal_code"],
                "package": "MEDIUM",
                "cost_eur": "24000.00",
                "declaration": DEFAULT_DECLARATION,
                "signatory": DEFAULT_SIGNATORY,
                "submit": step["submit"],
            },
            content_type="application/json",
        )
        if response.status_code == 409 and response.json()["code"] == "OPEN_FILE_EXISTS":
            return None
        assert response.status_code == 201, response.content
        return response.json()["reference"]
    data = new_application_data(
        enterprise_number=step["number"],
        enterprise_name=step["name"],
        enterprise_kind=step["kind"],
        postal_code=step["postal_code"],
    )
    data["submit" if step["submit"] else "save"] = "1"
    response = client.post(reverse("web:new"), data)
    if response.status_code == 422 and "Uw organisatie heeft al een dossier" in (
        response.content.decode()
    ):
        return None
    assert response.status_code == 302, response.content.decode()[:2000]
    return resolve(response.url).kwargs["reference"]


def _shown(client, reference) -> dict:
    body = client.get(
        f"/api/v1/applications/{reference}/", headers={"Accept": "application/json"}
    ).json()
    # A flag for parallel files of the same enterprise is about the other files, by design.
    return {k: v for k, v in body.items() if "parallel" not in k}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=filings)
def test_no_filing_by_one_provider_changes_what_the_others_files_show(clients, steps):
    with transaction.atomic():
        files: dict[str, dict] = {"P01": {}, "P02": {}}  # reference -> (typed, shown)
        first: dict[str, dict] = {}
        filed_for: dict[str, set[str]] = {"P01": set(), "P02": set()}
        for step in steps:
            me = step["provider"]
            other = "P02" if me == "P01" else "P01"
            before = {ref: _shown(clients[other], ref) for ref in files[other]}
            reference = _file(clients[me], step)
            # A provider holds one undecided file per enterprise (issue 20): its second filing
            # for the same number is refused, and nobody's files change.
            assert (reference is None) == (step["number"] in filed_for[me])
            filed_for[me].add(step["number"])
            if reference is None:
                assert {ref: _shown(clients[other], ref) for ref in files[other]} == before
                continue
            shown = _shown(clients[me], reference)
            # The new file shows what was typed for it.
            assert (
                shown["enterprise_name"],
                shown["enterprise_kind"],
                shown["postal_code"],
                shown["province"],
            ) == (
                step["name"],
                step["kind"],
                step["postal_code"],
                province_for(step["postal_code"]),
            )
            files[me][reference] = shown
            first.setdefault(step["number"], step)
            # The other provider's files show exactly what they showed before.
            after = {ref: _shown(clients[other], ref) for ref in files[other]}
            assert after == before
            # The shared record: what the first filing for the new enterprise said.
            for number, step0 in first.items():
                record = Enterprise.objects.get(number=number)
                assert (record.name, record.kind, record.postal_code) == (
                    step0["name"],
                    step0["kind"],
                    step0["postal_code"],
                )
        # And every file of both still shows what it was filed with.
        for code, mine in files.items():
            for ref, shown in mine.items():
                now = _shown(clients[code], ref)
                for key in ("enterprise_name", "enterprise_kind", "postal_code", "province"):
                    assert now[key] == shown[key], (ref, key)
        transaction.set_rollback(True)
