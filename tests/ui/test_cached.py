"""The pages' caches are keyed on versions read from the store: a change saved anywhere reaches the next run."""

import pytest
from sqlalchemy import text

from vru_core.framework.lookups import funding_streams, structure_version
from vru_core.framework.structure import save_funding_stream
from vru_core.platform.auth import Actor, Role
from vru_core.register import examples
from vru_core.register.query import choices

ADMIN = Actor("test-admin", Role.ADMIN)
COMMISSIONER = Actor("test-commissioner", Role.COMMISSIONER)


def _rename_stream(engine, code: str, name: str, how: str) -> None:
    if how == "service":
        version = int(funding_streams(engine).set_index("code").loc[code, "version"])
        save_funding_stream(engine=engine, actor=ADMIN, code=code, name=name, notes="", active=True, version=version)
    else:  # straight into the database: no audit entry, no service, nothing this process remembers
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE funding_stream SET name = :name WHERE code = :code"), {"name": name, "code": code}
            )


@pytest.mark.parametrize("how", ["service", "sql"])
def test_a_renamed_funding_stream_reaches_the_register_page_on_its_next_run(engine, make_app, how):
    examples.load_examples(engine=engine, actor=COMMISSIONER)
    at = make_app("app_pages/register.py", actor=COMMISSIONER)
    old_name = at.dataframe[0].value["funding_stream_name"].iloc[0]
    stream_code = next(c for c, n in choices(engine)["funding_streams"].items() if n == old_name)
    before = structure_version(engine)

    _rename_stream(engine, stream_code, "Renamed stream (test)", how)
    assert structure_version(engine) != before
    at.run()
    assert not at.exception
    assert "Renamed stream (test)" in set(at.dataframe[0].value["funding_stream_name"])
    assert old_name not in set(at.dataframe[0].value["funding_stream_name"])
    assert "Renamed stream (test)" in at.multiselect(key="reg_streams").options


def test_an_objective_renamed_in_the_database_reaches_the_overview(engine, make_app):
    at = make_app("app_pages/framework.py")
    assert "Objective title changed in the database" not in str(at.markdown)
    with engine.begin() as conn:
        conn.execute(text("UPDATE objective SET title = 'Objective title changed in the database' WHERE number = 2"))
    at.run()
    assert not at.exception
    shown = " ".join(e.value for e in (*at.markdown, *at.subheader, *at.header) if isinstance(e.value, str))
    assert "Objective title changed in the database" in shown


def test_the_trend_caches_follow_the_data_version(engine, monkeypatch):
    """ward_trend_spec and violence_movement are rebuilt when the bundled data is reloaded, and only then."""
    import streamlit as st

    from ui import cached
    from vru_core.needs import trends

    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    calls = {"monthly": 0, "rising_falling": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(trends, "ward_monthly", counting("monthly", trends.ward_monthly))
    monkeypatch.setattr(trends, "rising_falling", counting("rising_falling", trends.rising_falling))
    ward = cached.measure_frame().wards.query("in_mps_data").index[0]

    first_spec, first_moves = cached.ward_trend_spec(ward), cached.violence_movement()
    assert cached.ward_trend_spec(ward) == first_spec
    assert cached.violence_movement().equals(first_moves)
    assert calls == {"monthly": 1, "rising_falling": 1}

    with engine.begin() as conn:  # what a reload of changed files does to the version
        conn.execute(text("UPDATE app_meta SET value = 'refreshed' WHERE key = 'bundle_fingerprint'"))
    assert cached.ward_trend_spec(ward) == first_spec
    cached.violence_movement()
    assert calls == {"monthly": 2, "rising_falling": 2}
    assert first_moves.index.isin(cached.measure_frame().wards.index).all()
