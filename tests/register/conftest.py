"""Register test helpers: a valid award's fields on real ward codes, and a CSV writer for import cases."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from tests.factories import sample_award
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
def award_data(loaded_engine, ward_codes) -> dict:
    """The user scenario's award: youth mentoring, £45,000, three wards, objective 3, YLF stream."""
    data = sample_award(loaded_engine, title="Youth mentoring project")
    assert data["areas"] == ";".join(ward_codes)
    return data


def csv_text(rows: list[dict], columns=TEMPLATE_COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
