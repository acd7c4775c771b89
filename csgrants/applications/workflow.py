"""The application workflow as one table: for each (from, to), the roles that may take the step.
The transition service (`services.application_transition`) is the only code that changes
`Application.status`; it locks the row, consults this table, writes the history row and the
audit event. The statuses and their named groups are in `statuses.py`.

The enterprise is not a user: its signatory acts through a personal link
(contracts/enterprise-confirmation.md) under the pseudo-role ENTERPRISE: it confirms a file
awaiting its confirmation, and may withdraw that confirmation until the decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from csgrants.accounts.models import Role
from csgrants.applications.statuses import Status

SYSTEM = "system"  # the pseudo-role of straight-through approval
ENTERPRISE = "enterprise"  # the pseudo-role of the signatory acting through the mailed link
STAFF_DECIDERS = frozenset({Role.REVIEWER, Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    name: str
    roles: frozenset[str]


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.DRAFT, Status.AWAITING_CONFIRMATION): Transition("submit", frozenset({Role.PROVIDER})),
    (Status.DRAFT, Status.WITHDRAWN): Transition("withdraw", frozenset({Role.PROVIDER})),
    (Status.AWAITING_CONFIRMATION, Status.SUBMITTED): Transition(
        "confirm", frozenset({ENTERPRISE})
    ),
    # The provider takes the file back to correct it before the enterprise confirmed.
    (Status.AWAITING_CONFIRMATION, Status.DRAFT): Transition("recall", frozenset({Role.PROVIDER})),
    (Status.AWAITING_CONFIRMATION, Status.WITHDRAWN): Transition(
        "withdraw", frozenset({Role.PROVIDER})
    ),
    # An answer that changes what was declared needs the enterprise's confirmation again.
    (Status.INFO_REQUESTED, Status.AWAITING_CONFIRMATION): Transition(
        "answer_info", frozenset({Role.PROVIDER})
    ),
    # Until the decision the enterprise may withdraw its confirmation: back to the provider.
    (Status.SUBMITTED, Status.DRAFT): Transition("withdraw_confirmation", frozenset({ENTERPRISE})),
    (Status.INFO_REQUESTED, Status.DRAFT): Transition(
        "withdraw_confirmation", frozenset({ENTERPRISE})
    ),
    (Status.SUBMITTED, Status.INFO_REQUESTED): Transition("request_info", STAFF_DECIDERS),
    (Status.INFO_REQUESTED, Status.SUBMITTED): Transition(
        "answer_info", frozenset({Role.PROVIDER})
    ),
    (Status.SUBMITTED, Status.APPROVED): Transition("approve", STAFF_DECIDERS | {SYSTEM}),
    (Status.SUBMITTED, Status.REJECTED): Transition("reject", STAFF_DECIDERS),
    (Status.SUBMITTED, Status.WITHDRAWN): Transition("withdraw", frozenset({Role.PROVIDER})),
    (Status.INFO_REQUESTED, Status.WITHDRAWN): Transition("withdraw", frozenset({Role.PROVIDER})),
    (Status.APPROVED, Status.IN_PROGRESS): Transition("start", frozenset({Role.PROVIDER})),
    (Status.APPROVED, Status.WITHDRAWN): Transition("withdraw", frozenset({Role.PROVIDER})),
    (Status.IN_PROGRESS, Status.WITHDRAWN): Transition("withdraw", frozenset({Role.PROVIDER})),
    (Status.APPROVED, Status.STOPPED): Transition("stop", STAFF_DECIDERS),
    (Status.IN_PROGRESS, Status.STOPPED): Transition("stop", STAFF_DECIDERS),
    (Status.IN_PROGRESS, Status.COMPLETED): Transition("complete", frozenset({Role.PROVIDER})),
    (Status.COMPLETED, Status.IN_PROGRESS): Transition("send_back", STAFF_DECIDERS),
    (Status.COMPLETED, Status.CLOSED): Transition(
        "pay", frozenset({Role.REVIEWER, Role.BUDGET_MANAGER, Role.ADMIN})
    ),
}


def transition_for(from_status: str, to_status: str) -> Transition | None:
    return TRANSITIONS.get((from_status, to_status))


def allowed_targets(from_status: str, role: str) -> list[str]:
    return [to for (frm, to), t in TRANSITIONS.items() if frm == from_status and role in t.roles]


def statuses_allowing(name: str) -> tuple[str, ...]:
    """The statuses from which the step `name` (e.g. "withdraw") leads anywhere."""
    return tuple(dict.fromkeys(frm for (frm, _to), t in TRANSITIONS.items() if t.name == name))


def path(from_status: str, to_status: str) -> list[str] | None:
    """The shortest way through the table from `from_status` to `to_status`, both included
    ([from_status] when they are the same); None when the table has none. The history import
    writes a file's history along it, so that every imported step is one the table allows."""
    ways: dict[str, list[str]] = {from_status: [from_status]}
    frontier = [from_status]
    while frontier and to_status not in ways:
        following = []
        for status in frontier:
            for frm, to in TRANSITIONS:
                if frm == status and to not in ways:
                    ways[to] = [*ways[status], to]
                    following.append(to)
        frontier = following
    return ways.get(to_status)
