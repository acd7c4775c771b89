"""Role checks for views. Agency staff and provider users see different parts of csgrants; a
user without the role gets 403, an anonymous user goes to the login page."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def has_role(user, *roles) -> bool:
    if not user.is_authenticated:
        return False
    return user.effective_role in roles


def role_required(*roles):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


STAFF = ("reviewer", "budget_manager", "analyst", "admin")
