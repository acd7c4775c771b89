"""One error vocabulary. Domain errors carry a stable code; the API maps them once to RFC 9457
problem details and the web UI shows their message in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the scheme refused the operation. `code` is stable and documented."""

    code = "DOMAIN_ERROR"
    status = 400
    default_message = _("The operation is not allowed.")

    def __init__(
        self, message=None, *, code: str | None = None, field: str | None = None, errors=None
    ):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.field = field
        # A list of (field, message) pairs for invalid input.
        self.errors = list(errors or ([(field, self.message)] if field else []))
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "VALIDATION_ERROR"
    status = 400
    default_message = _("The input is not valid.")


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "PERMISSION_DENIED"
    status = 403
    default_message = _("You may not do this.")


class TransitionNotAllowed(DomainError):
    code = "TRANSITION_NOT_ALLOWED"
    status = 409
    default_message = _("This step is not allowed in the current status.")


class BudgetExhausted(DomainError):
    code = "BUDGET_EXHAUSTED"
    status = 409
    default_message = _("The service provider's available budget does not cover this subsidy.")


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409
    default_message = _("The request conflicts with the current state.")
