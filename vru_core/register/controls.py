"""The register's controls at approval: separation of duties, approval limits, and what counts as a variation.

- Separation of duties (always on, no setting): whoever created an award, or assessed the application it
  came from, cannot approve it; whoever proposed a variation cannot approve that variation.
- Approval limits per role (settings `VRU_APPROVAL_LIMIT_COMMISSIONER`, `VRU_APPROVAL_LIMIT_ADMIN`, in
  pounds; blank for no limit): an award, or a variation's new amount, above the approver's limit needs
  someone whose limit covers it.
- After approval, a change to an award's amount, dates, funding stream or areas is a variation
  (`VARIATION_FIELDS`): it needs its own approval (vru_core.register.variation) instead of an edit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from vru_core.models import Application, Assessment, Award
from vru_core.platform import labels
from vru_core.platform.auth import Actor
from vru_core.platform.config import get_settings
from vru_core.platform.errors import Problem, Refused
from vru_core.register.validation import to_pence, to_pounds

# award_snapshot's names of the fields whose change, after approval, is a variation.
VARIATION_FIELDS = (
    "amount_awarded",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream",
    "geography_level",
    "areas",
    "area_amounts",
)
FIELD_LABELS = {
    "amount_awarded": "amount",
    "award_date": "award date",
    "planned_start": "start",
    "planned_end": "end",
    "funding_stream": "funding stream",
    "geography_level": "geography",
    "areas": "areas",
    "area_amounts": "split across areas",
}


ROLE_NAMES = {"admin": "an administrator", "commissioner": "a commissioner"}


def assessors_of(session: Session, award_id: int) -> set[str]:
    """Usernames who scored the funding-round application this award came from (none for an award
    entered directly in the register)."""
    query = (
        select(Assessment.assessor)
        .join(Application, col(Application.id) == col(Assessment.application_id))
        .where(Application.award_id == award_id)
    )
    return set(session.exec(query).all())


def approval_limit(actor: Actor) -> Decimal | None:
    """The most this person's role may approve, in pounds (None: no limit)."""
    return get_settings().approval_limits.get(actor.role.value)


def check_approver(
    session: Session, *, actor: Actor, award: Award, amount_pence: int, proposed_by: str | None = None
) -> None:
    """Refuse (Refused) an approval that breaks separation of duties or the approver's limit."""
    what = "this variation" if proposed_by is not None else "it"
    if actor.username == award.created_by:
        raise Refused(
            f"Separation of duties: {actor.username} created award {award.identifier} and cannot approve {what}; "
            "another commissioner or an administrator must."
        )
    if actor.username in assessors_of(session, award.id or 0):
        raise Refused(
            f"Separation of duties: {actor.username} assessed the application behind award {award.identifier} "
            f"and cannot approve {what}."
        )
    if proposed_by is not None and actor.username == proposed_by:
        raise Refused(
            f"Separation of duties: {actor.username} proposed this variation and cannot approve it; "
            "another commissioner or an administrator must."
        )
    limit = approval_limit(actor)
    if limit is not None and amount_pence > to_pence(limit):
        who = ROLE_NAMES.get(actor.role.value, labels.role(actor.role))
        raise Refused(
            f"Approval limit: {who} may approve up to £{limit:,.2f}; "
            f"£{to_pounds(amount_pence):,.2f} needs someone with a higher limit (see README, Budgets and controls).",
            [
                Problem(
                    None,
                    "amount_awarded",
                    f"above the £{limit:,.2f} approval limit of the {labels.role(actor.role)} role",
                )
            ],
        )


def varied_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The variation fields that differ between two award snapshots: field -> (before, after)."""
    return {
        name: (before.get(name), after.get(name))
        for name in VARIATION_FIELDS
        if _same(before.get(name)) != _same(after.get(name))
    }


def _same(value: Any) -> Any:
    if isinstance(value, list):
        return [_same(v) for v in value]
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def variation_problems(changed: dict[str, tuple[Any, Any]], status: str, row: int | None = None) -> list[Problem]:
    """An edit of an approved award that changes variation fields: one problem per field, saying what to do."""
    return [
        Problem(
            row,
            name,
            f"the award is {status}: a change to its {FIELD_LABELS[name]} is a variation; propose it on the award's "
            "Variations tab for someone else to approve",
        )
        for name in changed
    ]
