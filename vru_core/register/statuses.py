"""An award's lifecycle in one table: proposed -> approved -> active -> completed, or withdrawn."""

from __future__ import annotations

from vru_core.platform.errors import Refused

# status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"approved", "withdrawn"}),
    "approved": frozenset({"active", "withdrawn"}),
    "active": frozenset({"completed", "withdrawn"}),
    "completed": frozenset(),
    "withdrawn": frozenset(),
}
STATUSES = tuple(TRANSITIONS)
# Statuses at which the money is committed: payments allowed, need evidence frozen from approval on.
COMMITTED = frozenset({"approved", "active", "completed"})


def allowed_transitions(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, ()))


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS:
        raise Refused(f"status: {target!r} is not a status ({', '.join(STATUSES)})")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(allowed_transitions(current)) or "none: it is final"
        raise Refused(f"status: an award that is {current} cannot become {target} (allowed: {allowed})")
