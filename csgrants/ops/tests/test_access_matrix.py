"""The access-control matrix: for every URL of the web UI and every API operation, what each
role gets. Anonymous visitors go to the login page (web) or get 401 (API); a provider user
sees only its own provider's files, and another provider's file answers 404 exactly like one
that does not exist; agency roles get what their work needs and 403 for the rest.

`test_every_url_has_an_entry` walks the URL resolver: a new URL (or a new HTTP method on an
API route) without an entry here fails, and so does an entry whose URL is gone. Each entry is
requested by every role inside a savepoint that is rolled back, so a POST that changes state
for one role leaves the next role the same world. POSTs are sent with a harmless body: what
is checked is whether the role gets in, not what the operation does (its own tests do that).

Outcomes: OK = let in (2xx, a redirect that is not the login page, or for a POST a 400 / 409
/ 422 judging the body); LOGIN = 302 to the login page, or 401 on the API; 403; 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import make_user, open_confirmation_token
from csgrants.accounts.models import Role
from csgrants.api.tokens import token_create
from csgrants.applications.amendments import amendment_request
from csgrants.applications.confirmation import token_of
from csgrants.budgets.services import allocation_create
from csgrants.core import enterprise_number
from csgrants.enterprises.models import KboEnterprise

OK, LOGIN, DENY, HIDE = "ok", "login", 403, 404
ROLES = ["anonymous", "provider", "provider2", "reviewer", "budget_manager", "analyst", "admin"]
STAFF_ROLES = ["reviewer", "budget_manager", "analyst", "admin"]


def expect(default, **per_role) -> dict[str, object]:
    """Outcome per role: `default` for every role not named; anonymous is LOGIN unless named."""
    table = dict.fromkeys(ROLES, default)
    table["anonymous"] = LOGIN
    table.update(per_role)
    return table


def public() -> dict[str, object]:
    return dict.fromkeys(ROLES, OK)


def staff_only(*allowed: str) -> dict[str, object]:
    """Agency pages: providers get 403, staff roles not listed get 403."""
    allowed = allowed or tuple(STAFF_ROLES)
    return expect(DENY, **dict.fromkeys(allowed, OK))


def own_file(staff=DENY, **per_role) -> dict[str, object]:
    """A provider's file: its own provider gets in, another provider gets 404."""
    return expect(staff, provider=OK, provider2=HIDE, **per_role)


def provider_only() -> dict[str, object]:
    return expect(DENY, provider=OK, provider2=OK)


@dataclass
class Entry:
    url: Callable[[SimpleNamespace], str]
    outcomes: dict[str, object]
    method: str = "get"
    data: dict | None = None
    why: str = ""
    accept: str = ""  # default: JSON on the API, HTML elsewhere


def named(name: str, query: str = "", **kwargs) -> Callable[[SimpleNamespace], str]:
    """reverse() with kwargs whose values may be callables of the world."""

    def build(world):
        values = {k: (v(world) if callable(v) else v) for k, v in kwargs.items()}
        return reverse(name, kwargs=values or None) + (f"?{query}" if query else "")

    return build


def own_ref(world) -> str:
    return world.submitted.reference


def draft_ref(world) -> str:
    return world.draft.reference


def running_ref(world) -> str:
    return world.running.reference


def awaiting_ref(world) -> str:
    return world.awaiting.reference


# -------------------------------------------------------------------------------------------
# The matrix. Keys: the URL name (namespace:name) for Django views; "name METHOD" for API
# operations (one per HTTP method a DRF view answers).

