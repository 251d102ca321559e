"""The register page's database view against a plain pandas computation over the same awards, both stores."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import text

from tests.conftest import _copy_of
from tests.factories import approve, sample_award
from vru_core.platform.auth import SYSTEM, Actor, Role
from vru_core.platform.errors import Invalid
from vru_core.register import money
from vru_core.register.examples import example_csv
from vru_core.register.importer import import_csv
from vru_core.register.lifecycle import create_award
from vru_core.register.query import RegisterFilter, filter_register, load_register, totals
from vru_core.register.register_view import SORT_LABELS, filtered_awards, register_view
from vru_core.register.statuses import COMMITTED

CREATOR = Actor("view-tester", Role.COMMISSIONER)
HOSTILE = [
    "50% off_rate youth club",  # LIKE wildcards must match themselves
    "Élan Youth — Ünïcode",  # SQLite's lower() folds ASCII only
    "O'Brien's \"club\"; DROP TABLE award; --",
    "élan youth lower case",
    "Back\\slash and /slash",
]


@pytest.fixture(scope="module")
def store(template, tmp_path_factory):
    """One register, written once for the module: 120 examples of every status, hostile titles, pennies,
    payments, an EXAMPLE batch."""
    with _copy_of(template, tmp_path_factory.mktemp("view")) as engine:
        import_csv(engine=engine, actor=SYSTEM, content=example_csv(engine, count=120, seed=13, prefix="VIEW-"))
        import_csv(engine=engine, actor=SYSTEM, content=example_csv(engine, count=15, seed=5), is_example=True)
        for k, title in enumerate(HOSTILE):
            amount = ["1000.01", "0.99", "12345.67", "0.01", "200000.10"][k]
            data = sample_award(engine, title=title, amount_awarded=amount, award_date=f"2026-04-{10 + k}")
            award_id = create_award(engine=engine, actor=CREATOR, data=data)
            if k % 2 == 0:
                approve(engine, award_id)
                money.add_payment(
                    engine=engine, actor=CREATOR, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "0.33"}
                )
        yield engine


@pytest.fixture(scope="module")
def data(store):
    return load_register(store)


def _plain(data, flt: RegisterFilter) -> pd.DataFrame:
    """The same filter written out in pandas from the loaded tables (the reference)."""
    a, objectives, areas = data.awards, data.objectives, data.areas
    keep = pd.Series(True, index=a.index)
    for column, chosen in (
        ("funding_stream", flt.funding_streams),
        ("priority_area", flt.priority_areas),
        ("status", flt.statuses),
    ):
        if chosen:
            keep &= a[column].isin(chosen)
    if not flt.include_examples:
        keep &= ~a["is_example"]
    if flt.date_from:
        keep &= a["award_date"].dt.date >= flt.date_from
    if flt.date_to:
        keep &= a["award_date"].dt.date <= flt.date_to
    if flt.objectives:
        keep &= a.index.isin(objectives[objectives["objective_number"].isin(flt.objectives)]["award_id"])
    if flt.boroughs:
        keep &= a.index.isin(areas[areas["borough_code"].isin(flt.boroughs)]["award_id"])
    if flt.wards:
        keep &= a.index.isin(areas[areas["area_code"].isin(flt.wards)]["award_id"])
    if flt.text.strip():
        needle = flt.text.strip().lower()
        hay = zip(a["title"], a["recipient"], a["identifier"], strict=True)
        keep &= pd.Series([needle in f"{t} {r} {i}".lower() for t, r, i in hay], index=a.index)
    return a[keep]


def _cells(frame: pd.DataFrame) -> list[tuple]:
    """The values a page shows, blanks as None (an all-blank column's dtype differs with the rows loaded)."""
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples()]


def _cases(data) -> dict[str, RegisterFilter]:
    boroughs = tuple(sorted(data.areas["borough_code"].dropna().unique())[:3])
    ward = data.areas.loc[data.areas["area_type"] == "ward", "area_code"].iloc[0]
    return {
        "everything": RegisterFilter(),
        "one stream": RegisterFilter(funding_streams=("young_londoners_fund",)),
        "objectives 3 or 5": RegisterFilter(objectives=(3, 5)),
        "priority area": RegisterFilter(priority_areas=(data.awards["priority_area"].dropna().iloc[0],)),
        "boroughs include their wards": RegisterFilter(boroughs=boroughs),
        "one ward": RegisterFilter(wards=(ward,)),
        "statuses": RegisterFilter(statuses=("proposed", "withdrawn")),
        "date range": RegisterFilter(date_from=dt.date(2025, 6, 1), date_to=dt.date(2026, 3, 31)),
        "no examples": RegisterFilter(include_examples=False),
        "LIKE wildcard is literal": RegisterFilter(text="50% off_"),
        "percent alone": RegisterFilter(text="%"),
        "underscore alone": RegisterFilter(text="_"),
        "accented capital": RegisterFilter(text="ÉLAN"),
        "quote and SQL": RegisterFilter(text='"club"; drop table'),
        "backslash": RegisterFilter(text="back\\"),
        "recipient text": RegisterFilter(text=data.awards["recipient"].iloc[0][:6].upper()),
        "everything at once": RegisterFilter(
            funding_streams=("young_londoners_fund", "vru_core_budget"), objectives=(3, 5), boroughs=boroughs,
            statuses=tuple(COMMITTED), date_from=dt.date(2024, 1, 1),
        ),
        "nothing matches": RegisterFilter(text="no award is called this"),
    }


