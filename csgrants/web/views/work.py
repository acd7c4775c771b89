"""The staff's work lists (everything that waits for the agency, csgrants/web/worklists.py) and
the search over every file whatever its status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from csgrants.applications.models import Amendment
from csgrants.catalogue.models import Package
from csgrants.core.calendar import default_calendar
from csgrants.core.permissions import STAFF, role_required
from csgrants.web import selectors, worklists
from csgrants.web.views.common import COUNT_CAP, paginate, today

staff_required = role_required(*STAFF)


@staff_required
def overview(request):
    """The staff home page: every list the user works on, with its count and oldest due date."""
    calendar = default_calendar()
    now = today()
    limit = selectors.soon_limit(calendar, now)
    cards = [
        {**card, "flag": selectors.due_flag(card["first_due"], now, limit) if card["count"] else ""}
        for card in worklists.summary(request.user, calendar)
    ]
    return render(request, "web/staff/work.html", {"cards": cards, "today": now})


@staff_required
def work_list(request, slug):
    work = worklists.by_slug(slug)
    if work is None:
        raise Http404
    if not work.visible_to(request.user):
        raise PermissionDenied
    page, query = paginate(request, work.rows())
    calendar = default_calendar()
    now = today()
    limit = selectors.soon_limit(calendar, now)
    entries = list(page.object_list)
    files = {a.pk: a for a in selectors.rows_for([e["app"] for e in entries])}
    packages = Package.objects.in_bulk() if work.subject == "amendment" and entries else {}
    kinds = dict(Amendment.Kind.choices)
    rows = []
    for entry in entries:
        application = files.get(entry["app"])
        if application is None:
            continue
        due = worklists.due_of(work, entry, calendar)
        subject = ""
        if work.subject == "amendment":
            package = packages.get(entry["package_id"])
            subject = (
                f"{kinds.get(entry['kind'], entry['kind'])}: {package.label() if package else ''}"
            )
        rows.append(
            {
                "application": application,
                "since": entry["since"],
                "due": due,
                "flag": selectors.due_flag(due, now, limit),
                "subject": subject,
            }
        )
    return render(
        request,
        "web/staff/work_list.html",
        {"work": work, "page": page, "query": query, "rows": rows, "today": now},
    )


@staff_required
def search(request):
    """Any file by reference, enterprise name or enterprise number, whatever its status."""
    q = request.GET.get("q", "").strip()
    page = None
    query = ""
    if q:
        page, query = paginate(
            request, selectors.search_files(q), fetch=selectors.rows_for, cap=COUNT_CAP
        )
    return render(
        request, "web/staff/search.html", {"q": q, "page": page, "query": query, "today": today()}
    )
