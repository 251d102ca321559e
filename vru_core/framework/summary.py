"""The one-page printable summary of the overview for board meetings (self-contained HTML, A4 landscape)."""

from __future__ import annotations

import datetime as dt
import html
import re

from vru_core.framework import rag
from vru_core.framework.indicators import Overview, format_value

_BADGE = {"on_track": "#1b7f3b", "at_risk": "#c77700", "off_track": "#b3261e", "not_rated": "#6b6b6b"}

_CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font: 8.5pt/1.25 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #111; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2px; } h2 { font-size: 11pt; margin: 8px 0 3px; }
p.meta { color: #555; margin: 0 0 6px; } p.rule { font-size: 7.5pt; color: #333; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; } th, td { padding: 1px 4px; border-bottom: 1px solid #ddd;
text-align: left; vertical-align: top; } th { font-size: 8pt; color: #444; } td.num { text-align: right; }
span.badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 8pt;
white-space: nowrap; } div.cols { display: flex; gap: 14px; } div.cols > div { flex: 1; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _badge(status: str) -> str:
    label = rag.Rag(status).label
    return f'<span class="badge" style="background:{_BADGE[status]}">{html.escape(label)}</span>'


def _md_to_html(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))


def summary_html(overview: Overview, generated: dt.date | None = None) -> str:
    need = overview.need
    generated = generated or dt.date.today()
    e = html.escape
    aims = "".join(
        f"<tr><td>{e(a.title)}</td><td>{_badge(a.status)}</td>"
        f"<td class=num>{a.n_on_track}/{a.n_at_risk}/{a.n_off_track}/{a.n_not_rated}</td></tr>"
        for a in overview.aims.itertuples()
    )
    objectives = "".join(
        f"<tr><td>{o.number}</td><td>{e(o.title)}</td><td>{_badge(o.status)}</td>"
        f"<td class=num>{o.n_on_track}/{o.n_at_risk}/{o.n_off_track}/{o.n_not_rated}</td>"
        f"<td class=num>{format_value(o.money, 'gbp')}</td><td class=num>{o.active_awards}</td></tr>"
        for o in overview.objectives.itertuples()
    )
    ind = overview.indicators
    rated = ind[ind["status"] != "not_rated"]
    indicators = "".join(
        f"<tr><td>{e(r['name'])}</td><td>{_badge(r['status'])}</td>"
        f"<td class=num>{format_value(r['latest'], r['unit'])}</td><td>{e(str(r['latest_period'] or ''))}</td>"
        f"<td class=num>{format_value(r['baseline'], r['unit'])}</td>"
        f"<td class=num>{format_value(r['target'], r['unit'])}</td><td>{e(r['reason'])}</td></tr>"
        for _, r in rated.iterrows()
    )
    awaiting = ", ".join(e(n) for n in ind.loc[ind["status"] == "not_rated", "name"])
    money = ""
    if need is not None and need.money_placed:
        money = (
            f"<p><b>Money to the highest-need wards:</b> {format_value(need.share, 'percent')} of the "
            f"{format_value(need.money_placed, 'gbp')} of committed money placed on wards goes to the {need.top_n} "
            f"wards in the top 10% by need score (default profile); an even spread would give "
            f"{format_value(need.even_share * 100, 'percent')}. London-wide awards: "
            f"{format_value(need.london_wide, 'gbp')}.</p>"
        )
    if overview.register.n_examples:
        money += f"<p><b>Includes {overview.register.n_examples} EXAMPLE awards</b> (made-up data).</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VRU performance summary {generated:%d %B %Y}</title>
<style>{_CSS}</style></head><body>
<h1>London VRU: performance against the strategy</h1>
<p class="meta">Summary for the board, {generated:%d %B %Y}. Counts are on track / at risk / off track / not rated.</p>
<div class="cols"><div>
<h2>Aims</h2><table><tr><th>Aim</th><th>Rating</th><th>Indicators</th></tr>{aims}</table>
{money}
</div><div>
<h2>Objectives</h2><table><tr><th>#</th><th>Objective</th><th>Rating</th><th>Indicators</th>
<th>Committed</th><th>Active awards</th></tr>{objectives}</table>
</div></div>
<h2>Rated indicators</h2>
<table><tr><th>Indicator</th><th>Rating</th><th>Latest</th><th>Period to</th><th>Baseline</th><th>Target</th>
<th>Why</th></tr>{indicators}</table>
<p class="rule"><b>Not yet rated</b> (no baseline, target or recent value): {awaiting or "none"}.</p>
<p class="rule"><b>How ratings are set.</b> {_md_to_html(rag.describe(overview.thresholds))}</p>
</body></html>"""