CASES = [
    "everything", "one stream", "objectives 3 or 5", "priority area", "boroughs include their wards", "one ward",
    "statuses", "date range", "no examples", "LIKE wildcard is literal", "percent alone", "underscore alone",
    "accented capital", "quote and SQL", "backslash", "recipient text", "everything at once", "nothing matches",
]


@pytest.mark.parametrize("case", CASES)
def test_the_view_counts_totals_and_pages_as_pandas_does(store, data, case):
    flt = _cases(data)[case]
    expected = _plain(data, flt)
    assert sorted(expected.index) == sorted(filter_register(data, flt).index)  # the export path agrees
    view = register_view(store, filters=flt, sort="award_date", descending=True, page=1, page_size=20)
    assert view.matched == len(expected)
    assert view.register_size == len(data.awards)
    want = totals(expected)
    assert {k: view.totals[k] for k in want} == pytest.approx(want, abs=0.001)
    newest = expected.assign(i=expected.index).sort_values(["award_date", "i"], ascending=False)
    assert list(view.rows.index) == list(newest.index[:20])
    if len(expected):
        same = data.awards.loc[view.rows.index]
        assert _cells(view.rows) == _cells(same)
    every = filtered_awards(store, filters=flt)
    assert list(every.index) == list(newest.index)


def test_the_cases_are_not_trivial(data):
    """Each case keeps some awards and drops others (else the comparison above proves little)."""
    for name, flt in _cases(data).items():
        n = len(_plain(data, flt))
        assert (n == 0) if name == "nothing matches" else (0 < n < len(data.awards)) or name == "everything", name
    assert len(_plain(data, RegisterFilter(text="élan"))) == 2  # the capital É matched the lower-case é


def test_totals_to_the_penny_in_pence(store):
    """Committed is approved, active and completed; proposed apart; withdrawn in neither; paid from payments."""
    view = register_view(store, filters=RegisterFilter(), page=1, page_size=1)
    with store.connect() as conn:
        rows = conn.execute(text("SELECT status, amount_pence FROM award")).all()
        paid = conn.execute(text("SELECT coalesce(sum(amount_pence), 0) FROM payment")).scalar_one()
    assert view.totals["committed_pence"] == sum(p for s, p in rows if s in COMMITTED)
    assert view.totals["proposed_pence"] == sum(p for s, p in rows if s == "proposed")
    assert view.totals["paid_pence"] == int(paid) == 3 * 33
    assert Decimal(view.totals["committed_pence"]) / 100 == Decimal(str(view.totals["committed"]))
    hostile = register_view(store, filters=RegisterFilter(text="off_rate youth"), page=1, page_size=5)
    assert hostile.totals["committed_pence"] == 100001 and hostile.totals["paid_pence"] == 33


@pytest.mark.parametrize("sort", list(SORT_LABELS))
@pytest.mark.parametrize("descending", [True, False])
def test_every_sort_orders_as_python_does_with_the_id_breaking_ties(store, data, sort, descending):
    column = {"amount": "amount", "recipient": "recipient"}.get(sort, sort)
    frame = data.awards.assign(i=data.awards.index)
    if pd.api.types.is_string_dtype(frame[column]):
        frame = frame.assign(k1=frame[column].str.lower(), k2=frame[column])
        keys = ["k1", "k2", "i"]
    else:
        keys = [column, "i"]
    expected = list(frame.sort_values(keys, ascending=not descending, kind="stable").index)
    seen = []
    for page in range(1, 4):
        seen += list(register_view(store, filters=RegisterFilter(), sort=sort, descending=descending,
                                   page=page, page_size=25).rows.index)
    assert seen == expected[:75]


