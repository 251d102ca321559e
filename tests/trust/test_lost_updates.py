"""Rule 2: no lost update anywhere. Every edited record carries a version and every save names the one its
editor saw; a save based on an older version is refused (saying what changed and who changed it) and
writes nothing, on both stores. Racing saves from separate processes: exactly one wins. Re-importing a
CSV never overwrites an award changed since its rows were exported or checked; two people importing the
same new identifiers at once: the second is told so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bench.stress import IMPORT_RACE, PREFIX, RACED_TITLE, concurrent_writes, raced_award
from tests.conftest import as_app_role
from tests.factories import approve, sample_award
from tests.register.conftest import csv_text
from tests.rounds.helpers import apply, open_round, round_data
from vru_core.framework import entered, structure
from vru_core.framework.rag import Thresholds
from vru_core.models import Award, MonitoringReturn, Payment
from vru_core.needs.profiles import save_profile
from vru_core.needs.scoring import Profile
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Stale
from vru_core.platform.users import create_user, set_role
from vru_core.register import importer, lifecycle, money, query
from vru_core.register.reads import award_detail
from vru_core.rounds import decisions, rounds

pytestmark = pytest.mark.store
COLLEAGUE = Actor("colleague-admin", Role.ADMIN)
ME = Actor("me-admin", Role.ADMIN)
ANALYST = Actor("me-analyst", Role.ANALYST)
RETURN = {"period": "2026-Q3", "rag": "amber", "people_reached": "150", "under_25_reached": "120"}


def _award(engine, **changes) -> dict:
    data = sample_award(engine, **{"title": "Versioned", **changes})
    award_id = lifecycle.create_award(engine=engine, actor=ME, data=data)
    return {"award": award_id}


def _approved(engine) -> dict:
    ctx = _award(engine)
    approve(engine, ctx["award"])
    return ctx


def _edit(engine, actor, ctx, version, **changes) -> int:
    data = sample_award(engine, **{"title": "Versioned", **changes})
    return lifecycle.update_award(engine=engine, actor=actor, award_id=ctx["award"], version=version, data=data)


def _with_payment(engine) -> dict:
    ctx = _approved(engine)
    ctx["payment"] = money.add_payment(
        engine=engine, actor=ME, award_id=ctx["award"], data={"paid_on": "2026-06-01", "amount": "10"}
    )
    return ctx


def _with_return(engine) -> dict:
    ctx = _approved(engine)
    ctx["return"] = money.add_return(engine=engine, actor=ME, award_id=ctx["award"], data=RETURN)
    return ctx


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _indicator_value(engine) -> dict:
    row = {"indicator_code": "adult_reoffending_rate", "period": "2019-03", "value": "26"}
    row |= {"source": "MoJ", "source_date": "2020-01-30"}
    return {"row": row, "seen": entered.check_values(engine, [row]).versions}  # what the analyst was shown


def _draft_round(engine) -> dict:
    return {"round": rounds.create_round(engine=engine, actor=ME, data=round_data())}


def _closed_application(engine) -> dict:
    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    rounds.close_round(engine=engine, actor=ME, round_id=round_id, version=2)
    return {"application": application_id}


@dataclass(frozen=True)
class Record:
    """A versioned record: the colleague's save (from `version`), then mine from the same version."""

    id: str
    setup: Callable  # engine -> context
    version: int  # the version both of us opened
    colleague: Callable  # (engine, actor, ctx, version) -> None: succeeds
    mine: Callable  # same signature: must be refused
    who_is_named: bool = True  # False when the record is gone (nobody's save left to quote)


