"""CSV import: every problem by row and column, all or nothing, identifier as the key."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from tests.register.conftest import csv_text
from vru_core.models import AuditEntry, Award, AwardArea, AwardObjective, Organisation
from vru_core.platform.errors import Invalid
from vru_core.register import importer, reads

pytestmark = pytest.mark.store

TABLES = (Award, AwardObjective, AwardArea, Organisation, AuditEntry)


def _counts(engine) -> dict:
    with Session(engine) as session:
        return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in TABLES}


def _rows(award_data: dict, n: int = 5) -> list[dict]:
    return [
        {
            **award_data,
            "identifier": f"360G-LondonVRU-T{i:04d}",
            "title": f"Project {i}",
            "amount_awarded": str(1000 * i),
        }
        for i in range(1, n + 1)
    ]


# (what to change on the 3rd data row, i.e. file line 4; the column expected in the problem; a message fragment)
BAD_ROWS = [
    ({"areas": "E05000026"}, "areas", "unknown ward code 'E05000026'"),  # a 2014-boundary ward code
    ({"objectives": "3;9"}, "objectives", "unknown objective '9'"),
    ({"objectives": "mentoring"}, "objectives", "unknown objective"),
    ({"award_date": "31/03/2026"}, "award_date", "YYYY-MM-DD"),
    ({"planned_start": "2026-13-01"}, "planned_start", "not a real calendar date"),
    ({"amount_awarded": "-500"}, "amount_awarded", "more than £0"),
    ({"amount_awarded": "0"}, "amount_awarded", "more than £0"),
    ({"amount_awarded": "45k"}, "amount_awarded", "not a plain amount"),
    ({"amount_awarded": "forty"}, "amount_awarded", "not a plain amount"),
    ({"planned_end": "2026-04-30"}, "planned_end", "before it starts"),
    ({"identifier": "360G-LondonVRU-T0001"}, "identifier", "duplicate identifier"),
    ({"title": ""}, "title", "required"),
    ({"identifier": ""}, "identifier", "required"),
    ({"recipient_org_id": ""}, "recipient_org_id", "required"),
    ({"recipient_org_id": "Charity 123"}, "recipient_org_id", "spaces or line breaks"),
    ({"recipient_org_id": "XI-EXAMPLE-0001"}, "recipient_org_id", "is not a list in the org-id.guide"),
    ({"recipient_org_id": "GB-CHC-11234567"}, "recipient_org_id", "has 8 digits"),
    ({"charity_number": "1123456-1"}, "charity_number", "linked-charity suffix"),
    ({"charity_number": "1123457"}, "charity_number", "does not match the organisation identifier"),
    ({"recipient_postcode": "nowhere"}, "recipient_postcode", "not a UK postcode"),
    ({"recipient_location": "E05000026"}, "recipient_location", "unknown code 'E05000026'"),
    ({"regrant_type": "onward"}, "regrant_type", "not one of"),
    ({"funding_stream": "lottery"}, "funding_stream", "not one of"),
    ({"priority_area": "knife"}, "priority_area", "not one of"),
    ({"recipient_name": "Another Name"}, "recipient_name", "is named 'Hackney Young Futures' on row 2"),
    ({"status": "paid"}, "status", "not one of"),
]


@pytest.mark.parametrize(("change", "column", "fragment"), BAD_ROWS)
def test_each_error_kind_is_named_by_row_and_column_and_nothing_is_written(
    engine, actors, award_data, change, column, fragment
):
    rows = _rows(award_data)
    rows[2] = {**rows[2], **change}
    before = _counts(engine)
    with pytest.raises(Invalid) as info:
        importer.import_csv(engine=engine, actor=actors["commissioner"], content=csv_text(rows))
    problems = info.value.problems
    assert [(p.row, p.field) for p in problems] == [(4, column)], problems
    assert fragment in problems[0].message
    assert _counts(engine) == before


def test_the_scenario_four_bad_rows_are_all_reported(engine, actors, award_data):
    rows = _rows(award_data, 300)
    rows[10]["areas"] = "E05000026"
    rows[50]["amount_awarded"] = "45k"
    rows[120]["title"] = ""
    rows[200]["identifier"] = rows[199]["identifier"]
    plan = importer.check_csv(engine, csv_text(rows))
    assert [(p.row, p.field) for p in plan.problems] == [
        (12, "areas"),
        (52, "amount_awarded"),
        (122, "title"),
        (202, "identifier"),
    ]
    rows[10]["areas"] = award_data["areas"]
    rows[50]["amount_awarded"] = "45000"
    rows[120]["title"] = "Fixed"
    rows[200]["identifier"] = "360G-LondonVRU-T9999"
    result = importer.import_csv(engine=engine, actor=actors["commissioner"], content=csv_text(rows))
    assert (result.created, result.updated, result.unchanged) == (300, 0, 0)
    again = importer.import_csv(engine=engine, actor=actors["commissioner"], content=csv_text(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)
    assert _counts(engine)["Award"] == 300


def test_reimport_writes_nothing_and_a_changed_row_updates_that_award(engine, actors, award_data):
    c = actors["commissioner"]
    rows = _rows(award_data)
    importer.import_csv(engine=engine, actor=c, content=csv_text(rows))
    after_first = _counts(engine)
    importer.import_csv(engine=engine, actor=c, content=csv_text(rows))
    assert _counts(engine)["Award"] == after_first["Award"]
    assert _counts(engine)["AuditEntry"] == after_first["AuditEntry"] + 1  # only the import summary
    rows[1]["amount_awarded"] = "2500.50"
    result = importer.import_csv(engine=engine, actor=c, content=csv_text(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    with Session(engine) as session:
        award = session.exec(select(Award).where(Award.identifier == rows[1]["identifier"])).one()
    assert award.amount_pence == 250050 and award.version == 2
    history = reads.award_history(engine, award.id)
    assert [h.action for h in history] == ["create", "update"]
    assert history[-1].before["amount_awarded"] == "2000.00"


def test_import_creates_links_and_audit_per_award(engine, actors, award_data):
    importer.import_csv(engine=engine, actor=actors["commissioner"], content=csv_text(_rows(award_data, 3)))
    counts = _counts(engine)
    assert counts["Award"] == 3 and counts["AwardObjective"] == 3 and counts["AwardArea"] == 9
    assert counts["Organisation"] == 1
    with Session(engine) as session:
        actions = session.exec(select(AuditEntry.action, AuditEntry.entity_type)).all()
    assert sorted(actions).count(("create", "award")) == 3


def test_status_of_an_existing_award_is_not_changed_by_import(engine, actors, award_data):
    c = actors["commissioner"]
    rows = _rows(award_data, 2)
    importer.import_csv(engine=engine, actor=c, content=csv_text(rows))
    rows[0]["status"] = "completed"
    plan = importer.check_csv(engine, csv_text(rows))
    assert [(p.row, p.field) for p in plan.problems] == [(2, "status")]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("", "file"),
        ("identifier,title\nX,Y\n", "recipient_org_id"),
        (csv_text([]).strip() + ",colour\n", "colour"),
        (b"\xff\xfeb\x00a\x00\x00\xd8", "file"),  # UTF-16 (with its mark) cut off mid-character
    ],
)
def test_header_problems_stop_before_rows(engine, content, field):
    plan = importer.check_csv(engine, content)
    assert field in {p.field for p in plan.problems}
    assert all(p.row == 1 for p in plan.problems)


def test_extra_cells_and_line_numbers_with_quoted_newlines(engine, award_data):
    rows = _rows(award_data, 3)
    rows[0]["description"] = "two\nlines"
    rows[2]["amount_awarded"] = "45k"
    plan = importer.check_csv(engine, csv_text(rows))
    assert [(p.row, p.field) for p in plan.problems] == [(5, "amount_awarded")]  # row 1 spans lines 2-3


def test_progress_is_reported(engine, actors, award_data):
    seen = []
    importer.import_csv(
        engine=engine,
        actor=actors["commissioner"],
        content=csv_text(_rows(award_data, 20)),
        progress=lambda f, msg: seen.append(f),
    )
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 3


def test_template_has_every_column_and_a_guide():
    header = importer.template_csv().strip().split(",")
    assert header == list(importer.TEMPLATE_COLUMNS)
    assert set(importer.COLUMN_GUIDE) == set(header)


def test_where_recipients_are_based_and_regrant_types_are_imported(engine, actors, award_data):
    """New columns: a re-import changes nothing, a changed postcode updates the organisation (audited),
    a blank keeps it, and one organisation cannot be based in two places in one file."""
    c = actors["commissioner"]
    rows = [{**r, "recipient_postcode": "e8 1aa", "recipient_location": "E09000012"} for r in _rows(award_data, 3)]
    rows[0]["regrant_type"] = "FRG020"
    assert importer.import_csv(engine=engine, actor=c, content=csv_text(rows)).created == 3
    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        regrants = dict(session.exec(select(Award.identifier, Award.regrant_type)).all())
    assert (org.postal_code, org.location_code) == ("E8 1AA", "E09000012")
    assert regrants[rows[0]["identifier"]] == "FRG020" and regrants[rows[1]["identifier"]] is None
    again = importer.import_csv(engine=engine, actor=c, content=csv_text(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = [{**r, "recipient_postcode": "N1 9GU"} for r in rows]
    assert importer.import_csv(engine=engine, actor=c, content=csv_text(moved)).updated == 3
    blank = [{**r, "recipient_postcode": "", "recipient_location": ""} for r in rows]
    assert importer.import_csv(engine=engine, actor=c, content=csv_text(blank)).unchanged == 3
    with Session(engine) as session:
        org = session.exec(select(Organisation)).one()
        audit = session.exec(
            select(AuditEntry).where(AuditEntry.entity_type == "organisation", AuditEntry.action == "update")
        ).all()
    assert (org.postal_code, org.location_code) == ("N1 9GU", "E09000012")
    assert [(a.before, a.after) for a in audit] == [({"postal_code": "E8 1AA"}, {"postal_code": "N1 9GU"})]
    clash = [dict(r) for r in moved]
    clash[2]["recipient_postcode"] = "SE1 7PB"
    with pytest.raises(Invalid) as info:
        importer.import_csv(engine=engine, actor=c, content=csv_text(clash))
    assert [(p.row, p.field) for p in info.value.problems] == [(4, "recipient_postcode")]
    assert "based elsewhere on row 2" in info.value.problems[0].message
