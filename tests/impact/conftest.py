"""Awards for impact tests: made through the register's lifecycle service, with dates inside the MPS data window."""

from __future__ import annotations

import pytest

from tests.factories import approve as approve_as_other
from tests.factories import sample_award
from vru_core.impact.panel import load_panel
from vru_core.register import lifecycle, reads

# Four Tower Hamlets wards with 8-14 violence-with-injury offences a month before 2025: inside the range
# of the unfunded wards, so the synthetic control can match them (chosen once from the bundled data).
FUNDED_WARDS = ("E05009318", "E05009329", "E05009332", "E05009335")


@pytest.fixture(scope="session")
def panel():
    return load_panel("vwi")


def make_award(engine, actor, *, wards=FUNDED_WARDS, start="2025-01-01", end="2026-03-31", **changes) -> int:
    fields = {"title": "Impact test award", "award_date": start, "planned_start": start, "planned_end": end}
    data = sample_award(engine, **{**fields, "areas": ";".join(wards), **changes})
    return lifecycle.create_award(engine=engine, actor=actor, data=data)


def approve(engine, actor, award_id: int) -> None:
    """Approve as someone other than `actor`, the award's creator (the separation of duties)."""
    version = reads.award_detail(engine, award_id).version
    approve_as_other(engine, award_id, version=version)
