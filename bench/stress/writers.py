"""One write each, as a writer process repeats it `each` times: (engine, actor, writer, i) -> None or bool.

False means the service refused the write as it should (the cap, a stale version, a file already
imported); the harness counts those as refused, not lost. `TARGETS` names them for the command line.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select

from bench.stress.counts import count_approvals, count_awards, count_payments, count_users
from bench.stress.scenarios import APPROVE_TITLE, PAYMENT_PENCE, PREFIX, import_race_csv, raced_award_id
from tests.factories import sample_award
from vru_core.platform.auth import Actor, Role


def _create_user(engine: Engine, actor: Actor, writer: int, i: int) -> None:
    from vru_core.platform.users import create_user

    create_user(engine=engine, actor=actor, username=f"{PREFIX}w{writer}-{i:05d}", role="viewer")


_award_fields: dict[str, dict] = {}


def _create_award(engine: Engine, actor: Actor, writer: int, i: int) -> None:
    from vru_core.register.lifecycle import create_award

    url = str(engine.url)
    if url not in _award_fields:
        _award_fields[url] = sample_award(engine, title="")
    create_award(engine=engine, actor=actor, data={**_award_fields[url], "title": f"{PREFIX}w{writer}-{i:05d}"})


def _pay(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """One £10 payment; False when refused because it would pass the award (the cap working)."""
    from vru_core.platform.errors import Invalid
    from vru_core.register.money import add_payment

    data = {"paid_on": "2026-06-01", "amount": f"{PAYMENT_PENCE / 100:.2f}", "note": f"{PREFIX}w{writer}-{i}"}
    try:
        add_payment(engine=engine, actor=actor, award_id=raced_award_id(engine), data=data)
    except Invalid as exc:
        if "past the award" in str(exc):
            return False
        raise
    return True


def _shrink(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """An editor lowering the raced (approved) award by £10 from the version it reads, as a variation that a
    second person approves at once; False when refused (stale, another variation open, or below what is paid
    by then): the cap must hold against variations as well as payments."""
    from vru_core.platform.errors import DomainError
    from vru_core.register.reads import award_detail
    from vru_core.register.variation import decide_variation, propose_variation

    detail = award_detail(engine, raced_award_id(engine))
    data = {**detail.form_data(), "amount_awarded": f"{detail.amount_awarded - PAYMENT_PENCE // 100:.2f}"}
    try:
        kwargs = {"award_id": detail.id, "version": detail.version, "data": data, "reason": "shrink"}
        variation_id = propose_variation(engine=engine, actor=actor, **kwargs)
    except DomainError:
        return False
    approver = Actor(f"{actor.username}-approver", Role.ADMIN)
    try:
        decide_variation(engine=engine, actor=approver, variation_id=variation_id, version=1, approve=True)
    except DomainError:  # refused (stale, or below what is paid by now): close it so others may propose
        decide_variation(engine=engine, actor=approver, variation_id=variation_id, version=1, approve=False)
        return False
    return True


def _edit_from_version_1(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """Every writer saves the raced award from the version all of them opened (1): only one may win."""
    from vru_core.platform.errors import Stale
    from vru_core.register.lifecycle import update_award
    from vru_core.register.reads import award_detail

    award_id = raced_award_id(engine)
    # The raced award's own fields (it is approved: its amount is not the sample's), a new description.
    data = {**award_detail(engine, award_id).form_data(), "description": f"{PREFIX}w{writer}-{i}"}
    try:
        update_award(engine=engine, actor=actor, award_id=award_id, version=1, data=data)
    except Stale:
        return False
    return True


def _import_same_file(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    from vru_core.platform.errors import Stale
    from vru_core.register.importer import import_csv

    try:  # seen={}: each of them checked the file while these identifiers were all new
        import_csv(engine=engine, actor=actor, content=import_race_csv(engine), seen={})
    except Stale as exc:
        if not all("was added to the register" in p.message for p in exc.problems):
            raise
        return False
    return True


def _approve(engine: Engine, actor: Actor, writer: int, i: int) -> bool:
    """Approve this writer's next award; False when the budget cap refuses it."""
    from vru_core.models.register import Award
    from vru_core.platform.errors import Invalid
    from vru_core.register.lifecycle import transition_award

    with engine.connect() as conn:
        award_id = conn.execute(select(Award.id).where(Award.title == f"{APPROVE_TITLE}w{writer}-{i:05d}")).scalar_one()
    try:
        transition_award(engine=engine, actor=actor, award_id=award_id, version=1, to_status="approved")
    except Invalid as exc:
        if "over by" in str(exc):
            return False
        raise
    return True


TARGETS: dict[str, tuple[Callable, Callable, Actor]] = {
    "users": (_create_user, count_users, Actor("stress-admin", Role.ADMIN)),
    "awards": (_create_award, count_awards, Actor("stress-commissioner", Role.COMMISSIONER)),
    "payments": (_pay, count_payments, Actor("stress-commissioner", Role.COMMISSIONER)),
    "shrink": (_shrink, count_payments, Actor("stress-editor", Role.COMMISSIONER)),
    "approvals": (_approve, count_approvals, Actor("stress-approver", Role.COMMISSIONER)),
    "edit_v1": (_edit_from_version_1, count_awards, Actor("stress-editor", Role.COMMISSIONER)),
    "import_same": (_import_same_file, count_awards, Actor("stress-importer", Role.COMMISSIONER)),
}
