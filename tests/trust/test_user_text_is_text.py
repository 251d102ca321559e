"""Rule 6: user text is text. Titles, descriptions, organisation names, measure labels and sources,
objectives, indicators, funding streams and priority areas are never rendered as Markdown or HTML:
no remote image is fetched, no link is built, nothing is bold, in any title, caption, label, tooltip,
metric label, alert or map tooltip of any page.

One helper does it (`ui.text.plain`); a CommonMark/GFM renderer proves what it produces renders to the
literal text, and AppTest walks every element of every page with hostile text in every field shown.
"""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from tests.factories import approve, sample_award
from ui.text import plain
from vru_core.framework import structure
from vru_core.needs.measures import add_measure, load_measure_frame
from vru_core.needs.profiles import save_profile
from vru_core.needs.scoring import Profile
from vru_core.platform.auth import Actor, Role
from vru_core.register import lifecycle

ADMIN = Actor("text-admin", Role.ADMIN)
IMAGE = "![x](http://evil.invalid/x.png)"
TAG = "<img src=x onerror=alert(1)>"
LINK = "[link](javascript:alert(1))"
BOLD = "**bold**"
FORMULA = '=HYPERLINK("http://evil.invalid","x")'
HOSTILE = [IMAGE, TAG, LINK, BOLD, FORMULA]
MORE_MARKDOWN = [
    "http://evil.invalid/autolink",
    "www.evil.invalid",
    "someone@evil.invalid",
    "# a heading",
    "- a list",
    "1. a list",
    "> a quote",
    "| a | b |",
    "`code`",
    "$x^2$",
    ":red[colour] :material/home:",
    "~~struck~~",
    "<script>alert(1)</script>",
    "a \\*literal\\* backslash",
    "&amp; &lt;",
    "line\nbreak",
]
_markdown = MarkdownIt("gfm-like")


