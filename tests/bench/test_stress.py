"""8 writer processes at once: every record arrives exactly once and nobody sees "database is locked"."""

import pytest

from bench.stress import concurrent_writes

WRITERS, EACH = 8, 500


@pytest.mark.store
@pytest.mark.stress
@pytest.mark.parametrize("target", ["awards"])
def test_concurrent_writers_lose_nothing(engine, target, capsys):
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    result = concurrent_writes(url, writers=WRITERS, each=EACH, target=target)
    with capsys.disabled():
        print(f"\n[stress] {result.summary()}")
    assert result.error_count == 0 and result.errors == [], result.errors[:5]
    assert not any("locked" in e for e in result.errors)
    assert result.created == result.expected == WRITERS * EACH
    assert result.present == result.distinct == result.expected  # all there, none twice
    assert result.lost == 0 and result.duplicated == 0
    assert result.audited == result.expected  # and each one audited


def test_writers_do_not_rerun_the_parents_main_script(engine, tmp_path, monkeypatch):
    """After AppTest has run the app, __main__ is the Streamlit entry script; writers must not execute it."""
    if engine.dialect.name != "sqlite":
        pytest.skip("process start-up does not depend on the backend")
    import sys
    import types

    script = tmp_path / "hostile_main.py"
    script.write_text("raise SystemExit('the parent script ran in a writer')\n")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    result = concurrent_writes(url, writers=2, each=3, target="users")
    assert result.error_count == 0, result.errors
    assert result.present == result.distinct == 6
