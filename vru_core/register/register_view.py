"""The register page's read, in the database: filter, sort, count, total and page with SQL, so a view of
100,000 awards never loads them all. The same filters as `query.filter_register` (which works on the
whole register in memory, for exports), the same totals as `query.totals`, on SQLite and PostgreSQL.

Indexes that serve it (migration 0015): award status, stream, priority area, award date (with id for the
default order), example flag; award_objective by objective; award_area by area; ward by borough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, case, exists, false, func, select, true

from vru_core.models import Award, AwardArea, AwardObjective, Organisation, Payment, Ward
from vru_core.platform.errors import Invalid, Problem
from vru_core.register.query import RegisterFilter, award_select, awards_frame, paid_per_award, paid_subquery
from vru_core.register.statuses import COMMITTED

# What the page may sort by (label shown to people -> column); nothing else reaches ORDER BY.
SORT_LABELS = {
    "award_date": "Award date",
    "amount": "Amount",
    "paid": "Paid",
    "title": "Title",
    "recipient": "Recipient",
    "identifier": "Identifier",
    "status": "Status",
    "planned_start": "Start",
    "planned_end": "End",
}
MAX_PAGE_SIZE = 1_000


@dataclass(frozen=True)
class RegisterPage:
    """One page of the filtered register. `rows`: that page only, columns as `query.load_register`'s awards.
    `matched`: awards matching the filter; `register_size`: all awards. `totals`: as `query.totals` (pounds),
    with `*_pence` integers for the exact sums. `page` is the page shown (a page past the end shows the last)."""

    rows: pd.DataFrame
    matched: int
    register_size: int
    page: int
    pages: int
    page_size: int
    totals: dict
    first_date: object  # earliest and latest award date in the whole register (the date filter's defaults)
    last_date: object


def _lower(conn, column):
    """Lower case exactly as Python's str.lower. PostgreSQL's lower() follows the database's character
    type (UTF-8 locales fold every letter). SQLite's lower() folds ASCII only, so 'É' would miss 'é': there
    the connection gets Python's str.lower as a function (as fast as SQLite's LIKE on the same text)."""
    if conn.dialect.name != "sqlite":
        return func.lower(column)
    conn.connection.dbapi_connection.create_function(
        "vru_lower", 1, lambda s: None if s is None else s.lower(), deterministic=True
    )
    return func.vru_lower(column)


def conditions(conn, flt: RegisterFilter) -> list:
    """WHERE clauses for the filter on a query over Award joined to Organisation."""
    where: list = []
    if flt.funding_streams:
        where.append(Award.funding_stream_code.in_(flt.funding_streams))
    if flt.priority_areas:
        where.append(Award.priority_area_code.in_(flt.priority_areas))
    if flt.statuses:
        where.append(Award.status.in_(flt.statuses))
    if not flt.include_examples:
        where.append(Award.is_example == false())
    if flt.date_from is not None:
        where.append(Award.award_date >= flt.date_from)
    if flt.date_to is not None:
        where.append(Award.award_date <= flt.date_to)
    if flt.objectives:
        where.append(
            exists().where(
                and_(AwardObjective.award_id == Award.id, AwardObjective.objective_number.in_(flt.objectives))
            )
        )
    if flt.boroughs:
        # A borough matches awards at that borough and ward-level awards in it. Its wards are listed first,
        # so the one IN over area codes uses the award_area index (an OR with a subquery scans the table).
        wards = conn.execute(select(Ward.code).where(Ward.borough_code.in_(flt.boroughs))).scalars().all()
        codes = sorted({*flt.boroughs, *wards})
        where.append(exists().where(and_(AwardArea.award_id == Award.id, AwardArea.area_code.in_(codes))))
    if flt.wards:
        where.append(exists().where(and_(AwardArea.award_id == Award.id, AwardArea.area_code.in_(flt.wards))))
    needle = flt.text.strip().lower()
    if needle:
        hay = _lower(conn, Award.title + " " + Organisation.name + " " + Award.identifier)
        where.append(hay.contains(needle, autoescape=True))
    return where


def _text_key(conn, column) -> list:
    """Text sorts as Python sorts lower-cased text, then the text itself, by code point on both stores
    (PostgreSQL's default collation would otherwise order differently from SQLite's)."""
    if conn.dialect.name == "postgresql":
        return [_lower(conn, column).collate("C"), column.collate("C")]
    return [_lower(conn, column), column]


def _order(conn, sort: str, descending: bool):
    columns = {
        "award_date": Award.award_date,
        "amount": Award.amount_pence,
        "paid": paid_per_award(),
        "title": Award.title,
        "recipient": Organisation.name,
        "identifier": Award.identifier,
        "status": Award.status,
        "planned_start": Award.planned_start,
        "planned_end": Award.planned_end,
    }
    if sort not in columns:
        message = f"The register cannot be sorted by {sort!r}. Sort by one of: {', '.join(SORT_LABELS.values())}."
        raise Invalid([Problem(None, "sort", message)], message)
    text = sort in ("title", "recipient", "identifier", "status")
    # The id breaks ties, so pages never overlap or skip.
    keys = [*(_text_key(conn, columns[sort]) if text else [columns[sort]]), Award.id]
    return [k.desc() for k in keys] if descending else [k.asc() for k in keys]


def _matching(conn, flt: RegisterFilter, *columns, sort_needs=frozenset()):
    """SELECT columns FROM award (joined to organisation only if the text search or the sort reads it)."""
    query = select(*columns).select_from(Award)
    if flt.text.strip() or "recipient" in sort_needs:
        query = query.join(Organisation, Organisation.id == Award.organisation_id)
    return query.where(*conditions(conn, flt))


def _aggregates(paid) -> list:
    """What `query.totals` counts, in pence, as SQL aggregates over matching award rows; `paid` is the
    pence paid on them all (a scalar subquery over the payment table)."""
    committed, proposed = Award.status.in_(COMMITTED), Award.status == "proposed"
    return [
        func.count(Award.id),
        func.sum(case((committed, Award.amount_pence))),
        func.count(case((committed, Award.id))),
        func.sum(case((proposed, Award.amount_pence))),
        func.count(case((proposed, Award.id))),
        paid,
        func.count(func.distinct(Award.organisation_id)),  # one organisation row per org-id (it is unique)
    ]


def _paid(ids):
    """Pence paid on the awards `ids` selects (None: on every award), read from the payment index."""
    paid = select(func.sum(Payment.amount_pence))
    return (paid if ids is None else paid.where(Payment.award_id.in_(ids))).scalar_subquery()


def _totals(row) -> dict:
    """The aggregates' row as `query.totals`'s dict (pounds), with the exact pence beside."""
    n, committed_p, n_committed, proposed_p, n_proposed, paid_p, n_orgs = (int(x or 0) for x in row)
    return {
        "awards": n,
        "committed": committed_p / 100,
        "committed_pence": committed_p,
        "committed_awards": n_committed,
        "proposed": proposed_p / 100,
        "proposed_pence": proposed_p,
        "proposed_awards": n_proposed,
        "paid": paid_p / 100,
        "paid_pence": paid_p,
        "organisations": n_orgs,
    }


def _one_pass(conn, flt: RegisterFilter, sort: str, order: list, page: int, page_size: int):
    """A text search reads every award's text once: the matching ids are kept (a CTE used twice, which
    both stores materialise) and the totals and the page come from them in one statement."""
    matched = _matching(conn, flt, Award.id.label("id"), sort_needs={sort}).cte("matched")
    t = select(*_aggregates(_paid(select(matched.c.id)))).where(Award.id.in_(select(matched.c.id))).subquery("t")
    ids = select(Award.id.label("pid"), func.row_number().over(order_by=order).label("pos")).join(
        matched, matched.c.id == Award.id
    )
    if sort == "recipient":
        ids = ids.join(Organisation, Organisation.id == Award.organisation_id)
    while True:
        p = ids.order_by(*order).limit(page_size).offset((page - 1) * page_size).subquery("p")
        r = award_select().add_columns(p.c.pos).join(p, p.c.pid == Award.id).subquery("r")
        result = conn.execute(select(t, r).select_from(t.outerjoin(r, true())).order_by(r.c.pos)).all()
        totals = _totals(result[0][:7])
        last = max(1, math.ceil(totals["awards"] / page_size))
        if page <= last:  # else the page asked for is past the end (fewer matches now): show the last
            return totals, page, [row[7:-1] for row in result if row[7] is not None]
        page = last


def register_extent(engine: Engine) -> tuple[int, object, object]:
    """(awards in the register, earliest award date, latest award date): cheap, from the award-date index."""
    with engine.connect() as conn:
        n, first, last = conn.execute(
            select(func.count(Award.id), func.min(Award.award_date), func.max(Award.award_date))
        ).one()
    return int(n), first, last


def register_view(
    engine: Engine, *, filters: RegisterFilter, sort: str = "award_date", descending: bool = True,
    page: int = 1, page_size: int = 50,
) -> RegisterPage:
    """One page of the awards matching `filters`, sorted by a whitelisted column (see SORT_LABELS), with the
    count and totals of the whole filtered set. Refuses an unknown sort or a page size outside 1..1,000.
    The page's ids are found first over the indexes alone; only those rows are then joined and read."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        message = f"A page holds 1 to {MAX_PAGE_SIZE:,} awards, not {page_size}."
        raise Invalid([Problem(None, "page_size", message)], message)
    size, first, last = register_extent(engine)
    with engine.connect() as conn:
        order = _order(conn, sort, descending)
        if filters.text.strip():
            totals, page, rows = _one_pass(conn, filters, sort, order, max(1, int(page)), page_size)
        else:
            ids = _matching(conn, filters, Award.id) if conditions(conn, filters) else None
            totals = _totals(conn.execute(_matching(conn, filters, *_aggregates(_paid(ids)))).one())
            page = min(max(1, int(page)), max(1, math.ceil(totals["awards"] / page_size)))
            ids = _matching(conn, filters, Award.id, sort_needs={sort})
            ids = ids.order_by(*order).limit(page_size).offset((page - 1) * page_size).subquery()
            rows = conn.execute(award_select().join(ids, ids.c.id == Award.id).order_by(*order)).all()
    pages = max(1, math.ceil(totals["awards"] / page_size))
    return RegisterPage(
        rows=awards_frame(rows), matched=totals["awards"], register_size=size, page=page, pages=pages,
        page_size=page_size, totals=totals, first_date=first, last_date=last,
    )


def filtered_awards(engine: Engine, *, filters: RegisterFilter, sort: str = "award_date",
                    descending: bool = True) -> pd.DataFrame:
    """Every award matching `filters` in the page's order: the export path (CSV of the filtered rows)."""
    paid = paid_subquery()
    with engine.connect() as conn:
        order = _order(conn, sort, descending)
        rows = conn.execute(award_select(paid).where(*conditions(conn, flt=filters)).order_by(*order)).all()
    return awards_frame(rows)
