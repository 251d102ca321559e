"""Rule 7: bad input gets a clear message naming row and field, never a traceback, and writes nothing.

One table of inputs through every door (the award import, the measure upload, the indicator-value
upload, the award form, payments and returns): encodings, over-long cells, line endings, NUL bytes,
duplicated headers, empty and oversized files, dates out of range, digit forms. Then out-of-range page
addresses (clamped, and the page says so) and a store that cannot take writes (read-only, full disk):
a banner for readers, a refusal with a message for writers, the store unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event, text

from tests.factories import approve, sample_award, sample_measure
from tests.pages.conftest import visible
from tests.pages.test_register_pages import _fill_form
from vru_core.framework.entered import MAX_UPLOAD_BYTES as VALUES_LIMIT
from vru_core.framework.entered import read_csv, save_values
from vru_core.needs.measures import add_measure
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.db import FULL_MESSAGE, get_engine, store_status
from vru_core.platform.errors import DomainError, StoreReadOnly
from vru_core.register import lifecycle, money
from vru_core.register.columns import TEMPLATE_COLUMNS
from vru_core.register.importer import MAX_IMPORT_BYTES, import_csv

pytestmark = pytest.mark.store
ADMIN = Actor("bad-admin", Role.ADMIN)
WARD = "E05014053"
LIMIT = csv.field_size_limit()
TEN_YEARS = (dt.date.today() + dt.timedelta(days=3660 + 30)).isoformat()


# ---- the three uploads, as bytes ------------------------------------------------------------------------


def award_file(engine, *changes: dict, newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore", lineterminator=newline)
    writer.writeheader()
    for i, change in enumerate(changes or ({},), start=1):
        writer.writerow({**sample_award(engine, title=f"Award {i}"), "identifier": f"BAD-{i}", **change})
    return out.getvalue().encode()


def measure_file(*lines: str, newline: str = "\n") -> bytes:
    return newline.join(["area_code,value", *lines, ""]).encode()


def values_file(*lines: str, newline: str = "\n") -> bytes:
    return newline.join(["indicator_code,period,value,source,source_date", *lines, ""]).encode()


GOOD_VALUE = "adult_reoffending_rate,2025-03,25.5,MoJ,2026-01-29"
MEASURE = sample_measure(code="bad_input_measure")


def awards(build: Callable) -> Callable:
    return lambda e: import_csv(engine=e, actor=ADMIN, content=build(e))


def measure(data: bytes, **definition) -> Callable:
    return lambda e: add_measure(engine=e, actor=ADMIN, definition={**MEASURE, **definition}, data=data)


def values(data: bytes) -> Callable:
    return lambda e: save_values(engine=e, actor=ADMIN, rows=read_csv(data))


def form(**changes) -> Callable:
    return lambda e: lifecycle.create_award(engine=e, actor=ADMIN, data=sample_award(e, **{"title": "Form", **changes}))


def _approved(engine) -> int:
    award_id = lifecycle.create_award(engine=engine, actor=ADMIN, data=sample_award(engine, title="Paid"))
    approve(engine, award_id)
    return award_id


def payment(**data) -> Callable:
    """A payment on the one approved award (made before the store is fingerprinted)."""
    return lambda e: money.add_payment(
        engine=e, actor=ADMIN, award_id=_approved_ids[e.url.database], data={"paid_on": "2026-06-01", **data}
    )


_approved_ids: dict = {}


def application_file(engine, *changes: dict, header: list[str] | None = None) -> bytes:
    from tests.rounds.helpers import application_data
    from vru_core.rounds.applications import COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for change in changes or ({},):
        writer.writerow({**application_data(engine), **change})
    return out.getvalue().encode()


def uploaded(build: Callable) -> Callable:
    """An application upload to the open round (opened before the store is fingerprinted)."""
    from vru_core.rounds.applications import import_applications

    return lambda e: import_applications(engine=e, actor=ADMIN, round_ref="YLF-2026-R1", content=build(e))


@dataclass(frozen=True)
class Bad:
    id: str
    call: Callable  # engine -> None; must refuse
    expect: tuple[str, ...]  # fragments of the message, naming row and field


BAD = [
    # -- encodings
    Bad(
        "awards-latin1",
        awards(lambda e: award_file(e, {"title": "Café"}).decode().encode("latin-1")),
        ("row 2, file", "not UTF-8", "Latin-1"),
    ),
    Bad("measure-latin1", measure("area_code,value,note\nE05014053,1,café\n".encode("latin-1")), ("row 2, file",)),
    Bad("values-latin1", values(values_file(GOOD_VALUE + "é").decode().encode("latin-1")), ("row 2, file",)),
    Bad(
        "awards-utf16-without-mark",
        awards(lambda e: award_file(e).decode().encode("utf-16-le")),
        ("looks like UTF-16",),
    ),
    Bad("values-utf16-without-mark", values(values_file(GOOD_VALUE).decode().encode("utf-16-be")), ("UTF-16",)),
    # -- a cell over the csv module's limit
    Bad(
        "awards-cell-over-the-limit",
        awards(lambda e: award_file(e, {"description": "x" * (LIMIT + 1)})),
        ("row 2, file", "cannot be read as CSV", f"{LIMIT:,}"),
    ),
    Bad("measure-cell-over-the-limit", measure(measure_file(f"{WARD},{'1' * (LIMIT + 1)}")), ("row 2, file",)),
    Bad(
        "values-unclosed-quote",
        values(values_file('adult_reoffending_rate,2025-03,1,"MoJ' + "x" * LIMIT)),
        ("file", "quote not closed"),
    ),
    # -- NUL bytes (PostgreSQL cannot store them)
    Bad("awards-nul-in-a-cell", awards(lambda e: award_file(e, {}, {"title": "A\x00B"})), ("row 3, file", "NUL")),
    Bad("measure-nul", measure(measure_file(f"{WARD},1", "E05013565,\x002")), ("row 3, file", "NUL")),
    Bad("values-nul", values(values_file(GOOD_VALUE.replace("MoJ", "Mo\x00J"))), ("row 2, file", "NUL")),
    Bad("form-nul-in-title", form(title="Youth\x00 mentoring"), ("title", "NUL")),
    Bad("form-nul-in-description", form(description="a\x00b"), ("description", "NUL")),
    # -- headers
    Bad(
        "awards-duplicated-header",
        awards(lambda e: award_file(e).replace(b"title,description", b"title,title", 1)),
        ("row 1, title", "appears twice"),
    ),
    Bad("measure-duplicated-header", measure(b"area_code,value,value\nE05014053,1,2\n"), ("row 1, value", "twice")),
    Bad(
        "values-duplicated-header",
        values(values_file(GOOD_VALUE).replace(b"value,", b"value,value,", 1)),
        ("row 1, value", "twice"),
    ),
    # -- empty and oversized files
    Bad("awards-empty", awards(lambda e: b""), ("row 1, file", "empty")),
    Bad("awards-only-spaces", awards(lambda e: b"  \n \n"), ("row 1, file", "empty")),
    Bad("values-empty", values(b""), ("row 1, file", "empty")),
    Bad("values-header-only", values(values_file()), ("file", "no rows")),
    Bad("awards-oversized", awards(lambda e: award_file(e) + b"\n" * MAX_IMPORT_BYTES), ("file", "the limit is 10 MB")),
    Bad("values-oversized", values(values_file(GOOD_VALUE) + b"\n" * VALUES_LIMIT), ("file", "the limit is 2 MB")),
    # -- bare CR line endings: read, and the rows keep their numbers
    Bad(
        "awards-bare-cr",
        awards(lambda e: award_file(e, {}, {}, {"amount_awarded": "45k"}, newline="\r")),
        ("row 4, amount_awarded",),
    ),
    Bad("measure-bare-cr", measure(measure_file(f"{WARD},1", "", "E05999999,2", newline="\r")), ("row 4, area_code",)),
    Bad(
        "values-bare-cr-and-blank-lines",
        values(values_file(GOOD_VALUE, "", "", "nope,2025-03,1,x,2026-01-01", newline="\r")),
        ("row 5, indicator_code",),
    ),
    # -- dates out of range
    Bad("award-date-before-1990", form(award_date="1989-12-31"), ("award_date", "before 1990")),
    Bad("award-end-over-ten-years-ahead", form(planned_end=TEN_YEARS), ("planned_end", "more than 10 years ahead")),
    Bad(
        "import-date-year-0202",
        awards(lambda e: award_file(e, {"award_date": "0202-04-01"})),
        ("row 2, award_date", "before 1990"),
    ),
    Bad("payment-paid-in-1985", payment(paid_on="1985-06-01", amount="10"), ("paid_on", "before 1990")),
    Bad(
        "value-source-date-1900",
        values(values_file(GOOD_VALUE.replace("2026-01-29", "1900-01-29"))),
        ("row 2, source_date", "before 1990"),
    ),
    Bad("value-period-1989", values(values_file(GOOD_VALUE.replace("2025-03", "1989-12"))), ("row 2, period",)),
    Bad(
        "value-basic-iso-date",
        values(values_file(GOOD_VALUE.replace("2026-01-29", "20260129"))),
        ("row 2, source_date", "YYYY-MM-DD"),
    ),
    # -- digit forms
    Bad("award-amount-underscores", form(amount_awarded="45_000"), ("amount_awarded", "not a plain amount")),
    Bad("award-amount-full-width", form(amount_awarded="４５０００"), ("amount_awarded", "not a plain amount")),
    Bad(
        "import-amount-arabic-indic",
        awards(lambda e: award_file(e, {"amount_awarded": "٤٥٠٠٠"})),
        ("row 2, amount_awarded",),
    ),
    Bad("payment-full-width", payment(amount="１０"), ("amount", "not a plain amount")),
    Bad("measure-value-underscores", measure(measure_file(f"{WARD},1_000")), ("row 2, value", "underscores")),
    Bad("measure-value-full-width", measure(measure_file(f"{WARD},１０")), ("row 2, value",)),
    Bad("value-full-width", values(values_file(GOOD_VALUE.replace("25.5", "２５"))), ("row 2, value",)),
    Bad("objectives-full-width", form(objectives="３"), ("objectives", "unknown objective")),
    Bad("award-date-full-width", form(award_date="２０２６-04-01"), ("award_date", "YYYY-MM-DD")),
    # -- the funding-round application upload
    Bad(
        "applications-latin1",
        uploaded(lambda e: application_file(e, {"project_title": "Café"}).decode().encode("latin-1")),
        ("row 2, file", "not UTF-8"),
    ),
    Bad("applications-nul", uploaded(lambda e: application_file(e, {"project_title": "Club\x00"})), ("NUL",)),
    Bad(
        "applications-header-twice",
        uploaded(
            lambda e: application_file(
                e,
                header=[
                    "applicant_org_id",
                    "applicant_org_id",
                    "applicant_name",
                    "project_title",
                    "amount_requested",
                    "objectives",
                ],
            )
        ),
        ("row 1, applicant_org_id", "twice"),
    ),
    Bad("applications-empty", uploaded(lambda e: b""), ("row 1, file", "empty")),
    Bad(
        "applications-amount-full-width",
        uploaded(lambda e: application_file(e, {"amount_requested": "４５０００"})),
        ("row 2, amount_requested",),
    ),
    Bad(
        "applications-date-far-ahead",
        uploaded(lambda e: application_file(e, {"planned_end": TEN_YEARS})),
        ("row 2, planned_end", "years ahead"),
    ),
]
CASES_TRIED = len(BAD)


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_refused_naming_row_and_field_and_nothing_written(engine, case):
    if case.id.startswith("payment"):
        _approved_ids[engine.url.database] = _approved(engine)
    if case.id.startswith("applications"):
        from tests.rounds.helpers import open_round

        open_round(engine)
    before = table_checksums(engine)
    with pytest.raises(DomainError) as err:  # a message for a person, never a traceback
        case.call(engine)
    message = str(err.value)
    for fragment in case.expect:
        assert fragment in message, f"{case.id}: {fragment!r} not in {message!r}"
    assert table_checksums(engine) == before


ACCEPTED = [
    (
        "awards-utf16-with-its-mark",
        lambda e: import_csv(engine=e, actor=ADMIN, content=award_file(e).decode().encode("utf-16")),
    ),
    ("awards-crlf", lambda e: import_csv(engine=e, actor=ADMIN, content=award_file(e, newline="\r\n"))),
    ("awards-bare-cr", lambda e: import_csv(engine=e, actor=ADMIN, content=award_file(e, newline="\r"))),
    (
        "values-utf16-with-its-mark",
        lambda e: save_values(engine=e, actor=ADMIN, rows=read_csv(values_file(GOOD_VALUE).decode().encode("utf-16"))),
    ),
    (
        "measure-bare-cr",
        lambda e: add_measure(engine=e, actor=ADMIN, definition=MEASURE, data=measure_file(f"{WARD},1", newline="\r")),
    ),
]
CASES_TRIED += len(ACCEPTED)


@pytest.mark.parametrize(("case", "call"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_detected_encodings_and_line_endings_are_read(engine, case, call):
    """UTF-16 with its byte-order mark is detected (not refused), and every line ending works."""
    before = table_checksums(engine)
    call(engine)
    assert table_checksums(engine) != before


def test_entered_values_keep_file_line_numbers_after_blank_lines():
    rows = read_csv(values_file(GOOD_VALUE, "", "", GOOD_VALUE.replace("2025-03", "2024-03")))
    assert [r["row"] for r in rows] == [2, 5]


# ---- page addresses ------------------------------------------------------------------------------------

ADDRESSES = [
    ("threshold-75", {"t": "75"}, "threshold", 50.0, "threshold 75% is outside 1–50%"),
    ("threshold-half", {"t": "0.5"}, "threshold", 1.0, "threshold 0.5% is outside"),
    ("threshold-off-step", {"t": "12.4"}, "threshold", 12.0, "using 12%"),
    ("weight-7", {"w": "crime_vwi_rate:7"}, "w_crime_vwi_rate", 5.0, "weight 7 for Violence with injury rate"),
    ("weight-off-step", {"w": "crime_vwi_rate:1.3"}, "w_crime_vwi_rate", 1.5, "using 1.5"),
]
CASES_TRIED += len(ADDRESSES)


@pytest.mark.parametrize(("case", "query", "slider", "shown", "said"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_out_of_range_page_addresses_are_clamped_and_said(engine, make_app, case, query, slider, shown, said):
    if engine.dialect.name != "sqlite":
        pytest.skip("the page's arithmetic does not depend on the store")
    at = make_app(query=query)
    assert not at.exception
    assert at.slider(key=slider).value == shown
    assert any(said in visible(i.value) for i in at.info), [i.value for i in at.info]


# ---- a store that cannot take writes -------------------------------------------------------------------


def _read_only(engine) -> Callable[[], None]:
    """Make the store read-only for new connections; returns how to undo it."""
    if engine.dialect.name == "sqlite":
        path = Path(engine.url.database)
        mode = path.stat().st_mode
        os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return lambda: os.chmod(path, mode)
    database = engine.url.database
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"ALTER DATABASE {database} SET default_transaction_read_only = on"))

    def undo() -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SET default_transaction_read_only = off"))
            conn.execute(text(f"ALTER DATABASE {database} SET default_transaction_read_only = off"))

    return undo


def test_a_read_only_store_shows_readers_a_banner_and_refuses_writes(engine, make_app):
    url = engine.url.render_as_string(hide_password=False)
    before = table_checksums(engine)
    engine.dispose()
    undo = _read_only(engine)
    try:
        store = get_engine(url)
        assert not store_status(store).writable
        with pytest.raises(StoreReadOnly, match="read-only"):
            lifecycle.create_award(engine=store, actor=ADMIN, data=sample_award(store, title="Not saved"))
        store.dispose()
        at = make_app("app_pages/award_new.py", actor=ADMIN)  # the app opens the store itself
        assert any("read-only" in visible(w.value) for w in at.warning), "no banner for readers"
        wards = sample_award(engine, title="x")["areas"].split(";")
        _fill_form(at, end=dt.date(2027, 3, 31), charity="1123456", wards=wards)
        at.button(key="new_submit").click().run()
        assert not at.exception
        assert any("read-only" in visible(e.value) for e in at.error)
    finally:
        undo()
    assert table_checksums(engine) == before


def test_a_full_disk_refuses_writes_with_a_message_and_tells_readers(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's page limit")
    url = engine.url.render_as_string(hide_password=False)
    before = table_checksums(engine)
    store = get_engine(url)

    @event.listens_for(store, "connect")
    def _no_room(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StoreReadOnly) as err:
        for i in range(50):  # fill the last free pages, then one more
            lifecycle.create_award(
                engine=store, actor=ADMIN, data=sample_award(store, title=f"F{i}", description="x" * 4000)
            )
    assert str(err.value) == FULL_MESSAGE
    status = store_status(store)
    assert not status.writable and status.reason == FULL_MESSAGE
    store.dispose()
    with (
        engine.connect() as conn
    ):  # what fitted is whole (each award with its audit entry); the refused one left nothing
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        awards, audited = conn.execute(
            text("SELECT (SELECT count(*) FROM award), (SELECT count(*) FROM audit_log WHERE entity_type = 'award')")
        ).one()
    assert awards == audited == int(before["award"].split(":")[0]) + i


def test_the_readme_states_these_figures():
    from tests.test_bad_input import CASES_TRIED as FIRST_TABLE

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"tries {CASES_TRIED} more" in readme
    assert f"{CASES_TRIED + FIRST_TABLE} cases in all" in readme