RECORDS = [
    Record(
        "award-edit",
        _award,
        1,
        lambda e, a, c, v: _edit(e, a, c, v, title="Renamed by a colleague"),
        lambda e, a, c, v: _edit(e, a, c, v, amount_awarded="47000"),
    ),
    Record(  # approving names the version shown: an amount raised since is never approved unseen
        "approval-after-the-amount-was-raised",
        _award,
        1,
        lambda e, a, c, v: _edit(e, a, c, v, amount_awarded="90000", area_amounts=""),
        lambda e, a, c, v: lifecycle.transition_award(
            engine=e, actor=a, award_id=c["award"], version=v, to_status="approved"
        ),
    ),
    Record(
        "withdrawn-then-edited",
        _award,
        1,
        lambda e, a, c, v: lifecycle.transition_award(
            engine=e, actor=a, award_id=c["award"], version=v, to_status="withdrawn"
        ),
        lambda e, a, c, v: _edit(e, a, c, v, title="Edited"),
    ),
    Record(
        "edited-then-deleted",
        _award,
        1,
        lambda e, a, c, v: _edit(e, a, c, v, description="Changed"),
        lambda e, a, c, v: lifecycle.delete_award(engine=e, actor=a, award_id=c["award"], version=v),
    ),
    Record(
        "deleted-then-edited",
        _award,
        1,
        lambda e, a, c, v: lifecycle.delete_award(engine=e, actor=a, award_id=c["award"], version=v),
        lambda e, a, c, v: _edit(e, a, c, v, title="Edited"),
        who_is_named=False,
    ),
    Record(
        "payment-deleted-twice",
        _with_payment,
        1,
        lambda e, a, c, v: money.delete_payment(engine=e, actor=a, payment_id=c["payment"], version=v),
        lambda e, a, c, v: money.delete_payment(engine=e, actor=a, payment_id=c["payment"], version=v),
        who_is_named=False,
    ),
    Record(
        "monitoring-return-edit",
        _with_return,
        1,
        lambda e, a, c, v: money.update_return(
            engine=e, actor=a, return_id=c["return"], version=v, data={**RETURN, "rag": "green"}
        ),
        lambda e, a, c, v: money.update_return(
            engine=e, actor=a, return_id=c["return"], version=v, data={**RETURN, "people_reached": "200"}
        ),
    ),
    Record(
        "monitoring-return-delete-after-edit",
        _with_return,
        1,
        lambda e, a, c, v: money.update_return(
            engine=e, actor=a, return_id=c["return"], version=v, data={**RETURN, "rag": "red"}
        ),
        lambda e, a, c, v: money.delete_return(engine=e, actor=a, return_id=c["return"], version=v),
    ),
    Record(
        "indicator",
        lambda e: {},
        1,
        lambda e, a, c, v: structure.update_indicator(
            engine=e, actor=a, code="vwi_12m", version=v, changes={"target_value": 1}
        ),
        lambda e, a, c, v: structure.update_indicator(
            engine=e, actor=a, code="vwi_12m", version=v, changes={"notes": "mine"}
        ),
    ),
    Record(
        "rag-thresholds",
        lambda e: {},
        1,
        lambda e, a, c, v: structure.update_thresholds(engine=e, actor=a, thresholds=Thresholds(0.6), version=v),
        lambda e, a, c, v: structure.update_thresholds(engine=e, actor=a, thresholds=Thresholds(0.4), version=v),
    ),
    Record(
        "objective",
        lambda e: {},
        1,
        lambda e, a, c, v: structure.update_objective(
            engine=e, actor=a, number=2, version=v, title="Theirs", tagline="", commitments=[], aims=["reduce_violence"]
        ),
        lambda e, a, c, v: structure.update_objective(
            engine=e, actor=a, number=2, version=v, title="Mine", tagline="", commitments=[], aims=["reduce_violence"]
        ),
    ),
    Record(
        "priority-area",
        lambda e: {},
        1,
        lambda e, a, c, v: structure.update_priority_area(
            engine=e, actor=a, code="after_school", version=v, title="Theirs", objective_number=5
        ),
        lambda e, a, c, v: structure.update_priority_area(
            engine=e, actor=a, code="after_school", version=v, title="Mine", objective_number=5
        ),
    ),
    Record(
        "funding-stream",
        lambda e: {},
        1,
        lambda e, a, c, v: structure.save_funding_stream(
            engine=e, actor=a, code="vru_core_budget", name="Theirs", notes="", active=True, version=v
        ),
        lambda e, a, c, v: structure.save_funding_stream(
            engine=e, actor=a, code="vru_core_budget", name="Mine", notes="", active=False, version=v
        ),
    ),
    Record(
        "scoring-profile",
        lambda e: {"v": save_profile(engine=e, actor=ANALYST, name="Round", profile=Profile(threshold_pct=10.0))},
        1,
        lambda e, a, c, v: save_profile(
            engine=e, actor=ANALYST, name="Round", profile=Profile(threshold_pct=20.0), expected_version=v
        ),
        lambda e, a, c, v: save_profile(
            engine=e, actor=ANALYST, name="Round", profile=Profile(threshold_pct=15.0), expected_version=v
        ),
    ),
    Record(  # saving under an existing name without its version would overwrite a profile never opened
        "scoring-profile-same-name-without-version",
        lambda e: {"v": save_profile(engine=e, actor=ANALYST, name="Round", profile=Profile(threshold_pct=10.0))},
        1,
        lambda e, a, c, v: None,
        lambda e, a, c, v: save_profile(engine=e, actor=ANALYST, name="Round", profile=Profile(threshold_pct=15.0)),
        who_is_named=False,
    ),
    Record(
        "user-account",
        lambda e: {"id": create_user(engine=e, actor=ME, username="target", role="viewer")},
        1,
        lambda e, a, c, v: set_role(engine=e, actor=a, username="target", role="analyst", expected_version=v),
        lambda e, a, c, v: set_role(engine=e, actor=a, username="target", role="director", expected_version=v),
    ),
    Record(  # an upload checked (and shown) before a colleague replaced the same value
        "indicator-value-replaced-since-checked",
        _indicator_value,
        1,
        lambda e, a, c, v: entered.save_values(engine=e, actor=ANALYST, rows=[{**c["row"], "value": "24"}]),
        lambda e, a, c, v: entered.save_values(engine=e, actor=ANALYST, rows=[c["row"]], versions=c["seen"]),
    ),
    Record(
        "indicator-value-deleted-after-replace",
        _indicator_value,
        1,
        lambda e, a, c, v: entered.save_values(engine=e, actor=ANALYST, rows=[{**c["row"], "value": "24"}]),
        lambda e, a, c, v: entered.delete_value(
            engine=e, actor=ANALYST, indicator_code="adult_reoffending_rate", period="2019-03", version=v
        ),
    ),
    Record(
        "funding-round-draft",
        _draft_round,
        1,
        lambda e, a, c, v: rounds.update_round(
            engine=e, actor=a, round_id=c["round"], version=v, data=round_data(title="Theirs")
        ),
        lambda e, a, c, v: rounds.update_round(
            engine=e, actor=a, round_id=c["round"], version=v, data=round_data(budget="90000")
        ),
    ),
    Record(  # opening freezes what the person was shown, never criteria a colleague changed since
        "funding-round-opened-after-a-weight-changed",
        _draft_round,
        1,
        lambda e, a, c, v: rounds.update_round(
            engine=e,
            actor=a,
            round_id=c["round"],
            version=v,
            data=round_data(weights={"need": "50", "value": "0", "evidence": "10"}),
        ),
        lambda e, a, c, v: rounds.open_round(engine=e, actor=a, round_id=c["round"], version=v),
    ),
    Record(
        "panel-decision",
        _closed_application,
        1,
        lambda e, a, c, v: decisions.decide(
            engine=e, actor=a, application_id=c["application"], version=v, decision="reserve", reason="Theirs"
        ),
        lambda e, a, c, v: decisions.decide(
            engine=e, actor=a, application_id=c["application"], version=v, decision="fund", reason="Mine"
        ),
    ),
]


