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
