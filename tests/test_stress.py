"""8 writer processes at once: every record arrives exactly once and nobody sees "database is locked"."""

import pytest

from vru_core.stress import concurrent_writes

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
