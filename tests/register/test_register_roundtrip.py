"""The flat 360Giving files convert back, through 360Giving's own converter (flattentool) and the grant
schema (official 1.4.3 when installed, see schema360), to exactly the JSON export: grant by grant, field
by field, hostile text included."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from tests.register import schema360
from vru_core.models import Award
from vru_core.register import export_360, export_flat, lifecycle, money

pytestmark = pytest.mark.store

# Text a spreadsheet or converter might change: formula starts, numbers, booleans, non-ASCII, line breaks.
TEXTS = [
    "=1+1",
    '=HYPERLINK("http://example.org","click")',
    "-2+3 youth sessions",
    "+44 20 7983 4000",
    "@SUM(A1)",
    "Ünïcödé — Łódź · 東京 · café ✓",
    "2026",
    "TRUE",
    "0044",
    'Line one\nline two, with a comma; and "quotes"',
]


@pytest.fixture
def hostile_register(engine, actors, award_data, ward_codes, monkeypatch) -> list[str]:
    """One published award per hostile text (in title, description and a recipient name), with areas,
    objectives, payments, postcodes and regrant types varying so rows have different numbers of items."""
    monkeypatch.setenv("VRU_DATA_SOURCE_URL", "https://example.org/london-vru/grants.json")
    c = actors["commissioner"]
    for i, text in enumerate(TEXTS):
        data = {
            **award_data,
            "title": text,
            "description": TEXTS[-1 - i],
            "recipient_org_id": f"GB-CHC-{1100000 + i}",
            "recipient_name": f"{TEXTS[(i + 3) % len(TEXTS)]} Trust {i}",
            "charity_number": "",
            "recipient_postcode": "E8 1AA" if i % 2 else "",
            "recipient_location": ward_codes[0] if i % 3 == 0 else "",
            "amount_awarded": f"{1000 + i}.{i:02d}" if i % 2 else str(45000 + i),
            "objectives": "3;5" if i % 2 else "1",
            "priority_area": "" if i % 3 == 1 else "after_school",
            "geography_level": ["ward", "borough", "london"][i % 3],
            "areas": [";".join(ward_codes[: 1 + i % 3]), "E09000012;E09000001", ""][i % 3],
            "regrant_type": "FRG020" if i % 4 == 0 else "",
        }
        award_id = lifecycle.create_award(engine=engine, actor=c, data=data)
        with Session(engine) as session:
            award = session.get(Award, award_id)
            award.status = "active"
            session.add(award)
            session.commit()
        if i % 2:
            money.add_payment(
                engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "99.99"}
            )
    return TEXTS


def _differences(got: dict, want: dict, path: str = "") -> list[str]:
    if isinstance(want, dict) and isinstance(got, dict):
        out = []
        for key in sorted(set(got) | set(want)):
            out += _differences(got.get(key), want.get(key), f"{path}/{key}")
        return out
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True)) for d in _differences(g, w, f"{path}/{i}")]
    return [] if got == want and type(got) is type(want) else [f"{path}: {got!r} != {want!r}"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_flat_file_converts_back_to_the_json_export_grant_for_grant(engine, hostile_register, fmt):
    package = json.loads(export_360.to_json_bytes(engine))
    assert schema360.errors(package) == []
    expected = {g["id"]: g for g in package["grants"]}
    titles = {g["title"] for g in expected.values()}
    assert set(hostile_register) <= titles  # every hostile text really is in the export
    content = export_flat.to_csv_bytes(engine) if fmt == "csv" else export_flat.to_xlsx_bytes(engine)
    back = {g["id"]: g for g in schema360.unflatten(content, fmt)}
    assert sorted(back) == sorted(expected)
    differences = {gid: _differences(back[gid], grant) for gid, grant in expected.items()}
    assert {gid: d for gid, d in differences.items() if d} == {}


def test_the_comparison_sees_a_changed_value(engine, hostile_register):
    """The round-trip comparison is live: a title changed the way the old escaping changed it is reported."""
    package = json.loads(export_360.to_json_bytes(engine))
    grant = package["grants"][0]
    assert _differences({**grant, "title": "'" + grant["title"]}, grant) == [
        f"/title: {chr(39) + grant['title']!r} != {grant['title']!r}"
    ]
    assert _differences({**grant, "amountAwarded": str(grant["amountAwarded"])}, grant)
