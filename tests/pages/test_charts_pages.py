"""Every chart on every page has a description and a "Show as table" switch that gives its figures."""

import json

import pytest

from vru_core.platform.auth import Actor, Role

CHART_PAGES = [  # (page, query, at least this many charts)
    ("app_pages/need_scores.py", {}, 1),
    ("app_pages/sensitivity.py", {}, 1),
    ("app_pages/trends.py", {}, 2),
    ("app_pages/framework.py", {}, 3),
    ("app_pages/objective.py", {"objective": "1"}, 2),
    ("app_pages/funding_vs_need.py", {}, 4),
]


def _charts(at):
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


@pytest.mark.parametrize(("page", "query", "least"), CHART_PAGES, ids=[p[0].split("/")[1] for p in CHART_PAGES])
def test_every_chart_has_a_description_and_a_table(make_app, engine, page, query, least):
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    from vru_core.platform.auth import SYSTEM
    from vru_core.register.examples import load_examples

    load_examples(engine=engine, actor=SYSTEM)  # money to chart on the register pages
    at = make_app(page, actor=Actor("test-analyst", Role.ANALYST), query=query)
    specs = _charts(at)
    switches = [t for t in at.toggle if t.label == "Show as table"]
    assert len(specs) >= least and len(switches) == len(specs)
    for spec in specs:
        assert len(spec.get("description", "")) > 20, spec.get("description")
        assert spec["config"]["aria"] is False
    tables_before = len(at.dataframe)
    switches[0].set_value(True).run()
    assert not at.exception
    assert len(_charts(at)) == len(specs) - 1  # that chart is now its table
    assert len(at.dataframe) == tables_before + 1


def _tooltips(spec):
    """Every tooltip entry of a Vega-Lite spec, in layers and concatenations too."""
    found = []
    if isinstance(spec, dict):
        tooltip = spec.get("encoding", {}).get("tooltip") if isinstance(spec.get("encoding"), dict) else None
        found += tooltip if isinstance(tooltip, list) else [tooltip] if isinstance(tooltip, dict) else []
        for value in spec.values():
            found += _tooltips(value)
    elif isinstance(spec, list):
        for value in spec:
            found += _tooltips(value)
    return found


OUR_CHART_PAGES = [p for p in CHART_PAGES if p[0] not in ("app_pages/need_scores.py", "app_pages/sensitivity.py")]


@pytest.mark.parametrize(("page", "query", "least"), OUR_CHART_PAGES, ids=[p[0].split("/")[1] for p in OUR_CHART_PAGES])
def test_chart_tooltips_name_their_figures_in_words(make_app, engine, page, query, least):
    """A tooltip shows a field's title, else its name: every entry has a title, none a code like n_wards."""
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    from vru_core.platform.auth import SYSTEM
    from vru_core.register.examples import load_examples

    load_examples(engine=engine, actor=SYSTEM)
    at = make_app(page, actor=Actor("test-analyst", Role.ANALYST), query=query)
    entries = [t for spec in _charts(at) for t in _tooltips(spec)]
    assert entries
    untitled = [t for t in entries if not t.get("title") or "_" in str(t.get("title"))]
    assert not untitled


def test_funding_vs_need_maps_have_a_key_and_show_all_of_london(make_app, engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    from vru_core.platform.auth import SYSTEM
    from vru_core.register.examples import load_examples

    load_examples(engine=engine, actor=SYSTEM)
    at = make_app("app_pages/funding_vs_need.py", actor=Actor("test-analyst", Role.ANALYST))
    decks = [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]
    assert len(decks) == 2
    assert all(d["initialViewState"]["zoom"] < 8.6 for d in decks)  # London's width fits half the page
    keys = [m.value for m in at.markdown if "darker is more" in m.value]
    assert len(keys) == 2
    assert keys[0].startswith("<div") and "£ per head: £0.00" in keys[0]
    assert "Need score: 0" in keys[1]
