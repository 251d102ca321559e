"""The performance pages through AppTest, against a private copy of the loaded store."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import visible
from vru_core.framework.indicators import build_overview, entered_values
from vru_core.framework.strategy import OBJECTIVES
from vru_core.platform.auth import Actor, Role

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def app(engine, monkeypatch):
    """Open a page of the app as someone, with this test's store behind it."""
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def start(page: str, role: str | None = None, params: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        if role is not None:
            at.session_state["actor"] = Actor(f"test-{role}", Role(role))
        for k, v in (params or {}).items():
            at.query_params[k] = v
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def _markdown(at: AppTest) -> str:
    return "\n".join(visible(m.value) for m in at.markdown)


def _specs(at: AppTest) -> list[dict]:
    """Each chart's Vega-Lite spec, with its named datasets (sent as Arrow) decoded into "datasets"."""
    out = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        spec["datasets"] = {
            d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas().to_dict("records")
            for d in chart.proto.datasets
        }
        out.append(spec)
    return out


def test_overview_has_a_card_per_aim_and_objective_and_exports(app):
    at = app("app_pages/framework.py", "director")
    text = _markdown(at)
    for number, title, *_ in OBJECTIVES:
        assert f"**{number}. {title}**" in text
    assert text.count("**Aim ") == 3
    assert len(at.get("page_link")) >= 8
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("CSV" in label for label in labels) and any("summary" in label for label in labels)
    assert len(_specs(at)) >= 3  # the small trend charts on the cards that have values
    assert "How much of our money goes to the highest-need wards?" in [h.value for h in at.subheader]


def _table_with(at: AppTest, column: str):
    """The (first) table on the page that has this column."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _layers_with_rules(spec: dict) -> list[dict]:
    return [layer for layer in spec.get("layer", []) if (layer.get("mark") or {}).get("type") == "rule"]


def test_drill_down_draws_baseline_and_target_rules_and_period_tooltips(app, engine):
    at = app("app_pages/objective.py", "viewer", {"objective": "1"})
    assert visible(at.title[0].value).startswith("Objective 1:")
    specs = _specs(at)
    trends = [s for s in specs if _layers_with_rules(s)]
    assert trends, "no chart with baseline/target rules"
    spec = trends[0]
    rule_data = spec["datasets"][_layers_with_rules(spec)[0]["data"]["name"]]
    assert {row["line"] for row in rule_data} == {"Baseline", "Target"}
    first = build_overview(engine).assessments["vwi_12m"]  # objective 1's first indicator
    assert {row["line"]: row["value"] for row in rule_data} == pytest.approx(
        {"Baseline": first.baseline, "Target": first.target}
    )
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert any(t.get("title") == "Period to" for t in line["encoding"]["tooltip"])
    assert any(b for s in specs for b in s["datasets"].values() if b and "borough" in b[0]), "no borough chart"


def test_drill_down_follows_the_link_parameter(app):
    at = app("app_pages/objective.py", None, {"objective": "6"})
    assert visible(at.title[0].value).startswith("Objective 6:")
    assert at.query_params["objective"] == ["6"] or at.query_params["objective"] == "6"


@pytest.mark.parametrize("role", [None, "viewer", "director", "commissioner"])
def test_entry_page_offers_no_form_without_the_permission(app, role):
    at = app("app_pages/indicators_entry.py", role)
    assert not at.get("form") and not at.get("file_uploader")
    assert "Only analysts and administrators" in at.info[0].value


def test_analyst_upload_lists_every_problem_and_saves_nothing(app, engine):
    at = app("app_pages/indicators_entry.py", "analyst")
    bad = (
        b"indicator_code,period,value,source,source_date\n"
        b"adult_reoffending_rate,2025-03,25.5,MoJ,2026-01-29\n"
        b"no_such,2025-3,45k,,yesterday\n"
    )
    at.get("file_uploader")[0].set_value(("values.csv", bad, "text/csv")).run()
    assert not at.exception
    assert "5 problem(s); nothing was saved" in at.error[0].value
    problems = at.dataframe[0].value
    assert set(problems["row"]) == {3} and len(problems) == 5  # the file line of the bad row
    assert entered_values(engine, "adult_reoffending_rate")["period"].tolist() == ["2019-03"]


def test_analyst_types_one_value(app, engine):
    at = app("app_pages/indicators_entry.py", "analyst")
    at.selectbox(key="entry_indicator").set_value("adult_reoffending_rate")
    at.text_input(key="entry_period").input("2025-03")
    at.text_input(key="entry_value").input("25.5")
    at.text_input(key="entry_source").input("MoJ Proven reoffending")
    import datetime as dt

    at.date_input(key="entry_source_date").set_value(dt.date(2026, 1, 29))
    at.button[0].click().run()
    assert not at.exception
    assert at.success and "Saved" in at.success[0].value
    assert "2025-03" in entered_values(engine, "adult_reoffending_rate")["period"].tolist()


@pytest.mark.parametrize("role", ["viewer", "director", "analyst"])
def test_framework_settings_are_for_admins_only(app, role):
    at = app("app_pages/framework_admin.py", role)
    assert "Only administrators" in at.info[0].value
    assert not at.get("form")


def test_with_example_awards_the_money_follows_on_overview_and_drill_down(app, engine, actors):
    from vru_core.register import examples

    examples.load_examples(engine=engine, actor=actors["commissioner"])
    at = app("app_pages/framework.py", "director")
    assert "EXAMPLE awards" in at.warning[0].value
    labels = [m.label for m in at.metric]
    assert any(label == "To the top 71 need wards" for label in labels)
    committed = [m.value for m in at.metric if m.label == "Committed"]
    assert len(committed) == 8 and any(v != "£0" for v in committed)
    by_area = _table_with(at, "Priority area")
    assert by_area["Committed (£)"].sum() > 0
    at = app("app_pages/objective.py", "director", {"objective": "3"})
    areas = _table_with(at, "Active awards")
    assert areas.set_index("Priority area").loc["Young Persons' Action Group", "Committed (£)"] > 0
    awards = _table_with(at, "Recipient")
    assert len(awards) > 0 and awards["Title"].str.startswith("EXAMPLE").all()


def test_admin_changes_the_rag_thresholds_on_the_settings_page(app, engine):
    from vru_core.framework.indicators import load_thresholds

    at = app("app_pages/framework_admin.py", "admin")
    at.number_input(key="rag_on").set_value(0.75)
    at.number_input(key="rag_tol").set_value(2.0)
    next(b for b in at.button if b.label == "Save thresholds").click().run()
    assert not at.exception
    assert "Thresholds saved." in [s.value for s in at.success]
    t = load_thresholds(engine)
    assert (t.on_track_progress, t.trend_tolerance_pct) == (0.75, 2.0)


def _press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def test_admin_edits_an_objective_a_priority_area_and_a_stream_on_the_settings_page(app, engine):
    from vru_core.framework import lookups

    at = app("app_pages/framework_admin.py", "admin")
    number = min(lookups.objectives(engine))
    old = lookups.objectives(engine)[number]
    at.text_input(key=f"ot_{number}").set_value("A clearer title")
    at.text_area(key=f"oc_{number}").set_value("First commitment\n\nSecond commitment")
    _press(at, "Save objective")
    assert "Objective saved." in [s.value for s in at.success]
    new = lookups.objectives(engine)[number]
    assert (new.title, new.commitments, new.aims) == (
        "A clearer title",
        ("First commitment", "Second commitment"),
        old.aims,
    )

    area = next(iter(lookups.priority_areas(engine)))
    at.text_input(key=f"pt_{area}").set_value("")
    _press(at, "Save priority area")
    assert any("title: cannot be empty" in visible(e.value) for e in at.error)
    assert lookups.priority_areas(engine)[area].title != ""

    at.text_input(key="sc_(new stream)").set_value("test_stream")
    at.text_input(key="sn_(new stream)").set_value("Test stream")
    _press(at, "Save funding stream")
    assert "Funding stream saved." in [s.value for s in at.success]
    streams = lookups.funding_streams(engine).set_index("code")
    assert streams.loc["test_stream", "name"] == "Test stream"
    at.run()  # the form was drawn before the save; the next run lists the new stream
    at.selectbox(key="admin_stream").set_value("test_stream").run()
    at.text_input(key="sn_test_stream").set_value("Test stream, renamed")
    _press(at, "Save funding stream")
    assert lookups.funding_streams(engine).set_index("code").loc["test_stream", "name"] == "Test stream, renamed"
    assert "Test stream, renamed" in set(at.dataframe[0].value["name"])


def test_admin_sets_an_indicator_target_and_a_bad_number_is_refused(app, engine):
    from vru_core.framework.indicators import list_indicators

    at = app("app_pages/framework_admin.py", "admin")
    code = at.selectbox(key="admin_indicator").value
    at.text_input(key=f"tv_{code}").set_value("about forty")
    _press(at, "Save indicator")
    assert at.error, "a target that is not a number must be refused"
    assert list_indicators(engine, active_only=False).loc[code, "target_value"] != "about forty"
    at.text_input(key=f"tv_{code}").set_value("42.5")
    _press(at, "Save indicator")
    assert "Indicator saved." in [s.value for s in at.success]
    row = list_indicators(engine, active_only=False).loc[code]
    assert row["target_value"] == 42.5 and row["version"] == 2


COLLEAGUE = Actor("colleague-admin", Role.ADMIN)


def _area_by_colleague(engine) -> tuple[str, str]:
    from vru_core.framework import lookups
    from vru_core.framework.structure import update_priority_area

    code, area = next(iter(lookups.priority_areas(engine).items()))
    kwargs = {"code": code, "version": area.version, "objective_number": area.objective_number}
    update_priority_area(engine=engine, actor=COLLEAGUE, title="Theirs", **kwargs)
    return f"pt_{code}", "Save priority area"


def _objective_by_colleague(engine) -> tuple[str, str]:
    from vru_core.framework import lookups
    from vru_core.framework.structure import update_objective

    number, obj = min(lookups.objectives(engine).items())
    kwargs = {"tagline": obj.tagline, "commitments": list(obj.commitments), "aims": list(obj.aims)}
    update_objective(engine=engine, actor=COLLEAGUE, number=number, version=obj.version, title="Theirs", **kwargs)
    return f"ot_{number}", "Save objective"


def _stream_by_colleague(engine) -> tuple[str, str]:
    from vru_core.framework import lookups
    from vru_core.framework.structure import save_funding_stream

    stream = lookups.funding_streams(engine).iloc[0]
    kwargs = {"code": stream["code"], "notes": stream["notes"], "active": bool(stream["active"])}
    save_funding_stream(engine=engine, actor=COLLEAGUE, name="Theirs", version=int(stream["version"]), **kwargs)
    return f"sn_{stream['code']}", "Save funding stream"


@pytest.mark.parametrize("colleague", [_area_by_colleague, _objective_by_colleague, _stream_by_colleague])
def test_a_stale_settings_save_is_refused_then_reload_starts_from_the_colleagues_version(app, engine, colleague):
    """Every settings form ends the same way: a save from an older version is refused (nothing written);
    the reload button drops the opened version and what was typed (the form had kept the typed text, so a
    second press would have written it over the colleague's change); the next save names the current one."""
    from vru_core.platform.backup import table_checksums

    at = app("app_pages/framework_admin.py", "admin")
    if colleague is _stream_by_colleague:
        from vru_core.framework import lookups

        at.selectbox(key="admin_stream").set_value(lookups.funding_streams(engine).iloc[0]["code"]).run()
    field, save = colleague(engine)  # saved after the admin opened the form
    before = table_checksums(engine)
    at.text_input(key=field).set_value("Mine, from the old version")
    _press(at, save)
    assert "changed after you opened it" in visible(" ".join(e.value for e in at.error))
    assert table_checksums(engine) == before
    _press(at, "Reload the current version (your unsaved change is dropped)")
    assert not any(b.label.startswith("Reload") for b in at.button) and not at.error
    assert at.text_input(key=field).value == "Theirs"  # the form shows their version, not what was typed
    at.text_input(key=field).set_value("Mine, from the current version")
    _press(at, save)
    assert not at.error, [e.value for e in at.error]
    assert any(s.value.endswith("saved.") for s in at.success)
