"""Domain errors in the user's language. The services raise errors with a stable code and an
English technical message; the screens show a translated sentence per code and fall back to the
service's message for codes without one."""

from __future__ import annotations

from django.utils.translation import gettext as _

from csgrants.core.errors import DomainError


def _messages() -> dict[str, str]:
    return {
        "BUDGET_EXHAUSTED": _(
            "The service provider's available budget does not cover this subsidy. "
            "Nothing was changed."
        ),
        "TRANSITION_NOT_ALLOWED": _("This step is not possible in the current status of the file."),
        "PERMISSION_DENIED": _("You may not do this."),
        "NOT_FOUND": _("Not found."),
        "NO_POLICY": _("No policy version is in force for this date; ask the administrator."),
        "REASON_REQUIRED": _("Choose at least one reason."),
        "UNKNOWN_REASON": _("One of the chosen reasons does not exist (any more)."),
        "UNKNOWN_PACKAGE": _("Choose a package from the list."),
        "INVALID_ENTERPRISE_NUMBER": _(
            "This is not a valid enterprise number: check the ten digits (0xxx.xxx.xxx)."
        ),
        "INVALID_POSTAL_CODE": _("Enter a Belgian postal code of four digits."),
        "CONFLICT": _("The file was changed in the meantime; reload the page and try again."),
        "SIGNATORY_REQUIRED": _(
            "Name the signatory who confirms for the enterprise before you submit."
        ),
        "SIGNATORY_IS_PROVIDER": _(
            "The signatory's e-mail is an address of your own organisation: the enterprise "
            "itself must confirm."
        ),
        "CONFIRMATION_REQUIRED": _(
            "The enterprise has not confirmed what this file declares now; the agency cannot "
            "decide on it yet."
        ),
        "CONFIRMATION_RESEND_TOO_SOON": _(
            "The confirmation mail was sent moments ago; try again in a quarter of an hour."
        ),
    }


def message_for(error: DomainError) -> str:
    return _messages().get(error.code) or str(error.message)
