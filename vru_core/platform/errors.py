"""One kit of refusals for every write: what went wrong, said so a person can act on it.

Every service function refuses by raising a `DomainError`; pages catch that one base class in one
place (`ui.feedback`) and show its message, with each `Problem` beside its field where the page has
fields. Anything else escaping a service is a bug, never a message for the user.

- `Invalid`: the input breaks rules; it carries every problem found, not just the first.
- `Stale`: the record changed since the person opened it (says what changed and who changed it).
- `NotFound`: the record asked for does not exist (any more).
- `Refused`: not allowed: a permission, a lifecycle rule, a read-only store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vru_core.platform import labels


@dataclass(frozen=True)
class Problem:
    """One thing wrong: the file line (`row`, header = 1; None for a form), the field, what to do."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


class DomainError(Exception):
    """Base of every refusal a person should read. `problems` may name fields (and rows)."""

    def __init__(self, message: str = "", problems: Iterable[Problem] = ()):
        self.problems: list[Problem] = list(problems)
        super().__init__(message or "; ".join(str(p) for p in self.problems) or type(self).__name__)

    @property
    def message(self) -> str:
        return str(self)


class Invalid(DomainError):
    """The input breaks rules. Raised with every problem at once; nothing has been written."""

    def __init__(self, problems: Iterable[Problem], message: str = ""):
        problems = list(problems)
        shown = problems[:20]
        more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(message or "; ".join(str(p) for p in shown) + more, problems)


class NotFound(DomainError):
    """The record asked for does not exist (any more)."""


class Refused(DomainError):
    """Not allowed: the lifecycle, a business rule, or the store itself says no."""


class PermissionDenied(Refused):
    """The signed-in role (or nobody signed in) may not do this."""


class StoreReadOnly(Refused):
    """The store cannot take writes now (read-only file or transaction, full disk)."""


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    now: Any


def _show(value: Any, field: str = "") -> str:
    if field == "role" and isinstance(value, str):
        value = labels.role(value)  # "Administrator", never the code
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Stale(DomainError):
    """A save based on an older version of a record: refused instead of overwriting a colleague's change.

    For one record the message says which fields changed since the editor's version (before -> now)
    and who saved last; for an import, `problems` names each conflicting row."""

    def __init__(
        self,
        message: str = "",
        problems: Iterable[Problem] = (),
        *,
        entity_type: str = "",
        entity_id: str = "",
        expected_version: int | None = None,
        current_version: int | None = None,
        changes: Iterable[Change] = (),
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ):
        self.entity_type, self.entity_id = entity_type, str(entity_id)
        self.expected_version, self.current_version = expected_version, current_version
        self.changes = list(changes)
        self.changed_by, self.changed_at = changed_by, changed_at
        super().__init__(message or self._describe(), problems)

    def _describe(self) -> str:
        head = f"Not saved: {labels.entity(self.entity_type).lower()} {self.entity_id} was changed after you opened it"
        if self.current_version is None:
            head += " (it is no longer there)"
        else:
            head += f" (you had version {self.expected_version}, it is now version {self.current_version})"
        if self.changed_by:
            when = f" at {self.changed_at:%Y-%m-%d %H:%M} UTC" if self.changed_at else ""
            head += f"; last changed by {self.changed_by}{when}"
        if not self.changes:
            return head + ". Reload it to see the current values, then make your change again."
        listed = "; ".join(
            f"{labels.field(c.field)}: {_show(c.before, c.field)} -> {_show(c.now, c.field)}" for c in self.changes
        )
        return f"{head}. Changed: {listed}. Reload it, then make your change again."