MATRIX: dict[str, Entry] = {
    # Log in and out, language, health check: open to everyone.
    "login": Entry(named("login"), public(), why="the login page itself"),
    "logout": Entry(
        named("logout"),
        dict.fromkeys(ROLES, LOGIN),
        method="post",
        why="POST only; everyone ends on the login page",
    ),
    "set_language": Entry(named("set_language"), public(), method="post", data={"language": "en"}),
    "ops:healthz": Entry(named("ops:healthz"), public()),
    # The two-factor steps need a password login first; every role may set up an app.
    "ops:otp-verify": Entry(named("ops:otp-verify"), expect(OK)),
    "ops:otp-setup": Entry(named("ops:otp-setup"), expect(OK)),
    "home": Entry(named("home"), expect(OK)),
    # The user's own page: every logged-in user; a token is revoked only by its owner.
    "accounts:account": Entry(named("accounts:account"), expect(OK)),
    "accounts:password_change": Entry(
        named("accounts:password_change"), expect(OK), method="post", data={}
    ),
    "accounts:token_create": Entry(
        named("accounts:token_create"), expect(OK), method="post", data={"name": "x"}
    ),
    "accounts:token_revoke": Entry(
        named("accounts:token_revoke", pk=lambda w: w.token.pk),
        expect(HIDE, provider=OK),
        method="post",
    ),
    # Statistics and budget screens: agency staff only.
    "reporting:dashboard": Entry(named("reporting:dashboard"), staff_only()),
    "reporting:runway": Entry(named("reporting:runway"), staff_only()),
    "reporting:what_if": Entry(named("reporting:what_if"), staff_only()),
    # Budgets: every agency role reads them; only budget managers and administrators record.
    "budgets:overview": Entry(named("budgets:overview"), staff_only()),
    "budgets:provider": Entry(named("budgets:provider", pk=lambda w: w.provider.pk), staff_only()),
    "budgets:ledger": Entry(named("budgets:ledger"), staff_only()),
    "budgets:top_up": Entry(named("budgets:top_up"), staff_only("budget_manager", "admin")),
    "budgets:agreement_new": Entry(
        named("budgets:agreement_new"), staff_only("budget_manager", "admin")
    ),
    "budgets:reserve_assign": Entry(
        named("budgets:reserve_assign", pk=lambda w: w.reserve.pk),
        staff_only("budget_manager", "admin"),
    ),
    # Password reset: for people who cannot log in, so open to everyone.
    "password_reset": Entry(named("password_reset"), public()),
    "password_reset_done": Entry(named("password_reset_done"), public()),
    "password_reset_confirm": Entry(
        named("password_reset_confirm", uidb64="MQ", token="invalid-token"),
        public(),
        why="an invalid link shows its own page",
    ),
    "password_reset_complete": Entry(named("password_reset_complete"), public()),
    # Provider portal: provider users only; a file of another provider is 404.
    "web:mine": Entry(named("web:mine"), provider_only()),
    "web:new": Entry(named("web:new"), provider_only()),
    "web:enterprise_lookup": Entry(named("web:enterprise_lookup"), provider_only()),
    "web:subsidy_preview": Entry(named("web:subsidy_preview"), provider_only()),
    "web:formset_row": Entry(named("web:formset_row", kind="relations"), provider_only()),
    "web:application": Entry(named("web:application", reference=own_ref), own_file()),
    "web:receipt": Entry(named("web:receipt", reference=own_ref), own_file()),
    "web:edit": Entry(named("web:edit", reference=draft_ref), own_file()),
    "web:submit": Entry(named("web:submit", reference=draft_ref), own_file(), method="post"),
    "web:answer": Entry(named("web:answer", reference=own_ref), own_file()),
    "web:withdraw": Entry(named("web:withdraw", reference=own_ref), own_file()),
    # A file waiting for its enterprise: its provider resends the link or takes the file back.
    "web:confirmation_resend": Entry(
        named("web:confirmation_resend", reference=awaiting_ref), own_file(), method="post"
    ),
    "web:confirmation_recall": Entry(
        named("web:confirmation_recall", reference=awaiting_ref), own_file(), method="post"
    ),
    # The enterprise's personal link: no login, the link itself is the capability (a
    # logged-in user gets the same page). POSTs are CSRF forms; their rules are tested in
    # web/tests/test_enterprise_confirmation.py.
    "confirmation": Entry(
        named("confirmation", token=lambda w: w.awaiting_token),
        public(),
        why="the enterprise confirms without an account",
    ),
    "confirmation_withdraw": Entry(
        named("confirmation_withdraw", token=lambda w: w.used_token),
        public(),
        method="post",
        why="the enterprise withdraws its confirmation from the link in its mail",
    ),
    # After approval: the provider starts, amends and reports on its own file; reviewers and
    # administrators decide on amendments and final reports; payment also by budget managers.
    "web:start": Entry(
        named("web:start", reference=lambda w: w.approved.reference), own_file(), method="post"
    ),
    "web:amend": Entry(named("web:amend", reference=running_ref), own_file()),
    "web:final_report": Entry(named("web:final_report", reference=running_ref), own_file()),
    "web:amendment_decide": Entry(
        named("web:amendment_decide", reference=running_ref, amendment_id=lambda w: w.amendment.pk),
        staff_only("reviewer", "admin"),
        method="post",
    ),
    "web:report_accept": Entry(
        named("web:report_accept", reference=running_ref),
        staff_only("reviewer", "admin"),
        method="post",
    ),
    "web:report_send_back": Entry(
        named("web:report_send_back", reference=running_ref),
        staff_only("reviewer", "admin"),
        method="post",
    ),
    # Decision letters: the file's provider and staff read them; reviewers and administrators
    # correct a letter and retry a failed rendering.
    "documents:board": Entry(named("documents:board"), staff_only()),
    "documents:retry": Entry(
        named("documents:retry", pk=lambda w: w.letter.job_id),
        staff_only("reviewer", "admin"),
        method="post",
    ),
    "documents:download": Entry(
        named("documents:download", reference=running_ref, letter_id=lambda w: w.letter.pk),
        own_file(staff=OK),
    ),
    "documents:correct": Entry(
        named("documents:correct", reference=running_ref, letter_id=lambda w: w.letter.pk),
        staff_only("reviewer", "admin"),
        method="post",
    ),
    # Payment orders: every agency role reads; budget managers and administrators act.
    "payments:overview": Entry(named("payments:overview"), staff_only()),
    "payments:prepare": Entry(
        named("payments:prepare"), staff_only("budget_manager", "admin"), method="post"
    ),
    "payments:batch": Entry(named("payments:batch", pk=lambda w: w.batch.pk), staff_only()),
    "payments:approve": Entry(
        named("payments:approve", pk=lambda w: w.batch.pk),
        staff_only("budget_manager", "admin"),
        method="post",
    ),
    "payments:export": Entry(
        named("payments:export", pk=lambda w: w.batch.pk, fmt="csv"),
        staff_only("budget_manager", "admin"),
    ),
    "payments:answer": Entry(
        named("payments:answer", pk=lambda w: w.batch.pk),
        staff_only("budget_manager", "admin"),
        method="post",
    ),
    "payments:accounts": Entry(named("payments:accounts"), staff_only()),
    "payments:account_propose": Entry(
        named("payments:account_propose"), staff_only("budget_manager", "admin"), method="post"
    ),
    "payments:account_decide": Entry(
        named("payments:account_decide", pk=lambda w: w.account.pk),
        staff_only("budget_manager", "admin"),
        method="post",
    ),
    # Back office: every agency role reads the queue and the files; reviewers and
    # administrators decide.
    "web:queue": Entry(named("web:queue"), staff_only()),
    # Work lists: every agency role sees the overview and searches; each list its own roles.
    "web:work": Entry(named("web:work"), staff_only()),
    "web:search": Entry(named("web:search", query="q=CS"), staff_only()),
    "web:work_list": Entry(
        named("web:work_list", slug="betalingen"),
        staff_only("reviewer", "budget_manager", "admin"),
    ),
    "web:review": Entry(named("web:review", reference=own_ref), staff_only()),
    "web:letter_text": Entry(named("web:letter_text"), staff_only("reviewer", "admin")),
    "web:decide": Entry(
        named("web:decide", reference=own_ref), staff_only("reviewer", "admin"), method="post"
    ),
    "web:stop": Entry(
        named("web:stop", reference=own_ref), staff_only("reviewer", "admin"), method="post"
    ),
    "web:recheck": Entry(
        named("web:recheck", reference=own_ref), staff_only("reviewer", "admin"), method="post"
    ),
    "api-documents GET": Entry(named("api-documents", reference=running_ref), own_file(staff=OK)),
    "api-document-download GET": Entry(
        named("api-document-download", reference=running_ref, letter_id=lambda w: w.letter.pk),
        own_file(staff=OK),
        accept="application/pdf",
    ),
    # API: 401 without a token; providers file and see their own files (another provider's
    # file is 404), staff read, reviewers and administrators decide.
    "api-application-list GET": Entry(named("api-application-list"), expect(OK)),
    "api-application-list POST": Entry(
        named("api-application-list"), expect(DENY, provider=OK, provider2=OK), method="post"
    ),
    "api-application-detail GET": Entry(
        named("api-application-detail", reference=own_ref), own_file(staff=OK)
    ),
    "api-application-detail PATCH": Entry(
        named("api-application-detail", reference=draft_ref),
        own_file(),
        method="patch",
        data={"cost_eur": "20000.00"},
    ),
    "api-application-submit POST": Entry(
        named("api-application-submit", reference=draft_ref), own_file(), method="post"
    ),
    "api-application-withdraw POST": Entry(
        named("api-application-withdraw", reference=own_ref), own_file(), method="post"
    ),
    "api-application-decision POST": Entry(
        named("api-application-decision", reference=own_ref),
        staff_only("reviewer", "admin"),
        method="post",
        data={"outcome": "rejected", "reasons": ["NOT_SME"]},
    ),
    # Checking figures and reading the catalogue: any logged-in user.
    "api-eligibility-sme POST": Entry(named("api-eligibility-sme"), expect(OK), method="post"),
    "api-eligibility-de-minimis POST": Entry(
        named("api-eligibility-de-minimis"), expect(OK), method="post"
    ),
    "api-packages GET": Entry(named("api-packages"), expect(OK)),
    "api-tariffs GET": Entry(named("api-tariffs"), expect(OK)),
    "api-policy GET": Entry(named("api-policy"), expect(OK)),
    "api-reason-codes GET": Entry(named("api-reason-codes"), expect(OK)),
    "api-statistics-report GET": Entry(
        named("api-statistics-report", query="years=2026"), staff_only()
    ),
    "api-statistics-runway GET": Entry(
        named("api-statistics-runway", query="as_of=2026-12-02"), staff_only()
    ),
    "api-statistics-what-if POST": Entry(
        named("api-statistics-what-if"),
        staff_only(),
        method="post",
        data={"rate_pct": "55", "from_date": "2026-12-02"},
    ),
    # Tokens: everyone lists their own; a token is revoked only by its owner (else 404).
    "api-tokens GET": Entry(named("api-tokens"), expect(OK)),
    "api-token-detail DELETE": Entry(
        named("api-token-detail", id=lambda w: w.token.pk),
        expect(HIDE, provider=OK),
        method="delete",
    ),
    # The register's data on an enterprise (public KBO data): any logged-in user.
    "api-enterprise-register GET": Entry(
        named("api-enterprise-register", number=lambda w: w.submitted.enterprise.number),
        expect(OK),
    ),
    # The API's description is public: it documents the contract, not data.
    "api-schema GET": Entry(named("api-schema"), public()),
    "api-index GET": Entry(named("api-index"), public()),
    "api-docs GET": Entry(named("api-docs"), public(), accept="text/html"),
    # Django admin: only administrators (is_staff); others are sent to the admin login.
    "admin:index": Entry(named("admin:index"), expect(LOGIN, admin=OK)),
    "admin:accounts_user_changelist": Entry(
        named("admin:accounts_user_changelist"), expect(LOGIN, admin=OK)
    ),
}

