"""Rule 8: the small breakages found on the way stay fixed.

`python -m bench.stress` as README documents it (it was a PicklingError); restoring from a read-only
backup file; the Framework settings save with a text field left blank (NOT NULL columns); the entered
values' row numbers after blank lines.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pages.conftest import visible
from vru_core.framework.entered import read_csv
from vru_core.framework.structure import update_indicator
from vru_core.models import Indicator
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import backup, restore, table_checksums
from vru_core.platform.users import create_user

ADMIN = Actor("fix-admin", Role.ADMIN)
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.stress
@pytest.mark.parametrize("target", ["users", "payments"])
def test_bench_stress_runs_as_documented(engine, target):
    if engine.dialect.name != "sqlite":
        pytest.skip("the command line's start-up does not depend on the store")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-m", "bench.stress", "--writers", "2", "--each", "3", "--target", target, "--url", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PicklingError" not in done.stderr and "lost 0" in done.stdout and "errors 0" in done.stdout


@pytest.mark.store
@pytest.mark.parametrize("locked", ["file", "file-and-folder"])
def test_restore_from_a_read_only_backup(engine, tmp_path, locked):
    create_user(engine=engine, actor=ADMIN, username="kept", role="viewer")
    folder = tmp_path / "safe"
    folder.mkdir()
    copy = backup(engine, folder / "vru.bak")
    saved = table_checksums(engine)
    create_user(engine=engine, actor=ADMIN, username="after", role="viewer")
    os.chmod(copy, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    if locked == "file-and-folder":
        os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        restore(engine, copy, yes=True)
    finally:
        os.chmod(folder, stat.S_IRWXU)
    restored = table_checksums(engine)
    assert {t: c for t, c in restored.items() if t != "audit_log"} == {
        t: c for t, c in saved.items() if t != "audit_log"
    }
    assert sorted(os.listdir(folder)) == ["vru.bak"]  # nothing written beside the backup (no -wal, no -shm)


BLANKS = ["baseline_source", "target_note", "notes", "description", "source"]


@pytest.mark.store
@pytest.mark.parametrize("field", BLANKS)
def test_a_blank_text_field_in_framework_settings_saves_as_empty_text(engine, field):
    version = update_indicator(engine=engine, actor=ADMIN, code="vwi_12m", version=1, changes={field: "   "})
    assert version == 2
    with engine.connect() as conn:
        from sqlalchemy import select

        assert conn.execute(select(getattr(Indicator, field)).where(Indicator.code == "vwi_12m")).scalar_one() == ""


def test_framework_settings_page_saves_with_the_text_boxes_cleared(engine, make_app):
    if engine.dialect.name != "sqlite":
        pytest.skip("page logic does not depend on the store")
    at = make_app("app_pages/framework_admin.py", actor=ADMIN)
    code = at.selectbox(key="admin_indicator").value
    for key in (f"bs_{code}", f"tn_{code}", f"bp_{code}", f"tv_{code}", f"tc_{code}", f"tp_{code}"):
        at.text_input(key=key).input("")
    next(b for b in at.button if b.label == "Save indicator").click().run()
    assert not at.exception
    assert any("Indicator saved." in visible(s.value) for s in at.success), [e.value for e in at.error]


@pytest.mark.parametrize(
    ("lines", "rows"),
    [
        (["A", "", "B"], [2, 4]),
        (["", "A", "", "", "B"], [3, 6]),
        (["A", "B", ""], [2, 3]),
        (["A", "   ,  ,", "B"], [2, 4]),  # a line of blank cells is blank too
    ],
)
def test_entered_values_rows_are_file_lines_after_blank_lines(lines, rows):
    good = "adult_reoffending_rate,2025-03,25.5,MoJ,2026-01-29"
    body = "\n".join(
        ["indicator_code,period,value,source,source_date", *(good if x in "AB" and x else x for x in lines)]
    )
    assert [r["row"] for r in read_csv(body.encode() + b"\n")] == rows