def test_paging_edges(store, data):
    n = len(data.awards)
    size = 40
    pages = -(-n // size)
    last = register_view(store, filters=RegisterFilter(), page=pages, page_size=size)
    assert (last.page, last.pages, len(last.rows)) == (pages, pages, n - (pages - 1) * size)
    beyond = register_view(store, filters=RegisterFilter(), page=pages + 50, page_size=size)
    assert beyond.page == pages and list(beyond.rows.index) == list(last.rows.index)
    assert register_view(store, filters=RegisterFilter(), page=-3, page_size=size).page == 1
    one = register_view(store, filters=RegisterFilter(), page=1, page_size=1)
    assert (len(one.rows), one.pages) == (1, n)
    whole = register_view(store, filters=RegisterFilter(), page=1, page_size=1000)
    assert (len(whole.rows), whole.pages) == (n, 1)
    empty = register_view(store, filters=RegisterFilter(text="no award is called this"), page=3, page_size=size)
    assert (empty.matched, empty.page, empty.pages, len(empty.rows)) == (0, 1, 1, 0)
    assert empty.totals["committed"] == 0 and empty.totals["organisations"] == 0
    all_ids = []
    for page in range(1, pages + 1):
        all_ids += list(register_view(store, filters=RegisterFilter(), page=page, page_size=size).rows.index)
    assert sorted(all_ids) == sorted(data.awards.index)  # no award twice, none skipped


@pytest.mark.parametrize("size", [0, -1, 1001])
def test_a_page_size_out_of_range_is_refused(store, size):
    with pytest.raises(Invalid, match="A page holds 1 to 1,000 awards"):
        register_view(store, filters=RegisterFilter(), page=1, page_size=size)


@pytest.mark.parametrize("sort", ["description", "id; DROP TABLE award", "amount_pence", ""])
def test_an_unknown_sort_is_refused_by_name(store, sort):
    with pytest.raises(Invalid) as refused:
        register_view(store, filters=RegisterFilter(), sort=sort, page=1, page_size=10)
    assert f"cannot be sorted by {sort!r}" in str(refused.value)
    assert "Award date" in str(refused.value) and refused.value.problems[0].field == "sort"
    with pytest.raises(Invalid):
        filtered_awards(store, filters=RegisterFilter(), sort=sort)


def test_an_empty_register(engine):
    view = register_view(engine, filters=RegisterFilter(), page=1, page_size=50)
    assert (view.register_size, view.matched, view.pages, len(view.rows)) == (0, 0, 1, 0)
    assert view.first_date is None and view.totals["committed_pence"] == 0


def test_the_indexes_serve_the_filters_on_sqlite(store):
    """EXPLAIN QUERY PLAN names the 0015 indexes where the view's filters and default order use them."""
    if store.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan")
    with store.connect() as conn:
        def plan(sql: str) -> str:
            return " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))

        assert "ix_award_objective_objective_number" in plan(
            "SELECT award_id FROM award_objective WHERE objective_number IN (3, 5)"
        )
        # SQLite's award-date index carries the id already; PostgreSQL's plan needs (award_date, id).
        assert "ix_award_award_date" in plan("SELECT id FROM award ORDER BY award_date DESC, id DESC LIMIT 50")
        assert "ix_award_amount_pence" in plan("SELECT id FROM award ORDER BY amount_pence LIMIT 50")
        assert "ix_payment_award_id_amount_pence" in plan(
            "SELECT award_id, sum(amount_pence) FROM payment GROUP BY award_id"
        )


@pytest.mark.parametrize("sort", ["award_date", "title", "recipient", "paid"])
def test_a_text_search_pages_and_sorts_in_one_pass_as_pandas_does(store, data, sort):
    """A text search takes its own path (the text read once); its pages, order and clamping match too."""
    flt = RegisterFilter(text="youth")
    expected = _plain(data, flt).assign(i=lambda f: f.index)
    assert len(expected) > 12
    if pd.api.types.is_string_dtype(expected[sort if sort != "paid" else "i"]):
        expected = expected.assign(k1=expected[sort].str.lower(), k2=expected[sort])
        keys = ["k1", "k2", "i"]
    else:
        keys = [sort, "i"]
    order = list(expected.sort_values(keys, ascending=False).index)
    size = 5
    pages = -(-len(order) // size)
    seen = []
    for page in range(1, pages + 1):
        view = register_view(store, filters=flt, sort=sort, descending=True, page=page, page_size=size)
        assert (view.page, view.pages, view.matched) == (page, pages, len(order))
        seen += list(view.rows.index)
    assert seen == order
    beyond = register_view(store, filters=flt, sort=sort, descending=True, page=pages + 9, page_size=size)
    assert beyond.page == pages and list(beyond.rows.index) == order[(pages - 1) * size :]
    assert beyond.totals == register_view(store, filters=flt, page=1, page_size=size).totals
