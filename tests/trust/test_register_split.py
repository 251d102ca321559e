"""Issue 10, part 4, and the one award form: the register service split into lifecycle, money and reads
(typed results), one field mapping shared by every path, the importer's update path batched as its
create path is, one award form for the new-award and edit pages, and short modules and pages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.factories import sample_award
from tests.pages.conftest import visible
from tests.register.conftest import csv_text
from vru_core.platform.auth import Actor, Role
from vru_core.register import importer, lifecycle
from vru_core.register.reads import AwardDetail, award_detail

ADMIN = Actor("split-admin", Role.ADMIN)
REPO = Path(__file__).resolve().parents[2]
REGISTER = REPO / "vru_core" / "register"
REGISTER_PAGES = ["award.py", "award_new.py", "register.py", "import_awards.py", "export.py"]


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


@pytest.mark.parametrize("module", sorted(p.name for p in REGISTER.glob("*.py")))
def test_no_register_module_is_over_400_lines(module):
    assert _lines(REGISTER / module) <= 400


@pytest.mark.parametrize("page", REGISTER_PAGES)
def test_register_pages_are_short(page):
    assert _lines(REPO / "app_pages" / page) <= 150


def test_the_field_mapping_is_written_once():
    """Only columns.py turns form fields into stored columns (amount in pence, codes), for every path."""
    mapping = re.compile(r"funding_stream_code\W+\s*[=:]\s*\w+\.funding_stream_code")
    writers = [p.name for p in REGISTER.glob("*.py") if mapping.search(p.read_text())]
    assert writers == ["columns.py"]
    users = {p.name for p in REGISTER.glob("*.py") if "award_columns(" in p.read_text()} - {"columns.py"}
    assert {"lifecycle.py", "importer.py", "import_plan.py"} <= users


def test_reads_are_typed():
    assert "-> AwardDetail" in (REGISTER / "reads.py").read_text()


@pytest.mark.store
def test_award_detail_is_a_dataclass_with_the_recipients_numbers(engine):
    award_id = lifecycle.create_award(
        engine=engine, actor=ADMIN, data=sample_award(engine, title="Typed", company_number="01234567")
    )
    detail = award_detail(engine, award_id)
    assert isinstance(detail, AwardDetail)
    assert (detail.charity_number, detail.company_number, detail.version) == ("1123456", "01234567", 1)
    form = detail.form_data()
    assert (form["charity_number"], form["company_number"]) == ("1123456", "01234567")


@pytest.mark.store
def test_the_importers_update_path_is_batched(engine):
    """200 changed rows: a handful of statements per batch, not a few per award."""
    rows = [{**sample_award(engine, title=f"Batch {i}"), "identifier": f"BATCH-{i:04d}"} for i in range(200)]
    importer.import_csv(engine=engine, actor=ADMIN, content=csv_text(rows))
    for row in rows:
        row["description"] = "changed"
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = importer.import_csv(engine=engine, actor=ADMIN, content=csv_text(rows))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert result.updated == 200
    writes = [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert len(writes) < 20, writes[:30]  # (it was 5 statements per award before)


def test_one_award_form_for_both_pages():
    new = (REPO / "app_pages" / "award_new.py").read_text()
    edit = (REPO / "ui" / "award_parts.py").read_text()
    assert "award_form(" in new and "award_form(" in edit
    assert "text_input(" not in new  # the page draws no field of its own


def test_the_edit_form_has_the_charity_and_company_numbers(engine, make_app):
    if engine.dialect.name != "sqlite":
        pytest.skip("page logic does not depend on the store")
    award_id = lifecycle.create_award(engine=engine, actor=ADMIN, data=sample_award(engine, title="Numbers"))
    at = make_app("app_pages/award.py", actor=ADMIN, query={"id": str(award_id)})
    at.query_params["id"] = str(award_id)
    at.run()
    prefix = f"edit_{award_id}_1_"
    assert (at.text_input(key=prefix + "charity").value, at.text_input(key=prefix + "company").value) == ("1123456", "")
    at.text_input(key=prefix + "company").input("01234567")  # a number the organisation lacked: recorded
    at.button(key=prefix + "submit").click().run()
    assert not at.exception and not at.error
    assert award_detail(engine, award_id).company_number == "01234567"
    prefix = f"edit_{award_id}_2_"
    at.text_input(key=prefix + "company").input("SC123456")  # another one: a problem beside the field
    at.button(key=prefix + "submit").click().run()
    assert not at.exception
    assert any("recorded with company number '01234567'" in visible(e.value) for e in at.error)
    assert award_detail(engine, award_id).company_number == "01234567"
