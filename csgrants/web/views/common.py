from __future__ import annotations

from contextlib import nullcontext
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import get_language

from csgrants.accounts.models import Role
from csgrants.applications.models import Application, CheckRun
from csgrants.core import clock
from csgrants.core.permissions import has_role
from csgrants.core.transactions import custom_plans

PAGE_SIZE = 25
COUNT_CAP = 1000


def role_of(user) -> str:
    return user.effective_role


@login_required
def home(request):
    """Each role lands where its working day starts (journeys.md)."""
    role = role_of(request.user)
    if role == Role.PROVIDER:
        return redirect("web:mine")
    if role == Role.ANALYST:
        return redirect("reporting:dashboard")
    # Reviewers, budget managers and administrators start with what waits for them.
    return redirect("web:work")


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. Counting every match of a search or of a check-outcome filter
    over 100,000 files costs more than the page itself; past the cap the page says "more than"."""

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self):
        if self.cap is None:
            return super().count
        n = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)


def paginate(request, qs, per_page: int = PAGE_SIZE, fetch=None, cap: int | None = None):
    """Page over `qs`; with `fetch`, `qs` yields ids and fetch(ids) the rows of the page."""
    try:
        per_page = max(5, min(100, int(request.GET.get("per_page", per_page))))
    except ValueError:
        per_page = PAGE_SIZE
    # A capped list is a search or a filter: planned for what was typed (core.transactions).
    with custom_plans() if cap is not None else nullcontext():
        paginator = CappedPaginator(qs, per_page, cap=cap)
        page = paginator.get_page(request.GET.get("page"))
        if fetch is not None:
            page.object_list = fetch(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    return page, urlencode([(k, v) for k, values in params.lists() for v in values if v])


def today():
    return clock.today()


def lang() -> str:
    return (get_language() or "nl")[:2]


def check_message(result) -> str:
    return result.message_en if lang() == "en" else result.message_nl


def latest_and_earlier_runs(application: Application) -> tuple[CheckRun | None, list[CheckRun]]:
    runs = list(application.check_runs.all())
    runs.sort(key=lambda r: (r.run_at, r.id), reverse=True)
    return (runs[0] if runs else None), runs[1:]


def is_decider(user) -> bool:
    return has_role(user, Role.REVIEWER, Role.ADMIN)
