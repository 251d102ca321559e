"""Impact estimates on the pages: the award page's Impact tab and the Impact by stream, objective and round page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cached import labels
from ui.session import engine
from ui.text import plain
from vru_core.impact import awards as impact
from vru_core.impact import text
from vru_core.impact.chart import chart_table, describe, impact_chart
from vru_core.impact.panel import DEFAULT_OUTCOME, OUTCOMES, load_panel
from vru_core.impact.synth import CannotEstimate
from vru_core.register.query import load_register, register_version
from vru_core.rounds import award_ids as round_award_ids


def _data_key(outcome: str) -> str:
    return repr(load_panel(outcome).key)


@st.cache_data(show_spinner="Estimating: fitting the comparison and its placebos (a few seconds)…", max_entries=256)
def _award_estimate(_engine, url: str, register: str, data: str, award_id: int, outcome: str):
    try:
        return impact.estimate_award(_engine, award_id, outcome, register=load_register(_engine))
    except CannotEstimate as exc:
        return str(exc)


@st.cache_data(show_spinner="Estimating every award in the group (a few seconds each, once)…", max_entries=64)
def _group_estimate(_engine, url: str, register: str, data: str, kind: str, value, outcome: str):
    reg = load_register(_engine)
    if kind == "round":
        ids = impact.group_awards(reg, among=round_award_ids(_engine, value))
    else:
        ids = impact.group_awards(reg, **{kind: value})
    try:
        return impact.estimate_for_awards(_engine, ids, outcome, register=reg, label=f"{kind} {value}")
    except CannotEstimate as exc:
        return str(exc)


def _keys(outcome: str) -> tuple:
    store = engine()
    return store, str(store.url), register_version(store), _data_key(outcome)


def outcome_picker(key: str) -> str:
    return st.selectbox("Offence", list(OUTCOMES), format_func=OUTCOMES.get, key=key, index=0)


def render(result, outcome: str, key: str) -> None:
    """Headline figures, the chart with its description and table, the method and caveats."""
    if isinstance(result, str):
        st.info(f"**Cannot estimate yet.** {plain(result)}", icon=":material/hourglass_empty:")
        return
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Change against the comparison", f"{result.effect_pct:+.1f}%")
    m2.metric("90% interval", f"{result.ci_low_pct:+.0f}% to {result.ci_high_pct:+.0f}%")
    m3.metric("p-value", f"{result.p_value:.2f}", help="Share of placebo awards at least as unusual (two-sided)")
    fit = getattr(result, "fit_ratio", None)
    m4.metric(
        "Months before / after",
        f"{result.pre_months} / {result.post_months}",
        help=None if fit is None else f"Pre-period fit ratio {fit:.2f} (refused above 2)",
    )
    st.caption(f"{text.periods(result)} {text.SOURCE}")
    verdict = (
        "The change is larger than chance alone usually gives (p < 0.10)."
        if result.p_value < 0.10
        else "The change is within what chance alone often gives: no clear effect either way."
    )
    st.markdown(
        f"{verdict} {len(result.treated_wards)} funded wards against {len(result.donor_wards)} comparison wards."
    )
    for note in result.notes:
        st.caption(plain(note))
    st.altair_chart(impact_chart(result.series, outcome), width="stretch", key=f"{key}_chart")
    st.caption(describe(result, outcome) + " " + text.SOURCE)
    if st.toggle("Show as table", key=f"{key}_table"):
        st.dataframe(chart_table(result.series), hide_index=True, width="stretch")
    st.markdown("**Regression to the mean.** " + text.REGRESSION_TO_THE_MEAN)
    with st.expander("Method: how the estimate is made"):
        st.markdown(f"*{text.QUESTION}*\n\n" + text.METHOD_MARKDOWN)
    st.markdown("**Caveats**\n" + "\n".join(f"- {c}" for c in text.CAVEATS))


def _weights_table(result) -> pd.DataFrame:
    names = labels()["wards"]
    return pd.DataFrame(
        {"Comparison ward": [names.get(c, c) for c in result.weights.index], "Weight": result.weights.round(3).values}
    )


def award_tab(award_id: int) -> None:
    """The award page's Impact tab."""
    st.caption(text.QUESTION)
    outcome = outcome_picker(f"impact_outcome_{award_id}")
    result = _award_estimate(*_keys(outcome), award_id, outcome)
    render(result, outcome, key=f"impact_{award_id}")
    if not isinstance(result, str):
        with st.expander("The synthetic comparison's wards and weights"):
            st.dataframe(_weights_table(result), hide_index=True, width="stretch")


def group_section(kind: str, value, outcome: str = DEFAULT_OUTCOME) -> None:
    """A stream's, an objective's or a funding round's awards together, with each award's own figure."""
    result = _group_estimate(*_keys(outcome), kind, value, outcome)
    render(result, outcome, key=f"group_{kind}_{value}")
    if isinstance(result, str):
        return
    rows = [
        {
            "Award": result.titles[i],
            "Identifier": result.identifiers[i],
            "Change %": round(e.effect_pct, 1),
            "Interval low %": round(e.ci_low_pct, 1),
            "Interval high %": round(e.ci_high_pct, 1),
            "p-value": round(e.p_value, 3),
            "Funded wards": len(e.treated_wards),
            "Start": text.month_label(e.start),
            "Until": text.month_label(e.end),
        }
        for i, e in result.estimates.items()
    ]
    st.markdown("**Each award's own estimate**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if result.refused:
        st.markdown("**Awards that cannot be estimated yet**")
        why = [
            {"Award": result.titles[i], "Identifier": result.identifiers[i], "Why": r}
            for i, r in result.refused.items()
        ]
        st.dataframe(
            pd.DataFrame(why),
            hide_index=True,
            width="stretch",
        )
