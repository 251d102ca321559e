"""Reading one award for its page: typed results (no ORM objects leave the session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, or_
from sqlmodel import select

from vru_core.models import AuditEntry, MonitoringReturn, Organisation, Payment
from vru_core.platform.db import session_scope
from vru_core.register.columns import template_row
from vru_core.register.lifecycle import get_award, snapshot_from_session
from vru_core.register.money import payment_dict, return_dict
from vru_core.register.statuses import allowed_transitions


@dataclass(frozen=True)
class PaymentLine:
    id: int
    paid_on: dt.date
    amount: Decimal
    note: str
    recorded_by: str
    version: int


@dataclass(frozen=True)
class ReturnLine:
    id: int
    period: str
    rag: str
    people_reached: int
    under_25_reached: int
    outputs: str
    narrative: str
    recorded_by: str
    version: int


@dataclass(frozen=True)
class AwardDetail:
    """Everything the award page shows; `version` is what an edit, transition or approval must name."""

    id: int
    identifier: str
    title: str
    description: str
    recipient_org_id: str
    recipient_name: str
    recipient_type: str
    charity_number: str
    company_number: str
    recipient_postcode: str
    recipient_location: str
    amount_awarded: Decimal
    award_date: dt.date
    planned_start: dt.date
    planned_end: dt.date
    funding_stream: str
    priority_area: str | None
    objectives: list[int]
    geography_level: str
    regrant_type: str | None
    areas: list[str]
    area_amounts: list[Decimal]
    status: str
    version: int
    is_example: bool
    paid: Decimal
    remaining: Decimal
    allowed_transitions: list[str]
    created_by: str
    updated_by: str
    updated_at: dt.datetime
    payments: list[PaymentLine] = field(default_factory=list)
    returns: list[ReturnLine] = field(default_factory=list)

    def form_data(self) -> dict[str, str | list | dt.date]:
        """The stored values in the shape `update_award` takes (the edit form starts from these)."""
        row = template_row(
            self.__dict__,
            {
                "name": self.recipient_name,
                "org_type": self.recipient_type,
                "charity_number": self.charity_number,
                "company_number": self.company_number,
            },
        )
        return {
            **row,
            "award_date": self.award_date,
            "planned_start": self.planned_start,
            "planned_end": self.planned_end,
            "objectives": list(self.objectives),
            "areas": list(self.areas),
        }


def award_detail(engine: Engine, award_id: int) -> AwardDetail:
    with session_scope(engine) as session:
        award = get_award(session, award_id)
        org = session.get(Organisation, award.organisation_id)
        snapshot = snapshot_from_session(session, award)
        payments = [
            PaymentLine(
                id=p.id,
                **{k: v for k, v in payment_dict(p).items() if k != "award_id"},
                recorded_by=p.created_by,
            )
            for p in session.exec(select(Payment).where(Payment.award_id == award_id).order_by(Payment.paid_on))
        ]
        returns = [
            ReturnLine(
                id=r.id, **{k: v for k, v in return_dict(r).items() if k != "award_id"}, recorded_by=r.created_by
            )
            for r in session.exec(
                select(MonitoringReturn).where(MonitoringReturn.award_id == award_id).order_by(MonitoringReturn.period)
            )
        ]
        paid = sum((p.amount for p in payments), Decimal("0"))
        fields = {k: snapshot[k] for k in snapshot if k in AwardDetail.__dataclass_fields__}
        return AwardDetail(
            id=award.id,
            **fields,
            recipient_name=org.name,
            recipient_type=org.org_type,
            charity_number=org.charity_number or "",
            company_number=org.company_number or "",
            recipient_postcode=org.postal_code or "",
            recipient_location=org.location_code or "",
            paid=paid,
            remaining=snapshot["amount_awarded"] - paid,
            allowed_transitions=allowed_transitions(award.status),
            created_by=award.created_by,
            updated_by=award.updated_by,
            updated_at=award.updated_at,
            payments=payments,
            returns=returns,
        )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    by: str
    action: str
    what: str
    changed: str
    note: str
    before: dict | None
    after: dict | None


def award_history(engine: Engine, award_id: int) -> list[HistoryEntry]:
    """The audit trail of an award and of its payments and returns (deleted ones too), oldest first."""
    owned = or_(
        AuditEntry.after["award_id"].as_integer() == award_id,
        AuditEntry.before["award_id"].as_integer() == award_id,
    )
    with session_scope(engine) as session:
        entries = session.exec(
            select(AuditEntry)
            .where(
                or_(
                    (AuditEntry.entity_type == "award") & (AuditEntry.entity_id == str(award_id)),
                    AuditEntry.entity_type.in_(["payment", "monitoring_return", "payment_schedule", "award_variation"])
                    & owned,
                )
            )
            .order_by(AuditEntry.id)
        ).all()
        return [
            HistoryEntry(
                at=e.at,
                by=e.actor,
                action=e.action,
                what=e.entity_type,
                changed=", ".join(
                    sorted(
                        k
                        for k in set(e.before or {}) | set(e.after or {})
                        if (e.before or {}).get(k) != (e.after or {}).get(k) and k != "version"
                    )
                ),
                note=e.note,
                before=e.before,
                after=e.after,
            )
            for e in entries
        ]
