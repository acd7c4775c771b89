from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import get_language

from csgrants.accounts.models import Role
from csgrants.applications.models import Application, CheckRun
from csgrants.core.permissions import has_role

PAGE_SIZE = 25


def role_of(user) -> str:
    if user.is_superuser and user.role != Role.PROVIDER:
        return Role.ADMIN
    return user.role


@login_required
def home(request):
    """Each role lands where its working day starts (journeys.md)."""
    role = role_of(request.user)
    if role == Role.PROVIDER:
        return redirect("web:mine")
    if role == Role.BUDGET_MANAGER:
        return redirect("budgets:overview")
    if role == Role.ANALYST:
        return redirect("reporting:dashboard")
    return redirect("web:queue")


def paginate(request, qs, per_page: int = PAGE_SIZE):
    try:
        per_page = max(5, min(100, int(request.GET.get("per_page", per_page))))
    except ValueError:
        per_page = PAGE_SIZE
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, urlencode([(k, v) for k, values in params.lists() for v in values if v])


def today():
    return timezone.localdate()


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
