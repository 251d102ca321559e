"""Register test helpers: a valid award's fields on real ward codes, and a CSV writer for import cases."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from vru_core.models import Ward
from vru_core.register.importer import TEMPLATE_COLUMNS


@pytest.fixture
def ward_codes(loaded_engine) -> list[str]:
    """Three current wards of one borough (Hackney, E09000012)."""
    with Session(loaded_engine) as session:
        return list(
            session.exec(select(Ward.code).where(Ward.borough_code == "E09000012").order_by(Ward.code)).all()[:3]
        )


@pytest.fixture
def award_data(ward_codes) -> dict:
    """The user scenario's award: youth mentoring, £45,000, three wards, objective 3, YLF stream."""
    return {
        "title": "Youth mentoring project",
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
        "areas": ";".join(ward_codes),
    }


def csv_text(rows: list[dict], columns=TEMPLATE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
