"""Labels everywhere (issue 11, rule 5, outside the need scores pages): no page shows a code such as
``amount_awarded``, ``people_reached``, ``award_need_evidence`` or a snake_case status in its titles, text,
widget labels, options, metrics or table headers. Codes stay where a code is the point: in `code`
spans (CSV column names an import expects), file names, URLs and CSV downloads."""

from __future__ import annotations

import json
import re

import pytest

from vru_core.platform.auth import SYSTEM, Actor, Role

CODE = re.compile(r"(?<![\w./:=@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./(@-])")
PAGES = [  # (page, query)
    ("app_pages/register.py", {}),
    ("app_pages/award_new.py", {}),
    ("app_pages/award.py", {"id": "{award}"}),
    ("app_pages/import_awards.py", {}),
    ("app_pages/export.py", {}),
    ("app_pages/funding_vs_need.py", {}),
    ("app_pages/trends.py", {}),
    ("app_pages/sensitivity.py", {}),
    ("app_pages/measures.py", {}),
    ("app_pages/framework.py", {}),
    ("app_pages/objective.py", {"objective": "1"}),
    ("app_pages/indicators_entry.py", {}),
    ("app_pages/framework_admin.py", {}),
    ("app_pages/account.py", {}),
    ("app_pages/admin_users.py", {}),
    ("app_pages/audit.py", {}),
    ("app_pages/accessibility.py", {}),
]


def _without_code_spans(text: str) -> str:
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"<code>.*?</code>", " ", text, flags=re.S)
    return re.sub(r"https?://\S+|\S+\.(?:csv|json|xlsx|txt|toml|py)\b", " ", text)


def _table_headers(element) -> list[str]:
    config = json.loads(element.proto.columns or "{}")
    headers = []
    for name in element.value.columns:
        shown = config.get(f"name:{name}") or config.get(str(name)) or {}
        if shown.get("hidden"):
            continue
        headers.append(str(shown.get("label") or name))
    return headers


def shown_text(at) -> list[tuple[str, str]]:
    """(where, text) for everything a person reads on the page, code spans left out."""
    out: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [(kind, _without_code_spans(str(e.value))) for e in getattr(at, kind)]
    out += [("metric", f"{m.label} {m.value}") for m in at.metric]
    for kind in ("text_input", "number_input", "text_area", "date_input", "toggle", "checkbox", "button", "slider"):
        out += [(kind, str(w.label)) for w in getattr(at, kind)]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            out += [(kind, str(w.label))] + [(f"{kind} {w.label!r} option", str(o)) for o in w.options]
    out += [("tab", t.label) for t in at.tabs]
    out += [("expander", e.label) for e in at.expander]
    out += [("table header", h) for d in at.dataframe for h in _table_headers(d)]
    return out


@pytest.fixture
def award(engine) -> int:
    from vru_core.register.examples import load_examples
    from vru_core.register.query import load_register

    load_examples(engine=engine, actor=SYSTEM)
    return int(load_register(engine).awards.index.min())


@pytest.mark.parametrize(("page", "query"), PAGES, ids=[p[0].split("/")[1].removesuffix(".py") for p in PAGES])
def test_no_page_shows_an_internal_name(make_app, engine, award, page, query):
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    at = make_app(
        page, actor=Actor("test-admin", Role.ADMIN), query={k: v.format(award=award) for k, v in query.items()}
    )
    found = [(where, m.group(0), text[:80]) for where, text in shown_text(at) for m in CODE.finditer(text)]
    assert not found
