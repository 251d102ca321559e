"""Applications: staff entry and CSV upload, all or nothing, each problem naming its row and field."""

from __future__ import annotations

import csv
import io

import pytest

from tests.rounds.helpers import HACKNEY, STAFF, application_data, open_round, round_data, wards_of
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, Refused
from vru_core.rounds import applications, rounds
from vru_core.rounds.applications import COLUMNS


def _file(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"applicant_org_id": "GB-CHC-12345678"}, "applicant_org_id", "has 6 or 7"),
        ({"applicant_org_id": "XX-NOPE-1"}, "applicant_org_id", "not a 360Giving organisation identifier"),
        ({"amount_requested": "45k"}, "amount_requested", "not a plain amount"),
        ({"amount_requested": "150000"}, "amount_requested", "whole budget line"),
        ({"planned_end": "2026-01-01"}, "planned_end", "before it starts"),
        ({"objectives": "1"}, "objectives", "funds objectives 3, 5"),
        ({"priority_area": "youth_workers"}, "priority_area", "not funded by"),
        ({"areas": "E05000026"}, "areas", "unknown ward"),  # a 2014-boundary ward code
        ({"geography_level": "london", "areas": ""}, "geography_level", "named boroughs only"),
        ({"areas": "E09000001", "geography_level": "borough"}, "areas", "eligible boroughs"),  # City of London
        ({"project_title": ""}, "project_title", "required"),
    ],
)
def test_a_bad_application_is_refused_beside_its_field(engine, changes, field, says):
    round_id = open_round(engine)
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        applications.add_application(
            engine=engine, actor=STAFF, round_ref=round_id, data=application_data(engine, **changes)
        )
    assert any(p.field == field and says in p.message for p in err.value.problems), err.value.problems
    assert table_checksums(engine) == before


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_field(engine):
    round_id = open_round(engine)
    good = application_data(engine, reference="APP-100")
    rows = [
        good,
        {**good, "reference": "APP-101", "amount_requested": "45k"},
        {**good, "reference": "APP-100"},  # duplicate reference
        {**good, "reference": "APP-103", "applicant_name": "Another name"},  # same org id, other name
        {**good, "reference": "APP-104", "areas": "E05000026"},
    ]
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        applications.import_applications(engine=engine, actor=STAFF, round_ref=round_id, content=_file(rows))
    found = {(p.row, p.field) for p in err.value.problems}
    assert {(3, "amount_requested"), (4, "reference"), (5, "applicant_name"), (6, "areas")} <= found
    assert not any(p.row == 2 for p in err.value.problems)
    assert table_checksums(engine) == before


def test_a_good_file_imports_whole_and_again_adds_nothing(engine):
    round_id = open_round(engine)
    rows = [
        application_data(engine, reference=f"APP-{i:03d}", areas=";".join(wards_of(engine, HACKNEY, i)))
        for i in range(1, 5)
    ]
    rows[0]["project_title"] = '=HYPERLINK("http://evil.invalid")'
    result = applications.import_applications(engine=engine, actor=STAFF, round_ref=round_id, content=_file(rows))
    assert result == {"created": 4, "unchanged": 0}
    again = applications.import_applications(engine=engine, actor=STAFF, round_ref=round_id, content=_file(rows))
    assert again == {"created": 0, "unchanged": 4}
    changed = [{**rows[1], "amount_requested": "1"}]
    with pytest.raises(Invalid, match="already in YLF-2026-R1 with other amount_pence"):
        applications.import_applications(engine=engine, actor=STAFF, round_ref=round_id, content=_file(changed))
    stored = applications.list_applications(engine, round_id)
    assert [a.reference for a in stored] == ["APP-001", "APP-002", "APP-003", "APP-004"]
    assert stored[0].project_title.startswith("=HYPERLINK")  # stored as typed; escaped only on the way out
    assert all(a.need_evidence["wards"] for a in stored)


@pytest.mark.parametrize(
    ("content", "row", "says"),
    [
        (b"reference,project_title\nA,B\n", 1, "required column"),
        ("caf\xe9".encode("latin-1"), 1, "not UTF-8"),
        (b"", 1, "empty"),
    ],
)
def test_a_broken_file_is_refused_with_its_line(engine, content, row, says):
    round_id = open_round(engine)
    with pytest.raises(Invalid) as err:
        applications.import_applications(engine=engine, actor=STAFF, round_ref=round_id, content=content)
    assert any(p.row == row and says in p.message for p in err.value.problems), err.value.problems


def test_applications_only_while_the_round_is_open(engine):
    draft = rounds.create_round(engine=engine, actor=STAFF, data=round_data(code="DRAFT-2"))
    with pytest.raises(Refused, match="while a round is open"):
        applications.add_application(engine=engine, actor=STAFF, round_ref=draft, data=application_data(engine))
    round_id = open_round(engine)
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    with pytest.raises(Refused, match="while a round is open"):
        applications.add_application(engine=engine, actor=STAFF, round_ref=round_id, data=application_data(engine))


def test_references_are_numbered_when_left_blank(engine):
    round_id = open_round(engine)
    ids = [
        applications.add_application(engine=engine, actor=STAFF, round_ref=round_id, data=application_data(engine))
        for _ in range(2)
    ]
    assert len(ids) == 2
    assert [a.reference for a in applications.list_applications(engine, round_id)] == ["APP-001", "APP-002"]
