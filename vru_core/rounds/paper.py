"""The panel's paper: applications ranked by weighted score, with the cumulative amount against the budget line.

An application's points on a criterion are the mean of its assessors' scores (0-5); on need, its
computed need points. Its weighted score, out of 100, is 100 x sum(weight x points) / (5 x sum of
weights). Applications whose scored criteria all have at least one score come first, best first (ties:
higher need figure, then reference); the rest follow, marked "not fully assessed". The cumulative
amount runs down the ranked list; "within budget" says whether it is still inside the round's budget
line. The CSV escapes formula-like text; the printable HTML escapes every piece of user text.
"""

from __future__ import annotations

import html

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session

from vru_core.platform.csvsafe import escape_line, safe_csv
from vru_core.register.validation import to_pounds
from vru_core.rounds.applications import list_applications
from vru_core.rounds.assessment import scored_criteria, scores_frame
from vru_core.rounds.need import METHOD
from vru_core.rounds.rounds import NEED, SCALE_MAX, find_round, round_dict

DECISIONS = {"fund": "Fund", "reserve": "Reserve", "decline": "Decline", "": "Not decided"}


def paper(engine: Engine, round_ref: int | str) -> tuple[dict, pd.DataFrame]:
    """(the round, one row per application in ranked order)."""
    with Session(engine) as session:
        rnd = find_round(session, round_ref)
        info, criteria, scored = {"id": rnd.id, **round_dict(rnd)}, list(rnd.criteria), scored_criteria(rnd)
    applications = list_applications(engine, info["id"])
    scores = scores_frame(engine, info["id"])
    means = scores.groupby(["application_id", "criterion"])["score"].mean() if not scores.empty else pd.Series()
    counts = scores.groupby("application_id")["assessor"].nunique() if not scores.empty else pd.Series()
    total_weight = sum(c["weight"] for c in criteria) or 1
    rows = []
    for a in applications:
        points: dict[str, float | None] = {NEED: a.need_points}
        for c in scored:
            key = (a.id, c["code"])
            points[c["code"]] = float(means[key]) if key in means.index else None
        complete = all(points[c["code"]] is not None for c in scored)
        weighted = (
            round(100 * sum(c["weight"] * points[c["code"]] for c in criteria) / (SCALE_MAX * total_weight), 2)
            if complete
            else None
        )
        rows.append(
            {
                "application_id": a.id,
                "reference": a.reference,
                "applicant": a.applicant.get("name", ""),
                "applicant_org_id": a.applicant_org_id,
                "project": a.project_title,
                "amount_requested": to_pounds(a.amount_pence),
                "need_figure": round(a.need_figure, 4),
                **{f"points_{code}": None if p is None else round(p, 2) for code, p in points.items()},
                "weighted_score": weighted,
                "assessors": int(counts.get(a.id, 0)),
                "complete": complete,
                "decision": a.decision,
                "decision_reason": a.decision_reason,
                "award_id": a.award_id,
                "_pence": a.amount_pence,
            }
        )
    rows.sort(key=lambda r: (not r["complete"], -(r["weighted_score"] or 0), -r["need_figure"], r["reference"]))
    running = 0
    for rank, r in enumerate(rows, start=1):
        running += r.pop("_pence")
        r["rank"] = rank
        r["cumulative_amount"] = to_pounds(running)
        r["within_budget"] = r["cumulative_amount"] <= info["budget"]
    columns = [
        "rank",
        "reference",
        "applicant",
        "applicant_org_id",
        "project",
        "amount_requested",
        "need_figure",
        *[f"points_{c['code']}" for c in criteria],
        "weighted_score",
        "assessors",
        "complete",
        "cumulative_amount",
        "within_budget",
        "decision",
        "decision_reason",
        "award_id",
        "application_id",
    ]
    return info, pd.DataFrame(rows, columns=columns)


def paper_csv(engine: Engine, round_ref: int | str) -> bytes:
    """The paper as CSV: two '# ' lines naming the round and its budget line, then the ranked table."""
    info, table = paper(engine, round_ref)
    head = (
        f"# {info['code']} {info['title']}: {info['financial_year']}, budget line £{info['budget']:,}\n"
        f"# weighted score out of 100; {METHOD}\n"
    )
    lines = "".join(escape_line(line) + "\n" for line in head.splitlines())
    body = safe_csv(table.drop(columns=["application_id"]))
    return lines.encode("utf-8-sig") + body.removeprefix("\ufeff".encode())


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(str(value))


def paper_html(engine: Engine, round_ref: int | str) -> str:
    """A self-contained printable page (A4 landscape); every piece of user text is escaped."""
    info, table = paper(engine, round_ref)
    labels = {c["code"]: c["label"] for c in info["criteria"]}
    point_columns = [f"points_{c['code']}" for c in info["criteria"]]
    head = ["Rank", "Ref", "Applicant", "Project", "Requested (£)", "Need figure"]
    head += [
        f"{labels[c.removeprefix('points_')]} ({w['weight']}%)"
        for c, w in zip(point_columns, info["criteria"], strict=True)
    ]
    head += ["Weighted (of 100)", "Assessors", "Cumulative (£)", "Within budget", "Decision"]
    body = []
    for _, r in table.iterrows():
        cells = [
            r["rank"],
            r["reference"],
            r["applicant"],
            r["project"],
            f"{r['amount_requested']:,}",
            r["need_figure"],
        ]
        cells += [r[c] for c in point_columns]
        cells += [
            r["weighted_score"] if r["complete"] else "not fully assessed",
            r["assessors"],
            f"{r['cumulative_amount']:,}",
            r["within_budget"],
            DECISIONS.get(r["decision"], r["decision"]),
        ]
        style = "" if r["within_budget"] else ' class="over"'
        body.append(f"<tr{style}>" + "".join(f"<td>{_cell(c)}</td>" for c in cells) + "</tr>")
    example = "<p class='example'>EXAMPLE round: made-up data, never published.</p>" if info["is_example"] else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Panel paper: {html.escape(info["code"])}</title>
<style>@page {{ size: A4 landscape; margin: 12mm; }} body {{ font-family: sans-serif; font-size: 10pt; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #999; padding: 3px 5px; }}
th {{ background: #eee; }} tr.over td {{ color: #777; }} .example {{ color: #a00; font-weight: bold; }}</style>
</head><body>
<h1>Panel paper: {html.escape(info["code"])} {html.escape(info["title"])}</h1>
{example}
<p>Financial year {html.escape(info["financial_year"])}; budget line £{info["budget"]:,}; {len(table)} applications.
Ranked by weighted score out of 100 (criteria and weights frozen when the round opened on
{html.escape(str(info["opened_at"])[:10])}). {html.escape(METHOD)} Greyed rows fall outside the budget line.</p>
<table><thead><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in head)}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
</body></html>
"""