@pytest.mark.parametrize("record", RECORDS, ids=[r.id for r in RECORDS])
def test_a_save_from_an_older_version_is_refused_and_writes_nothing(engine, record):
    ctx = record.setup(engine)
    record.colleague(engine, COLLEAGUE, ctx, record.version)
    after_colleague = table_checksums(engine)
    with pytest.raises(Stale) as err:
        record.mine(engine, ME, ctx, record.version)
    assert table_checksums(engine) == after_colleague  # the colleague's change stands, nothing of mine is stored
    message = str(err.value)
    assert "changed after you opened it" in message or "already exists" in message or "since you checked" in message
    if record.who_is_named:
        assert COLLEAGUE.username in message or ANALYST.username in message


def test_the_refusal_lists_what_changed_before_and_now(engine):
    ctx = _award(engine)
    _edit(engine, COLLEAGUE, ctx, 1, title="Renamed by a colleague", amount_awarded="50000", area_amounts="")
    with pytest.raises(Stale) as err:
        _edit(engine, ME, ctx, 1, description="Mine")
    changes = {c.field: (c.before, c.now) for c in err.value.changes}
    assert changes["title"] == ("Versioned", "Renamed by a colleague")
    assert changes["amount_awarded"] == ("45000.00", "50000.00")
    assert err.value.changed_by == COLLEAGUE.username and err.value.current_version == 2


# ---- separate processes ---------------------------------------------------------------------------------