# URL families covered by a sample above instead of one entry per URL.
FAMILIES = {
    "/admin/": "Django admin: every page is guarded by the admin site's own is_staff check, "
    "sampled by admin:index and admin:accounts_user_changelist",
}
# Public static and translation catalogue URLs that are not application pages.
IGNORED = {"javascript-catalog"}


# -------------------------------------------------------------------------------------------
# Enumerating the URL resolver


def _methods(callback) -> list[str]:
    """HTTP methods of a DRF view (a ViewSet's route maps methods to actions); [] otherwise."""
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(m.upper() for m in actions if m not in ("options", "head", "trace"))
    cls = getattr(callback, "cls", None)
    if cls is not None and hasattr(cls, "http_method_names"):
        return sorted(
            m.upper()
            for m in cls.http_method_names
            if m not in ("options", "head", "trace") and hasattr(cls, m)
        )
    return []


def endpoints() -> dict[str, str]:
    """Every URL pattern as {key: route}."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or ""
                if name and namespace:
                    name = f"{namespace}:{name}"
                route = prefix + str(pattern.pattern)
                methods = _methods(pattern.callback)
                if methods:
                    for method in methods:
                        found[f"{name or route} {method}"] = route
                else:
                    found[name or route] = route

    walk(get_resolver().url_patterns, "/", None)
    return found


def test_every_url_has_an_entry():
    keys = endpoints()
    uncovered = sorted(
        f"{key}  ({route})"
        for key, route in keys.items()
        if key not in MATRIX
        and key not in IGNORED
        and not any(route.startswith(prefix) for prefix in FAMILIES)
    )
    assert not uncovered, "URLs without an entry in the access matrix:\n" + "\n".join(uncovered)
    stale = sorted(set(MATRIX) - set(keys))
    assert not stale, "matrix entries whose URL no longer exists:\n" + "\n".join(stale)


# -------------------------------------------------------------------------------------------
# Requesting every entry as every role


@pytest.fixture
def world(provider, other_provider, funded, make_application):
    users = {
        "provider": make_user("m-prov", Role.PROVIDER, provider),
        "provider2": make_user("m-prov2", Role.PROVIDER, other_provider),
        "reviewer": make_user("m-rev", Role.REVIEWER),
        "budget_manager": make_user("m-budget", Role.BUDGET_MANAGER),
        "analyst": make_user("m-analyst", Role.ANALYST),
        "admin": make_user("m-admin", Role.ADMIN),
    }
    # The administrator as load_demo and createsuperuser make one: may use the Django admin.
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_staff", "is_superuser"])
    submitted = make_application("submitted", user=users["provider"], reviewer=users["reviewer"])
    token, _ = token_create(actor=users["admin"], user=users["provider"], name="matrix")
    reserve = allocation_create(
        actor=users["admin"],
        provider=None,
        amount_eur=Decimal("2000000.00"),
        allocated_on=dt.date(2021, 1, 1),
        kind="reserve",
    )
    draft = make_application("draft", user=users["provider"])
    awaiting = make_application("awaiting_confirmation", user=users["provider"])
    approved = make_application("approved", user=users["provider"], reviewer=users["reviewer"])
    running = make_application("in_progress", user=users["provider"], reviewer=users["reviewer"])
    amendment = amendment_request(
        actor=users["provider"],
        application=running,
        kind="upgrade",
        package="PLUS",
        extra_cost_eur="6000",
    )
    # The enterprise in the KBO register, as the open-data import leaves it.
    KboEnterprise.objects.create(
        enterprise_number=enterprise_number.normalize(submitted.enterprise.number),
        status="AC",
        juridical_situation="000",
        type_of_enterprise="2",
    )
    letter, batch, account = _letter_batch_and_account(running, users)
    return SimpleNamespace(
        letter=letter,
        batch=batch,
        account=account,
        users=users,
        provider=provider,
        other_provider=other_provider,
        submitted=submitted,
        draft=draft,
        reserve=reserve,
        token=token,
        approved=approved,
        running=running,
        amendment=amendment,
        awaiting=awaiting,
        awaiting_token=open_confirmation_token(awaiting),
        used_token=token_of(submitted.confirmation_requests.get()),
    )


def _letter_batch_and_account(running, users):
    """A stored letter of the running file (its bytes need not be a real PDF here), a prepared
    payment batch and a proposed bank account, written directly: what each screen does is
    tested with its service."""
    from django.utils import timezone

    from csgrants.documents.models import Letter, LetterJob
    from csgrants.payments.models import BankAccount, PaymentBatch

    job = LetterJob.objects.create(
        application=running,
        kind="approval",
        decision=running.decisions.first(),
        requested_at=timezone.now(),
        status=LetterJob.JobStatus.FAILED,
    )
    letter = Letter.objects.create(
        application=running,
        letter_kind="approval",
        job=job,
        language="nl",
        title="Beslissing",
        content=b"%PDF-1.7 matrix",
        sha256="0" * 64,
        size=15,
        created_at=timezone.now(),
    )
    batch = PaymentBatch.objects.create(
        execution_date=dt.date(2026, 1, 5),
        message_id="CSG-MATRIX",
        prepared_by=users["budget_manager"],
        prepared_at=timezone.now(),
    )
    account = BankAccount.objects.create(
        provider=running.provider,
        holder="Matrix BV",
        iban="BE68539007547034",
        bic="GKCCBEBB",
        street="Straat",
        building_number="1",
        postal_code="9000",
        town="Gent",
        proposed_by=users["budget_manager"],
        proposed_at=timezone.now(),
    )
    return letter, batch, account


def _login_urls() -> tuple[str, ...]:
    return (reverse(settings.LOGIN_URL), reverse("admin:login"))


def classify(response, path: str, method: str):
    status = response.status_code
    if status == 401 or (
        status == 302 and response["Location"].split("?")[0].endswith(_login_urls())
    ):
        return LOGIN
    data = getattr(response, "data", None)
    detail = data.get("detail") if status == 403 and isinstance(data, dict) else None
    if getattr(detail, "code", None) == "not_authenticated":
        return LOGIN  # DRF without a token scheme answers 403 instead of 401
    if status in (403, 404, 405):
        return status
    if status >= 500:
        return status
    if 200 <= status < 400:
        return OK
    if method != "get" and status in (400, 409, 422):
        return OK  # let in; the body was judged
    return status


def request_as(world, role: str, entry: Entry):
    client = Client(raise_request_exception=True)
    if role != "anonymous":
        client.force_login(world.users[role])
    url = entry.url(world)
    call = getattr(client, entry.method)
    api = url.startswith("/api/")
    headers = {"Accept": entry.accept or ("application/json" if api else "text/html")}
    if entry.method in ("get", "delete"):
        response = call(url, headers=headers)
    elif api:
        response = call(
            url, data=entry.data or {}, content_type="application/json", headers=headers
        )
    else:
        response = call(url, data=entry.data or {}, headers=headers)
    return classify(response, url, entry.method), response


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_access(key, world):
    entry = MATRIX[key]
    wrong = []
    for role in ROLES:
        with transaction.atomic():
            got, response = request_as(world, role, entry)
            transaction.set_rollback(True)
        wanted = entry.outcomes[role]
        if got != wanted:
            wrong.append(f"{role}: wanted {wanted}, got {got} ({response.status_code})")
    assert not wrong, f"{key} {entry.method.upper()} {entry.url(world)}\n" + "\n".join(wrong)