@pytest.mark.parametrize("text", HOSTILE + MORE_MARKDOWN)
def test_plain_renders_to_exactly_the_text_typed(text):
    rendered = _markdown.render(plain(text)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered  # one paragraph, nothing else
    inner = rendered[3:-4]
    assert "<" not in inner, rendered  # no element built from the text: no img, a, strong, script...
    assert html.unescape(inner) == text.replace("\n", " ")  # and the reader sees exactly what was typed


# ---- every page, every element ---------------------------------------------------------------------------

PAGES = [
    ("app_pages/need_scores.py", {}),
    ("app_pages/sensitivity.py", {}),
    ("app_pages/trends.py", {}),
    ("app_pages/measures.py", {}),
    ("app_pages/register.py", {}),
    ("app_pages/award.py", {"id": "AWARD"}),
    ("app_pages/award_new.py", {}),
    ("app_pages/import_awards.py", {}),
    ("app_pages/export.py", {}),
    ("app_pages/funding_vs_need.py", {}),
    ("app_pages/framework.py", {}),
    ("app_pages/objective.py", {"objective": "2"}),
    ("app_pages/indicators_entry.py", {}),
    ("app_pages/framework_admin.py", {}),
    ("app_pages/account.py", {}),
    ("app_pages/admin_users.py", {}),
    ("app_pages/audit.py", {}),
]
# Rendered as Markdown by Streamlit: bodies of text elements, widget and block labels, tooltips.
MARKDOWN_FIELDS = {"body", "label", "help"}
PLAIN_ELEMENTS = {"arrow_data_frame", "dataframe", "code", "text", "json", "vega_lite_chart", "deck_gl_json_chart"}


def _strings(message, fields=MARKDOWN_FIELDS) -> Iterator[str]:
    for descriptor, value in message.ListFields():
        if descriptor.type == descriptor.TYPE_MESSAGE:
            values = [value] if hasattr(value, "ListFields") else list(value)
            for item in values:
                yield from _strings(item, fields)
        elif descriptor.name in fields and isinstance(value, str):
            yield value
        elif descriptor.name == "options" and descriptor.containing_type.name == "Radio":
            yield from value  # radio options are Markdown too


def _walk(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    texts = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "type", "") in PLAIN_ELEMENTS:
            continue
        texts += list(_strings(proto))
    return texts


@pytest.fixture
def hostile_store(engine):
    award_id = lifecycle.create_award(
        engine=engine,
        actor=ADMIN,
        data=sample_award(engine, title=IMAGE, description=TAG, recipient_name=LINK),
    )
    approve(engine, award_id)
    frame = load_measure_frame(engine)
    values = "area_code,value\n" + "".join(f"{c},{n}\n" for n, c in enumerate(frame.wards.index))
    definition = {
        "code": "hostile_measure",
        "label": BOLD,
        "family": "crime",
        "unit": "%",
        "direction": "high_is_worse",
        "geography": "ward",
        "source": IMAGE,
        "publisher": TAG,
        "period": LINK,
        "licence": FORMULA,
        "notes": TAG,
    }
    add_measure(engine=engine, actor=ADMIN, definition=definition, data=values.encode())
    structure.update_objective(
        engine=engine,
        actor=ADMIN,
        number=2,
        version=1,
        title=LINK,
        tagline=IMAGE,
        commitments=[TAG, BOLD],
        aims=["reduce_violence"],
    )
    structure.update_indicator(
        engine=engine,
        actor=ADMIN,
        code="vwi_12m",
        version=1,
        changes={"name": IMAGE, "source": LINK, "notes": TAG, "target_note": BOLD, "description": FORMULA},
    )
    structure.update_priority_area(
        engine=engine, actor=ADMIN, code="after_school", version=1, title=TAG, objective_number=2
    )
    structure.save_funding_stream(
        engine=engine, actor=ADMIN, code="young_londoners_fund", name=BOLD, notes=IMAGE, active=True, version=1
    )
    save_profile(engine=engine, actor=ADMIN, name=LINK, profile=Profile(), description=IMAGE)
    return engine, award_id


def _open(make_app, page: str, query: dict) -> AppTest:
    at = make_app(page, actor=ADMIN, query=query)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(("page", "query"), PAGES, ids=[p.split("/")[-1] for p, _ in PAGES])
def test_hostile_text_in_every_field_is_shown_as_text_on_every_page(hostile_store, make_app, page, query):
    engine, award_id = hostile_store
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the store")
    query = {k: str(award_id) if v == "AWARD" else v for k, v in query.items()}
    at = _open(make_app, page, query)
    texts = markdown_texts(at)
    rendered = [t for t in texts for h in HOSTILE if h in t]
    assert not rendered, f"{page} renders user text as Markdown: {rendered[:3]}"
    for deck in at.get("deck_gl_json_chart"):  # map tooltips are HTML: every value in them is escaped
        assert not any(h in deck.proto.json for h in (TAG, IMAGE)), f"{page}: raw user text in a map"


SHOWN = [
    ("app_pages/award.py", {"id": "AWARD"}, IMAGE),  # the award's title, as its page title
    ("app_pages/award.py", {"id": "AWARD"}, LINK),  # the recipient, in the caption
    ("app_pages/need_scores.py", {}, BOLD),  # the measure's label, as its slider label
    ("app_pages/need_scores.py", {}, IMAGE),  # its source, in the slider's tooltip
    ("app_pages/objective.py", {"objective": "2"}, LINK),  # the objective's title
    ("app_pages/objective.py", {"objective": "2"}, TAG),  # a commitment, and the indicator's notes
    ("app_pages/framework.py", {}, IMAGE),  # the indicator's name on the card
]


@pytest.mark.parametrize(("page", "query", "text"), SHOWN, ids=[f"{p.split('/')[-1]}-{t[:6]}" for p, _, t in SHOWN])
def test_the_text_is_still_shown_exactly_as_typed(hostile_store, make_app, page, query, text):
    engine, award_id = hostile_store
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the store")
    query = {k: str(award_id) if v == "AWARD" else v for k, v in query.items()}
    at = _open(make_app, page, query)
    assert any(plain(text) in t for t in markdown_texts(at)), f"{text!r} is not shown on {page}"


def test_map_tooltips_escape_the_measure_labels(hostile_store, make_app):
    engine, _ = hostile_store
    if engine.dialect.name != "sqlite":
        pytest.skip("rendering does not depend on the store")
    from vru_core.needs.maps import choropleth_deck, ward_features

    features = ward_features(engine)
    scores = load_measure_frame(engine).values["hostile_measure"]
    deck = choropleth_deck(features, scores, label=TAG, details=scores.map(lambda v: TAG))
    spec = deck.to_json()
    assert TAG not in spec and html.escape(TAG) in spec
