"""The statuses of a file and their named groups: the one vocabulary every app uses when it
asks "is this file open, granted, running, ended?" (docs/architecture.md). A group written out
by hand anywhere else is a second copy of a rule; import the group instead. The reporting
triggers' SQL takes its status lists from here too (`sql_list`), so the statistics and the
screens cannot disagree about what "approved" means.

    draft -> awaiting_confirmation -> submitted -> approved -> in_progress -> completed -> closed
     ^                  (enterprise)       |  ^          |            |            (paid)
     |                                     v  |          +-> withdrawn (provider) / stopped (staff)
     +-- the enterprise withdraws     info_requested
         its confirmation                  |
                                           +-> rejected

A submitted file first waits for its enterprise to confirm the declaration on honour
(applications/confirmation.py, issue 22); an answer that changes what was declared waits again.

The steps between them, and who may take each, are the transition table in `workflow.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("awaiting the enterprise's confirmation")
    SUBMITTED = "submitted", _("submitted")
    INFO_REQUESTED = "info_requested", _("information requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    CLOSED = "closed", _("closed (paid)")
    WITHDRAWN = "withdrawn", _("withdrawn")
    STOPPED = "stopped", _("stopped")


# Waiting for the agency's decision: the review queue, the decision clock, re-running checks.
OPEN_STATUSES = (Status.SUBMITTED, Status.INFO_REQUESTED)

# Submitted by the provider, waiting for its enterprise to confirm the declaration and the mandate
# (a first confirmation, or again after a change of what was declared). Not yet the agency's: no
# decision clock, not in the queue; not editable (the provider takes it back as a draft to change
# it); the provider may resend the link or withdraw the file.
WAITING_FOR_ENTERPRISE_STATUSES = (Status.AWAITING_CONFIRMATION,)

# The provider may still change the file's data: a draft, or a file with an open information
# request (the correction travels with the answer).
EDITABLE_STATUSES = (Status.DRAFT, Status.INFO_REQUESTED)

# An approval stands on record: the subsidy was granted (de minimis counts aid from the date the
# right to it is granted, so a later stop does not undo it), the file has a trajectory with an
# approved cost and a commitment. A file withdrawn after its approval is not in the group: its
# grant was given up (see `approval_decided` for the statistics, which still count it).
GRANTED_STATUSES = (
    Status.APPROVED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.CLOSED,
    Status.STOPPED,
)

# The trajectory is under way: it may be amended (upgrade, extension) or stopped.
RUNNING_STATUSES = (Status.APPROVED, Status.IN_PROGRESS)

# The trajectory ended before it was paid: what was committed for it was released.
RELEASED_STATUSES = (Status.STOPPED, Status.WITHDRAWN)

# No step leads on from here (the transition table has none; a test holds the two together).
ENDED_STATUSES = (Status.REJECTED, Status.CLOSED, Status.WITHDRAWN, Status.STOPPED)

# Decided by the agency: approved (whatever happened after) or rejected.
DECIDED_STATUSES = (*GRANTED_STATUSES, Status.REJECTED)

# Filed and waiting, for its enterprise's confirmation or for the agency's decision. Two such
# files for one enterprise (two providers, or one that filed twice) are flagged on both files
# and in the queue: only one of them can become a trajectory (issue 20).
PENDING_STATUSES = (*WAITING_FOR_ENTERPRISE_STATUSES, *OPEN_STATUSES)

# Neither decided nor ended: a draft, or a pending file. A provider holds at most one such file
# per enterprise, so that a double submit makes one file (issue 20).
UNDECIDED_STATUSES = (Status.DRAFT, *PENDING_STATUSES)


def approval_decided(status: str, decided_on: date | int | None) -> bool:
    """Whether an approval decision was taken for the file: it has a decision date and is
    granted, or was withdrawn after its approval. The statistics count such a file as approved
    in the year of its decision (reporting.selectors' module docstring). `decided_on` may be the
    date or just its year."""
    return decided_on is not None and status in (*GRANTED_STATUSES, Status.WITHDRAWN)


def approval_decided_q(prefix: str = "") -> Q:
    """`approval_decided` as a query condition (`prefix` for a related file, e.g.
    "application__")."""
    return Q(
        **{
            f"{prefix}status__in": (*GRANTED_STATUSES, Status.WITHDRAWN),
            f"{prefix}decided_on__isnull": False,
        }
    )


def approval_decided_sql(alias: str) -> str:
    """`approval_decided` as SQL over a row `alias` of the applications table (the reporting
    triggers)."""
    return (
        f"{alias}.decided_on IS NOT NULL AND {alias}.status IN "
        f"({sql_list((*GRANTED_STATUSES, Status.WITHDRAWN))})"
    )


_SQL_SAFE = re.compile(r"^[a-z_]+$")


def sql_list(statuses: Iterable[str]) -> str:
    """A group as the items of an SQL IN list: 'approved', 'in_progress', ... The values are
    this module's constants, never input; the check keeps it so."""
    values = [str(s.value if isinstance(s, Status) else s) for s in statuses]
    for value in values:
        if not _SQL_SAFE.match(value) or value not in Status.values:
            raise ValueError(f"not a status: {value!r}")
    return ", ".join(f"'{v}'" for v in values)
