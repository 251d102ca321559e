"""Rule 3: money never exceeds the award, under concurrency, on SQLite (which ignores FOR UPDATE) too.

Separate writer processes (spawned, as the stress harness does) pay £10 at a time against one approved
award at the same moment; on PostgreSQL they connect as the app's role. The total paid never passes the
amount awarded, every refusal is the cap's own message, and nothing else goes wrong. Then editors
lowering the amount race the payers. Single-process cases check every cap's rule and message.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.stress import PAYMENT_PENCE, concurrent_writes, paid_and_awarded, raced_award
from tests.conftest import as_app_role
from tests.factories import approve, sample_award
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid
from vru_core.register import importer, lifecycle, money

pytestmark = [pytest.mark.store, pytest.mark.stress]
COMMISSIONER = Actor("cap-commissioner", Role.COMMISSIONER)


@dataclass(frozen=True)
class Race:
    id: str
    writers: int
    each: int  # £10 payments per writer
    award_pounds: int
    mixed_with: str | None = None  # every other writer does this instead ("shrink": lower the amount by £10)

    @property
    def attempts_pence(self) -> int:
        return self.writers * self.each * PAYMENT_PENCE


RACES = [
    Race("8-writers-160-payments-for-100", writers=8, each=20, award_pounds=1_000),
    Race("4-writers-40-payments-for-9", writers=4, each=10, award_pounds=95),
    Race("4-writers-all-fit", writers=4, each=5, award_pounds=1_000),
    # £300 of payments and £300 of reductions (variations) against £450: the cap binds whichever lands first
    Race("payers-against-editors-lowering-the-amount", writers=4, each=15, award_pounds=450, mixed_with="shrink"),
]


def _url(engine) -> str:
    url = engine.url.render_as_string(hide_password=False)
    return as_app_role(url) if engine.dialect.name == "postgresql" else url


@pytest.mark.parametrize("race", RACES, ids=[r.id for r in RACES])
def test_payments_raced_from_separate_processes_never_pass_the_award(engine, race, capsys):
    raced_award(engine, award_pounds=race.award_pounds)
    url = _url(engine)
    engine.dispose()
    result = concurrent_writes(url, writers=race.writers, each=race.each, target="payments", mixed_with=race.mixed_with)
    paid, awarded = paid_and_awarded(engine)
    with capsys.disabled():
        print(
            f"\n[cap] {engine.dialect.name} {race.id}: {result.created} writes done, {result.refused} refused, "
            f"paid £{paid / 100:,.0f} of £{awarded / 100:,.0f}, errors {result.error_count}, {result.seconds:.1f} s"
        )
    assert result.error_count == 0, result.errors[:5]
    assert paid <= awarded  # the rule
    assert result.present * PAYMENT_PENCE == paid  # every payment recorded once, none half-written
    assert result.audited == result.present  # and each one audited
    if race.mixed_with is None:
        fit = min(race.attempts_pence, race.award_pounds * 100) // PAYMENT_PENCE
        assert result.present == fit and result.refused == race.writers * race.each - fit  # no lost payment either
    else:
        assert awarded < race.award_pounds * 100  # the editors did get some reductions through


# ---- every cap, one process ---------------------------------------------------------------------------


def _approved(engine, **changes) -> int:
    award_id = lifecycle.create_award(
        engine=engine, actor=COMMISSIONER, data=sample_award(engine, title="Cap", **changes)
    )
    approve(engine, award_id)
    return award_id


def _pay(engine, award_id, amount) -> None:
    money.add_payment(
        engine=engine, actor=COMMISSIONER, award_id=award_id, data={"paid_on": "2026-06-01", "amount": amount}
    )


def _vary(engine, award_id, **changes) -> None:
    """After approval the amount changes only through a variation, which is held to what is paid too."""
    from vru_core.register import variation
    from vru_core.register.reads import award_detail

    data = sample_award(engine, title="Cap", **changes)
    variation.propose_variation(
        engine=engine,
        actor=COMMISSIONER,
        award_id=award_id,
        version=award_detail(engine, award_id).version,
        data=data,
        reason="Lower",
    )


def _update(engine, award_id, **changes) -> None:
    data = sample_award(engine, title="Cap", **changes)
    lifecycle.update_award(engine=engine, actor=COMMISSIONER, award_id=award_id, version=2, data=data)


def _import(engine, award_id, **changes) -> None:
    from tests.register.conftest import csv_text
    from vru_core.register.reads import award_detail

    row = {**sample_award(engine, title="Cap", **changes), "identifier": award_detail(engine, award_id).identifier}
    importer.import_csv(engine=engine, actor=COMMISSIONER, content=csv_text([row]))


def _nothing(engine, award_id) -> None:
    return None


# (case, set-up that succeeds, the write that must be refused, field named, words of the message)
CAPS = [
    ("one-payment-past-the-award", _nothing, lambda e, a: _pay(e, a, "45000.01"), "amount", "past the award"),
    ("past-what-is-left", lambda e, a: _pay(e, a, "45000"), lambda e, a: _pay(e, a, "0.01"), "amount", "£0.00 left"),
    (
        "lower-the-amount-below-paid",
        lambda e, a: _pay(e, a, "30000"),
        lambda e, a: _vary(e, a, amount_awarded="20000"),
        "amount_awarded",
        "already paid",
    ),
    (  # and an import cannot change an approved award's amount at all: that is a variation
        "import-lowers-an-approved-amount",
        lambda e, a: _pay(e, a, "30000"),
        lambda e, a: _import(e, a, amount_awarded="20000"),
        "amount_awarded",
        "is a variation",
    ),
    (
        "split-does-not-add-up",
        _nothing,
        lambda e, a: _update(e, a, area_amounts="15000;15000;14999"),
        "area_amounts",
        "adds up to £44,999",
    ),
    (
        "split-of-the-old-amount",
        _nothing,
        lambda e, a: _update(e, a, amount_awarded="50000", area_amounts="15000;15000;15000"),
        "area_amounts",
        "not the award's £50,000",
    ),
]


@pytest.mark.parametrize(("case", "setup", "refused", "field", "words"), CAPS, ids=[c[0] for c in CAPS])
def test_every_cap_refuses_naming_its_field_and_writes_nothing(engine, case, setup, refused, field, words):
    award_id = _approved(engine)
    setup(engine, award_id)
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        refused(engine, award_id)
    assert field in {p.field for p in err.value.problems}
    assert words in str(err.value)
    assert table_checksums(engine) == before
