"""Who may see a file: the one visibility rule that the services, the web pages and the API all
apply (docs/architecture.md, point 14).

A provider user sees only its own provider's files; agency staff see every file. A file the
actor may not see is "not found", exactly like a reference that does not exist, so that
references cannot be probed. `actor=None` is the system (straight-through approval, imports,
tasks), which sees everything.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from csgrants.accounts.models import Role
from csgrants.applications.models import Application
from csgrants.applications.workflow import SYSTEM
from csgrants.core.errors import NotFound


def role_of(actor) -> str:
    """The role a service judges the actor by: the system when there is no actor."""
    return SYSTEM if actor is None else actor.effective_role


def can_see(actor, application: Application) -> bool:
    if actor is None or role_of(actor) != Role.PROVIDER:
        return True
    return application.provider_id == actor.service_provider_id


def ensure_can_see(actor, application: Application) -> None:
    """Raise NotFound (not PermissionDenied) when the actor may not see the file."""
    if not can_see(actor, application):
        raise NotFound(_("Application not found."), code="NOT_FOUND")


def visible_applications(actor, qs: QuerySet[Application] | None = None) -> QuerySet[Application]:
    """`qs` (default: every file) narrowed to the files the actor may see."""
    qs = Application.objects.all() if qs is None else qs
    if actor is not None and role_of(actor) == Role.PROVIDER:
        qs = qs.filter(provider_id=actor.service_provider_id)
    return qs