def _url(engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    return as_app_role(url) if engine.dialect.name == "postgresql" else url


@pytest.mark.stress
def test_saves_racing_from_one_version_in_separate_processes_have_exactly_one_winner(engine):
    raced_award(engine, award_pounds=1_000)  # approved: now at version 2... so open it at version 1 first
    with engine.begin() as conn:
        conn.execute(Award.__table__.update().where(Award.title == RACED_TITLE).values(version=1))
    url = _url(engine)
    engine.dispose()
    result = concurrent_writes(url, writers=6, each=1, target="edit_v1")
    assert result.error_count == 0, result.errors
    assert (result.created, result.refused) == (1, 5)
    with engine.connect() as conn:
        version, description = conn.execute(
            select(Award.version, Award.description).where(Award.title == RACED_TITLE)
        ).one()
    assert version == 2 and description.startswith(PREFIX)


@pytest.mark.stress
def test_two_people_importing_the_same_new_identifiers_at_once_the_second_is_told(engine):
    url = _url(engine)
    engine.dispose()
    result = concurrent_writes(url, writers=4, each=1, target="import_same")
    assert result.error_count == 0, result.errors  # no IntegrityError, no traceback: a conflict message
    assert (result.created, result.refused) == (1, 3)
    with engine.connect() as conn:
        made = conn.execute(select(func.count()).select_from(Award).where(Award.identifier.in_(IMPORT_RACE))).scalar()
    assert made == len(IMPORT_RACE)


# ---- re-importing an exported file ------------------------------------------------------------------------


def _export_for_editing(engine) -> list[dict]:
    data = query.load_register(engine)
    return query.editing_frame(data, data.awards).to_dict("records")


def test_an_exported_row_changed_in_the_register_since_is_a_conflict_not_an_overwrite(engine):
    ctx = _award(engine)
    rows = _export_for_editing(engine)  # carries version 1
    rows[0]["title"] = "Changed in the spreadsheet"
    _edit(engine, COLLEAGUE, ctx, 1, amount_awarded="50000", area_amounts="")
    before = table_checksums(engine)
    with pytest.raises(Stale) as err:
        importer.import_csv(engine=engine, actor=ME, content=csv_text(rows, columns=importer.TEMPLATE_COLUMNS))
    assert table_checksums(engine) == before
    [problem] = err.value.problems
    assert (problem.row, problem.field) == (2, "version")
    assert COLLEAGUE.username in problem.message and "amount_awarded" in problem.message
    assert award_detail(engine, ctx["award"]).title == "Versioned"


def test_an_exported_row_still_current_updates_and_round_trips_formula_text(engine):
    ctx = _award(engine, title="=SUM(A1:A9)")
    rows = _export_for_editing(engine)
    assert rows[0]["version"] == "1"
    rows[0]["amount_awarded"] = "46000"
    rows[0]["area_amounts"] = ""
    content = csv_text(rows, columns=importer.TEMPLATE_COLUMNS)
    from vru_core.platform.csvsafe import escape_cell

    content = content.replace("=SUM(A1:A9)", escape_cell("=SUM(A1:A9)"))  # as the download wrote it
    result = importer.import_csv(engine=engine, actor=ME, content=content)
    assert (result.updated, result.created) == (1, 0)
    detail = award_detail(engine, ctx["award"])
    assert (detail.title, str(detail.amount_awarded), detail.version) == ("=SUM(A1:A9)", "46000.00", 2)


def test_a_file_checked_before_a_colleagues_change_does_not_overwrite_it(engine):
    ctx = _award(engine)
    row = {**sample_award(engine, title="From the file"), "identifier": award_detail(engine, ctx["award"]).identifier}
    plan = importer.check_csv(engine, csv_text([row]))  # what the person was shown: "update 1"
    assert len(plan.to_update) == 1
    _edit(engine, COLLEAGUE, ctx, 1, description="Meanwhile")
    before = table_checksums(engine)
    with pytest.raises(Stale) as err:
        importer.import_csv(engine=engine, actor=ME, content=csv_text([row]), seen=plan.seen)
    assert table_checksums(engine) == before and COLLEAGUE.username in str(err.value)


def test_a_row_shown_as_new_but_added_by_someone_since_is_a_conflict(engine):
    identifier = "360G-LondonVRU-NEW-1"
    row = {**sample_award(engine, title="New in the file"), "identifier": identifier}
    plan = importer.check_csv(engine, csv_text([row]))
    assert len(plan.to_create) == 1 and plan.seen == {}
    lifecycle.create_award(engine=engine, actor=COLLEAGUE, data={**row, "title": "Recorded by hand"})
    before = table_checksums(engine)
    with pytest.raises(Stale, match="was added to the register by colleague-admin"):
        importer.import_csv(engine=engine, actor=ME, content=csv_text([row]), seen=plan.seen)
    assert table_checksums(engine) == before


def test_cli_import_without_a_plan_still_checks_and_writes_in_one_transaction(engine):
    """Without `seen`, the versions read by the import's own check are the ones the writes must find."""
    ctx = _award(engine)
    row = {**sample_award(engine, title="From the file"), "identifier": award_detail(engine, ctx["award"]).identifier}
    result = importer.import_csv(engine=engine, actor=ME, content=csv_text([row]))
    assert result.updated == 1 and award_detail(engine, ctx["award"]).version == 2
    assert _count(engine, Payment) == 0 and _count(engine, MonitoringReturn) == 0


def test_versions_are_in_the_migration(engine):
    """Every edited table carries a version column (migration 0006 added the ones that lacked it)."""
    from sqlalchemy import inspect

    tables = (
        "award",
        "payment",
        "monitoring_return",
        "indicator",
        "indicator_value",
        "rag_settings",
        "objective",
        "priority_area",
        "funding_stream",
        "scoring_profile",
        "app_user",
    )
    inspector = inspect(engine)
    assert all("version" in {c["name"] for c in inspector.get_columns(t)} for t in tables)
