"""Role checks for API views (the services check again; these give a clean 403 early)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from csgrants.accounts.models import Role
from csgrants.applications.access import role_of
from csgrants.applications.workflow import STAFF_DECIDERS
from csgrants.core.permissions import STAFF


def _role(request) -> str | None:
    user = request.user
    return role_of(user) if user and user.is_authenticated else None


class IsProvider(BasePermission):
    message = _("Only a service provider user may do this.")

    def has_permission(self, request, view):
        return _role(request) == Role.PROVIDER


class IsDecider(BasePermission):
    message = _("Only a reviewer or an administrator may decide.")

    def has_permission(self, request, view):
        return _role(request) in STAFF_DECIDERS


class IsStaff(BasePermission):
    message = _("Only agency staff may do this.")

    def has_permission(self, request, view):
        return _role(request) in STAFF


class IsProviderOrStaff(BasePermission):
    message = _("Only a service provider user or agency staff may do this.")

    def has_permission(self, request, view):
        return _role(request) in (Role.PROVIDER, *STAFF)
