"""The Framework settings page's forms, one function per tab. Every save names the version the
administrator opened (ui.feedback), so a colleague's newer save is refused, never overwritten."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st
from sqlalchemy import Engine

from ui.feedback import attempt, moved_on, offer_reload, opened_version, show, show_refusal
from ui.text import plain
from vru_core.framework import lookups, rag
from vru_core.framework.indicators import list_indicators, load_thresholds
from vru_core.framework.structure import (
    save_funding_stream,
    thresholds_version,
    update_indicator,
    update_objective,
    update_priority_area,
    update_thresholds,
)
from vru_core.platform.auth import Actor
from vru_core.platform.errors import DomainError

SAVED_KEY = "framework_saved"
BOXES = [  # the indicator form's number and period boxes: field, label, widget key prefix
    ("baseline_value", "Baseline value", "bv"),
    ("baseline_period", "Baseline period (YYYY-MM)", "bp"),
    ("baseline_source", "Baseline source", "bs"),
    ("target_value", "Target value", "tv"),
    ("target_change_pct", "Target change from baseline (%)", "tc"),
    ("target_period", "Target period (YYYY-MM)", "tp"),
]


@dataclass
class _Form:
    """What a settings form's body uses: `key` names each widget (so a reload can drop what was typed),
    `save` writes from the version this person opened (kept under `opened_key`)."""

    opened_key: str
    store: Engine
    actor: Actor
    widgets: list[str] = field(default_factory=list)

    def key(self, widget: str) -> str:
        self.widgets.append(widget)
        return widget

    def save(self, fn: Callable[..., object], message: str, **kwargs: object) -> None:
        """On success rerun, so every table and list shows the change; a refusal is shown in the form."""
        ok, version = attempt(self.opened_key, fn, engine=self.store, actor=self.actor, **kwargs)
        if ok:
            moved_on(self.opened_key, version)
            st.session_state[SAVED_KEY] = message
            st.rerun()
        else:
            show_refusal(self.opened_key)


@contextmanager
def _settings_form(form_key: str, opened_key: str, store: Engine, actor: Actor) -> Iterator[_Form]:
    """One settings form and, after it, the reload button a stale refusal offers (dropping what was typed)."""
    form = _Form(opened_key, store, actor)
    with st.form(form_key):
        yield form
    offer_reload(opened_key, opened_key, widgets=form.widgets)


def rag_rule(store: Engine, actor: Actor) -> None:
    t = load_thresholds(store)
    rag_version = opened_version("rag", thresholds_version(store))  # as first shown: what a save names
    st.markdown(rag.describe(t))
    with _settings_form("rag_form", "rag", store, actor) as form:
        on = st.number_input(
            "On track from (share of the way to target)", 0.0, 1.0, t.on_track_progress, 0.05, key=form.key("rag_on")
        )
        off = st.number_input(
            "Off track below (share; 0 = worse than baseline)",
            -1.0,
            1.0,
            t.off_track_below,
            0.05,
            key=form.key("rag_off"),
        )
        tol = st.number_input("Trend tolerance (%)", 0.0, 50.0, t.trend_tolerance_pct, 0.5, key=form.key("rag_tol"))
        if st.form_submit_button("Save thresholds", type="primary"):
            try:
                new = rag.Thresholds(on, off, tol)
            except DomainError as exc:
                show(exc)
            else:
                form.save(update_thresholds, "Thresholds saved.", thresholds=new, version=rag_version)


def indicator(store: Engine, actor: Actor) -> None:
    defs = list_indicators(store, active_only=False)
    code = st.selectbox("Indicator", list(defs.index), format_func=lambda c: defs.loc[c, "name"], key="admin_indicator")
    row = defs.loc[code]
    text = lookups.indicator_form_text(row)
    indicator_version = opened_version(f"indicator:{code}", int(row["version"]))
    with _settings_form(f"indicator_form_{code}", f"indicator:{code}", store, actor) as form:
        st.caption(
            f"{plain(row['description'])} Leave the baseline value empty to read it from the indicator's own "
            "series at the baseline period (or its first value). Leave the target value empty to use the target "
            "change from the baseline."
        )
        changes = {}
        for fields in (BOXES[:3], BOXES[3:]):
            for column, (field, label, prefix) in zip(st.columns(3), fields, strict=True):
                changes[field] = column.text_input(label, text[field], key=form.key(f"{prefix}_{code}"))
        changes["target_note"] = st.text_input("Target note", text["target_note"], key=form.key(f"tn_{code}"))
        changes["direction"] = st.radio(
            "Good direction",
            ["down", "up"],
            index=["down", "up"].index(row["direction"]),
            horizontal=True,
            key=form.key(f"dir_{code}"),
        )
        changes["active"] = st.checkbox("Active (shown and rated)", bool(row["active"]), key=form.key(f"act_{code}"))
        if st.form_submit_button("Save indicator", type="primary"):
            form.save(update_indicator, "Indicator saved.", code=code, version=indicator_version, changes=changes)


def objective(store: Engine, actor: Actor) -> None:
    objectives = lookups.objectives(store)
    aims = lookups.aim_titles(store)
    number = st.selectbox(
        "Objective", list(objectives), format_func=lambda n: f"{n}. {objectives[n].title}", key="admin_objective"
    )
    obj = objectives[number]
    objective_version = opened_version(f"objective:{number}", obj.version)
    with _settings_form(f"objective_form_{number}", f"objective:{number}", store, actor) as form:
        title = st.text_input("Title", obj.title, key=form.key(f"ot_{number}"))
        tagline = st.text_input("Tagline", obj.tagline, key=form.key(f"og_{number}"))
        lines = st.text_area(
            "Commitments (one per line)", "\n".join(obj.commitments), height=200, key=form.key(f"oc_{number}")
        )
        chosen = st.multiselect(
            "Serves the aims", list(aims), default=obj.aims, format_func=aims.get, key=form.key(f"oa_{number}")
        )
        if st.form_submit_button("Save objective", type="primary"):
            edit = {"title": title, "tagline": tagline, "commitments": lines.splitlines(), "aims": chosen}
            form.save(update_objective, "Objective saved.", number=number, version=objective_version, **edit)


def priority_area(store: Engine, actor: Actor) -> None:
    objectives = lookups.objectives(store)
    areas = lookups.priority_areas(store)
    code = st.selectbox("Priority area", list(areas), format_func=lambda c: areas[c].title, key="admin_area")
    area_version = opened_version(f"priority_area:{code}", areas[code].version)
    with _settings_form(f"area_form_{code}", f"priority_area:{code}", store, actor) as form:
        title = st.text_input("Title", areas[code].title, key=form.key(f"pt_{code}"))
        options = [None, *objectives]
        obj_number = st.selectbox(
            "Objective it serves",
            options,
            index=options.index(areas[code].objective_number),
            format_func=lambda n: "—" if n is None else f"{n}. {objectives[n].title}",
            key=form.key(f"po_{code}"),
        )
        if st.form_submit_button("Save priority area", type="primary"):
            edit = {"title": title, "objective_number": obj_number}
            form.save(update_priority_area, "Priority area saved.", code=code, version=area_version, **edit)


def funding_stream(store: Engine, actor: Actor) -> None:
    streams = lookups.funding_streams(store)
    labels = {"code": "Code", "name": "Name", "notes": "Notes", "active": "Active"}
    st.dataframe(
        streams.drop(columns=["version"]), hide_index=True, width="stretch", key="streams_table", column_config=labels
    )
    stream_names = dict(zip(streams["code"], streams["name"], strict=True))
    pick = st.selectbox(
        "Edit",
        ["(new stream)", *streams["code"]],
        format_func=lambda c: stream_names.get(c, "New funding stream"),
        key="admin_stream",
    )
    current = streams.set_index("code").loc[pick] if pick != "(new stream)" else None
    stream_version = None if current is None else opened_version(f"funding_stream:{pick}", int(current["version"]))
    with _settings_form(f"stream_form_{pick}", f"funding_stream:{pick}", store, actor) as form:
        code = st.text_input(
            "Code", "" if current is None else pick, disabled=current is not None, key=form.key(f"sc_{pick}")
        )
        name = st.text_input("Name", "" if current is None else current["name"], key=form.key(f"sn_{pick}"))
        notes = st.text_input("Notes", "" if current is None else current["notes"], key=form.key(f"so_{pick}"))
        active = st.checkbox("Active", True if current is None else bool(current["active"]), key=form.key(f"sa_{pick}"))
        if st.form_submit_button("Save funding stream", type="primary"):
            edit = {"code": code, "name": name, "notes": notes, "active": active}
            form.save(save_funding_stream, "Funding stream saved.", version=stream_version, **edit)
