"""Test factories: valid records on real bundled data, shared by the tests and the stress harness."""

from __future__ import annotations

from sqlalchemy import Engine, select


def sample_award(engine: Engine, *, title: str, **changes) -> dict:
    """A valid award's fields on real wards (three in Hackney), as a form or an import row gives them."""
    from vru_core.models import Ward

    with engine.connect() as conn:
        wards = conn.execute(
            select(Ward.code).where(Ward.borough_code == "E09000012").order_by(Ward.code).limit(3)
        ).scalars()
        areas = ";".join(wards)
    return {
        "title": title,
        "description": "Weekly mentoring for young people at risk of exclusion.",
        "recipient_org_id": "GB-CHC-1123456",
        "recipient_name": "Hackney Young Futures",
        "recipient_type": "voluntary_community",
        "charity_number": "1123456",
        "amount_awarded": "45000",
        "award_date": "2026-04-01",
        "planned_start": "2026-05-01",
        "planned_end": "2027-03-31",
        "funding_stream": "young_londoners_fund",
        "priority_area": "after_school",
        "objectives": "3",
        "geography_level": "ward",
        "areas": areas,
        **changes,
    }


def approver():
    """A second commissioner: whoever created an award cannot approve it (vru_core.register.controls)."""
    from vru_core.platform.auth import Actor, Role

    return Actor("test-approver", Role.COMMISSIONER)


def approve(engine: Engine, award_id: int, *, version: int = 1, actor=None, **kwargs) -> int:
    """Approve an award as someone other than its creator (the separation of duties); returns the new version."""
    from vru_core.register.lifecycle import transition_award

    return transition_award(
        engine=engine, actor=actor or approver(), award_id=award_id, version=version, to_status="approved", **kwargs
    )


def sample_measure(**changes) -> dict:
    """An analyst's measure definition (the values come separately as a CSV), with any field changed."""
    return {
        "code": "sample_measure",
        "label": "Sample test measure",
        "family": "other",
        "unit": "%",
        "direction": "high_is_worse",
        "geography": "ward",
        "source": "test",
        "publisher": "test",
        "period": "2026",
        "licence": "test",
        **changes,
    }
