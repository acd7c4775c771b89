"""Cross-provider writes (issue 20), next to the access matrix: for every form and API operation
that writes as provider P01, everything of provider P02 is unchanged afterwards.

"Everything of P02" is found generically, so that a new model or field is covered without
touching this test: starting from P02's provider row, every row of every model (through tables
included) that points at a row already found is P02's (its users, files, budget allocations
and ledger, tokens, bank accounts, check runs, decisions, amendments, letters, ...); then the
enterprise records its files point at, and the audit events about its files. Each row is
serialised with all its fields. Besides the rows, what P02's files show: the API's answer on
each file to P02, and P02's portal, its file pages and the reviewer's pages never show what
P01 typed.

P01 writes both on its own files (filed for P02's clients, with another name and seat) and on
P02's files by reference (which answers 404 and must change nothing either). Each operation
runs in a savepoint that is rolled back, so each starts from the same world.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import serializers
from django.db import transaction
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from conftest import DEFAULT_DECLARATION
from csgrants.api.tokens import token_create
from csgrants.applications.models import Application
from csgrants.budgets.services import allocation_create
from csgrants.catalogue.models import ServiceProvider
from csgrants.core.models import AuditEvent
from csgrants.enterprises.models import Enterprise
from csgrants.ops.tests import test_access_matrix as matrix
from csgrants.web.tests.test_after_screens import report_post
from csgrants.web.tests.test_views import new_application_data

world = matrix.world  # the access matrix's world, extended below

P02_CLIENT = (
    "0400.378.485"  # P02's client, for whom P01 also files (a number the world leaves free)
)
P02_NAME = "Klant Van Twee NV"
TYPED = "Overname Door Een BV"  # what P01 types for P02's client; never shown on P02's files


# -------------------------------------------------------------------------------------------
# P02's data, generically


def _owned_pks(provider) -> dict[type, set]:
    owned: dict[type, set] = {ServiceProvider: {provider.pk}}
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    grew = True
    while grew:
        grew = False
        for model in models:
            for field in model._meta.concrete_fields:
                target = field.related_model if field.many_to_one or field.one_to_one else None
                if target is None or not owned.get(target):
                    continue
                pks = set(
                    model._default_manager.filter(
                        **{f"{field.name}__in": owned[target]}
                    ).values_list("pk", flat=True)
                )
                new = pks - owned.setdefault(model, set())
                if new:
                    owned[model] |= new
                    grew = True
    return owned


# Logging P02 in to read its pages stamps its user row; nothing else is left out.
IGNORED_FIELDS = {"accounts.user": {"last_login"}}


def _rows(model, pks) -> list:
    rows = serializers.serialize("python", model._default_manager.filter(pk__in=pks).order_by("pk"))
    for row in rows:
        for name in IGNORED_FIELDS.get(row["model"], ()):
            row["fields"].pop(name, None)
    return rows


def snapshot_of(provider) -> dict:
    """Every row of `provider`, the enterprise records its files point at, the audit events
    about its files and its enterprises, all fields serialised."""
    owned = _owned_pks(provider)
    out = {
        m._meta.label: _rows(m, pks) for m, pks in sorted(owned.items(), key=lambda i: str(i[0]))
    }
    files = Application.objects.filter(provider=provider)
    enterprise_ids = set(files.values_list("enterprise_id", flat=True))
    out["enterprises of its files"] = _rows(Enterprise, enterprise_ids)
    about = Q(
        object_type="applications.application",
        object_id__in=list(files.values_list("reference", flat=True)),
    ) | Q(object_type="enterprises.enterprise", object_id__in=[str(i) for i in enterprise_ids])
    out["audit events about them"] = serializers.serialize(
        "python", AuditEvent.objects.filter(about).order_by("pk")
    )
    return out


def shown_to(world) -> dict:
    """What P02's files show: the API's answer on each, to P02 (keys about other files, such as
    a flag for parallel files of the same enterprise, may change and are left out)."""
    client = Client()
    client.force_login(world.p02_user)
    shown = {}
    for ref in world.p02_refs:
        body = client.get(f"/api/v1/applications/{ref}/", headers={"Accept": "application/json"})
        assert body.status_code == 200
        shown[ref] = {k: v for k, v in body.json().items() if "parallel" not in k}
    return shown


def assert_never_shows_p01s_typing(world):
    p02 = Client()
    p02.force_login(world.p02_user)
    staff = Client()
    staff.force_login(world.users["reviewer"])
    pages = [(p02, reverse("web:mine"))]
    for ref in world.p02_refs:
        pages.append((p02, reverse("web:application", args=[ref])))
        pages.append((staff, reverse("web:review", args=[ref])))
    for client, url in pages:
        html = client.get(url).content.decode()
        assert TYPED not in html, url


# -------------------------------------------------------------------------------------------
# The world: the access matrix's, plus P02's files, budget and token


@pytest.fixture
def both(world, make_application, admin_user):
    w = world
    p02_user = w.users["provider2"]
    allocation_create(
        actor=admin_user,
        provider=w.other_provider,
        amount_eur=Decimal("500000.00"),
        allocated_on=dt.date(2020, 1, 1),
        kind="initial",
    )
    client_file = make_application(
        "submitted",
        user=p02_user,
        reviewer=w.users["reviewer"],
        number=P02_CLIENT,
        enterprise_name=P02_NAME,
        postal_code="3000",
    )
    p02_draft = make_application("draft", user=p02_user, number="0404.616.494")
    p02_awaiting = make_application("awaiting_confirmation", user=p02_user, number="0403.199.702")
    p02_running = make_application(
        "in_progress", user=p02_user, reviewer=w.users["reviewer"], number="0203.201.340"
    )
    p02_token, _ = token_create(actor=w.users["admin"], user=p02_user, name="p02")
    # P01's own draft for P02's client, as a P01 filing would leave it.
    p01_client_draft = make_application(
        "draft",
        user=w.users["provider"],
        number=P02_CLIENT,
        enterprise_name=TYPED,
        postal_code="1000",
    )
    return SimpleNamespace(
        **vars(w),
        p02_user=p02_user,
        p02_file=client_file,
        p02_draft=p02_draft,
        p02_awaiting=p02_awaiting,
        p02_running=p02_running,
        p02_token=p02_token,
        p02_refs=[f.reference for f in (client_file, p02_draft, p02_awaiting, p02_running)],
        p01_client_draft=p01_client_draft,
    )


# -------------------------------------------------------------------------------------------
# P01's writes


@dataclass
class Write:
    key: str  # the access matrix's entry
    url: Callable[[SimpleNamespace], str]
    method: str = "post"
    data: Callable[[SimpleNamespace], dict] | dict | None = None
    own: bool = True  # on P01's own objects (let in) or on P02's (404)


def ref(name: str, attr: str, **kw) -> Callable[[SimpleNamespace], str]:
    return lambda w: reverse(name, kwargs={"reference": getattr(w, attr).reference, **kw})


def api_ref(name: str, attr: str) -> Callable[[SimpleNamespace], str]:
    return ref(name, attr)


FILING = {
    "enterprise_number": P02_CLIENT,
    "enterprise_name": f"{TYPED} api",
    "enterprise_kind": "kmo",
    "postal_code": "1000",
    "package": "MEDIUM",
    "cost_eur": "24000.00",
    "declaration": DEFAULT_DECLARATION,
}
FORM = new_application_data(
    enterprise_number=P02_CLIENT, enterprise_name=f"{TYPED} web", postal_code="1000"
)
EDIT = {**FORM, "enterprise_name": TYPED + " II", "postal_code": "1020"}

WRITES = [
    Write("web:new", lambda w: reverse("web:new"), data={**FORM, "save": "1"}),
    Write("web:new", lambda w: reverse("web:new"), data={**FORM, "submit": "1"}),
    Write("api-application-list POST", lambda w: "/api/v1/applications/", data=FILING),
    Write(
        "api-application-list POST",
        lambda w: "/api/v1/applications/",
        data={**FILING, "submit": True},
    ),
    Write("web:edit", ref("web:edit", "p01_client_draft"), data={**EDIT, "save": "1"}),
    Write("web:edit", ref("web:edit", "p02_draft"), data={**EDIT, "save": "1"}, own=False),
    Write(
        "api-application-detail PATCH",
        ref("api-application-detail", "p01_client_draft"),
        method="patch",
        data={"enterprise_name": TYPED, "postal_code": "1000", "cost_eur": "20000.00"},
    ),
    Write(
        "api-application-detail PATCH",
        ref("api-application-detail", "p02_draft"),
        method="patch",
        data={"enterprise_name": TYPED},
        own=False,
    ),
    Write("web:submit", ref("web:submit", "p01_client_draft")),
    Write("web:submit", ref("web:submit", "p02_draft"), own=False),
    Write("api-application-submit POST", ref("api-application-submit", "p01_client_draft")),
    Write("api-application-submit POST", ref("api-application-submit", "p02_draft"), own=False),
    Write("web:withdraw", ref("web:withdraw", "submitted"), data={"note": "x"}),
    Write("web:withdraw", ref("web:withdraw", "p02_file"), data={"note": "x"}, own=False),
    Write("api-application-withdraw POST", ref("api-application-withdraw", "submitted")),
    Write("api-application-withdraw POST", ref("api-application-withdraw", "p02_file"), own=False),
    Write("web:answer", ref("web:answer", "submitted"), data={**EDIT, "answer": "Zie bijlage."}),
    Write("web:answer", ref("web:answer", "p02_file"), data={"answer": "x"}, own=False),
    Write("web:confirmation_resend", ref("web:confirmation_resend", "awaiting")),
    Write("web:confirmation_resend", ref("web:confirmation_resend", "p02_awaiting"), own=False),
    Write("web:confirmation_recall", ref("web:confirmation_recall", "awaiting")),
    Write("web:confirmation_recall", ref("web:confirmation_recall", "p02_awaiting"), own=False),
    Write("web:start", ref("web:start", "approved")),
    Write(
        "web:amend",
        ref("web:amend", "running"),
        data={"kind": "extension", "package": "EXTENSION", "extra_cost_eur": "4.000,00"},
    ),
    Write(
        "web:amend",
        ref("web:amend", "p02_running"),
        data={"kind": "extension", "package": "EXTENSION", "extra_cost_eur": "4.000,00"},
        own=False,
    ),
    Write("web:final_report", ref("web:final_report", "running"), data=report_post()),
    Write(
        "web:final_report", ref("web:final_report", "p02_running"), data=report_post(), own=False
    ),
    Write("accounts:token_create", lambda w: reverse("accounts:token_create"), data={"name": "n"}),
    Write(
        "accounts:token_revoke",
        lambda w: reverse("accounts:token_revoke", kwargs={"pk": w.token.pk}),
    ),
    Write(
        "accounts:token_revoke",
        lambda w: reverse("accounts:token_revoke", kwargs={"pk": w.p02_token.pk}),
        own=False,
    ),
    Write("api-token-detail DELETE", lambda w: f"/api/v1/tokens/{w.token.pk}/", method="delete"),
    Write(
        "api-token-detail DELETE",
        lambda w: f"/api/v1/tokens/{w.p02_token.pk}/",
        method="delete",
        own=False,
    ),
]

# Operations a provider may call that write nothing of anyone's data, or only the caller's
# own session or password.
NOT_FILE_WRITES = {
    "logout": "ends the caller's session",
    "set_language": "the caller's own language",
    "accounts:password_change": "the caller's own password",
    "api-eligibility-sme POST": "a pure calculation",
    "api-eligibility-de-minimis POST": "a pure calculation",
    "confirmation_withdraw": "the enterprise's own link, no provider's",
}
# Pages whose GET is in the matrix and whose POST writes.
FORM_PAGES = {
    "web:new",
    "web:edit",
    "web:answer",
    "web:withdraw",
    "web:amend",
    "web:final_report",
}


def test_every_write_a_provider_may_do_is_tried():
    writes = {
        key
        for key, entry in matrix.MATRIX.items()
        if entry.outcomes["provider"] == matrix.OK and (entry.method != "get" or key in FORM_PAGES)
    }
    tried = {w.key for w in WRITES}
    missing = sorted(writes - tried - set(NOT_FILE_WRITES))
    assert not missing, f"provider writes without a cross-provider case: {missing}"


def _send(client, w: Write, world):
    url = w.url(world)
    data = w.data(world) if callable(w.data) else (w.data or {})
    if url.startswith("/api/"):
        call = getattr(client, w.method)
        if w.method == "delete":
            return call(url, headers={"Accept": "application/json"})
        return call(url, data=data, content_type="application/json")
    return getattr(client, w.method)(url, data=data)


@pytest.mark.parametrize(
    "write", WRITES, ids=[f"{w.key}{'' if w.own else ' on P02'} #{i}" for i, w in enumerate(WRITES)]
)
def test_a_write_by_one_provider_leaves_the_other_providers_data_as_it_was(write, both):
    world = both
    before, shown = snapshot_of(world.other_provider), shown_to(world)
    with transaction.atomic():
        client = Client(raise_request_exception=True)
        client.force_login(world.users["provider"])
        response = _send(client, write, world)
        if write.own:
            got = matrix.classify(response, write.url(world), write.method)
            assert got == matrix.OK, (response.status_code, response.content.decode()[:1500])
        else:
            assert response.status_code == 404, response.status_code
        assert snapshot_of(world.other_provider) == before
        assert shown_to(world) == shown
        assert_never_shows_p01s_typing(world)
        transaction.set_rollback(True)


def test_the_snapshot_sees_a_change_of_any_field(both):
    world = both
    """The snapshot is not blind: a change to a file, a token or the enterprise record shows."""
    before = snapshot_of(world.other_provider)
    with transaction.atomic():
        Application.objects.filter(pk=world.p02_file.pk).update(enterprise_name="x")
        assert snapshot_of(world.other_provider) != before
        transaction.set_rollback(True)
    with transaction.atomic():
        Enterprise.objects.filter(number=P02_CLIENT).update(postal_code="1000")
        assert snapshot_of(world.other_provider) != before
        transaction.set_rollback(True)
    with transaction.atomic():
        type(world.p02_token).objects.filter(pk=world.p02_token.pk).delete()
        assert snapshot_of(world.other_provider) != before
        transaction.set_rollback(True)
    assert snapshot_of(world.other_provider) == before
