"""Every guarded service function refuses roles without its permission, and then writes nothing.

Guarded functions are discovered, not listed by hand: any public function in vru_core with
keyword-only `engine` and `actor` parameters. A new write that forgets `require(...)` therefore fails
`test_any_guarded_function_refuses_a_viewer_first` on its own, and `test_every_guarded_function_has_a_case`
until it gets a row in CASES (its permission and arguments that would succeed), which then proves the
refusal leaves every table unchanged and that an allowed role really does write.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest

import vru_core
from tests.factories import approve, sample_award, sample_measure
from vru_core.platform.auth import GRANTS, SYSTEM, Actor, Permission, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import PermissionDenied

GOOD_PASSWORD = "correct horse battery"


def discover() -> dict[str, Callable]:
    found = {}
    for info in pkgutil.walk_packages(vru_core.__path__, "vru_core."):
        if info.name.endswith("__main__"):
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
                continue
            params = inspect.signature(obj).parameters
            if all(
                params.get(p) is not None and params[p].kind is inspect.Parameter.KEYWORD_ONLY
                for p in ("engine", "actor")
            ):
                found[f"{module.__name__}.{name}"] = obj
    return found


GUARDED = discover()


# ---- what each guarded function needs to succeed --------------------------------------------------------

FEEL_SAFE = sample_measure(code="perm_test_measure", label="Permission test measure")


def _ward_csv(engine) -> bytes:
    from vru_core.needs.measures import load_wards

    return ("area_code,value\n" + "".join(f"{c},{i}\n" for i, c in enumerate(load_wards(engine).index[:5]))).encode()


def _uploaded_measure(engine) -> dict:
    from vru_core.needs.measures import add_measure

    add_measure(engine=engine, actor=SYSTEM, definition=FEEL_SAFE, data=_ward_csv(engine))
    return {"code": FEEL_SAFE["code"]}


def _profile(engine) -> dict:
    from vru_core.needs.scoring import Profile

    return {"name": "Permission test profile", "profile": Profile(threshold_pct=15.0)}


def _saved_profile(engine) -> dict:
    from vru_core.needs.profiles import save_profile

    version = save_profile(engine=engine, actor=SYSTEM, **_profile(engine))
    return {"name": "Permission test profile", "version": version}


def _account(engine, *, active: bool = True) -> dict:
    from vru_core.platform.users import create_user, deactivate

    create_user(engine=engine, actor=SYSTEM, username="perm-target", role="viewer", password=GOOD_PASSWORD)
    if not active:
        deactivate(engine=engine, actor=SYSTEM, username="perm-target")
    return {"username": "perm-target"}


def _locked_out(engine) -> dict:
    from vru_core.platform.throttle import LOCK_AFTER, account_key, fail

    for _ in range(LOCK_AFTER):
        fail(engine, [account_key("locked-out")])
    return {"key": account_key("locked-out")}


def _award(engine, *, status: str = "proposed") -> int:
    from vru_core.register import lifecycle

    award_id = lifecycle.create_award(engine=engine, actor=SYSTEM, data=sample_award(engine, title="Permission test"))
    if status == "approved":
        approve(engine, award_id)
    return award_id


PAYMENT = {"paid_on": "2026-06-01", "amount": "100"}
RETURN = {"period": "2026-Q3", "rag": "amber", "people_reached": "150", "under_25_reached": "120"}


def _payment(engine) -> dict:
    from vru_core.register import money

    award_id = _award(engine, status="approved")
    return {"payment_id": money.add_payment(engine=engine, actor=SYSTEM, award_id=award_id, data=PAYMENT), "version": 1}


def _return(engine) -> int:
    from vru_core.register import money

    return money.add_return(engine=engine, actor=SYSTEM, award_id=_award(engine, status="approved"), data=RETURN)


BUDGET = {"funding_stream": "young_londoners_fund", "year": "2026/27", "allocated": "500000"}


def _variation_args(engine) -> dict:
    from vru_core.register.reads import award_detail

    award_id = _award(engine, status="approved")
    detail = award_detail(engine, award_id)
    data = {**detail.form_data(), "amount_awarded": "40000"}
    return {"award_id": award_id, "version": detail.version, "data": data, "reason": "Smaller cohort"}


def _proposed_variation(engine) -> dict:
    from vru_core.register import variation

    variation_id = variation.propose_variation(engine=engine, actor=SYSTEM, **_variation_args(engine))
    return {"variation_id": variation_id, "version": 1, "approve": True}


def _import_file(engine) -> dict:
    from vru_core.register.importer import TEMPLATE_COLUMNS

    row = {**sample_award(engine, title="Imported"), "identifier": "360G-LondonVRU-PERM-1"}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerow(row)
    return {"content": buffer.getvalue().encode()}


def _examples_loaded(engine) -> dict:
    from vru_core.register.examples import load_examples

    load_examples(engine=engine, actor=SYSTEM)
    return {}


INDICATOR_VALUE = {
    "indicator_code": "adult_reoffending_rate",
    "period": "2025-03",
    "value": "25.5",
    "source": "MoJ Proven reoffending statistics",
    "source_date": "2026-01-29",
}


def _thresholds():
    from vru_core.framework.rag import Thresholds

    return Thresholds(on_track_progress=0.5, off_track_below=0.0, trend_tolerance_pct=1.0)


def _draft_round(engine) -> int:
    from tests.rounds.helpers import round_data
    from vru_core.rounds import rounds

    return rounds.create_round(engine=engine, actor=SYSTEM, data=round_data())


def _round_application(engine, *, closed: bool = False) -> int:
    from tests.rounds.helpers import apply, open_round
    from vru_core.rounds import rounds

    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    if closed:
        rounds.close_round(engine=engine, actor=SYSTEM, round_id=round_id, version=2)
    return application_id


def _applications_file(engine) -> dict:
    from tests.rounds.helpers import application_data, open_round
    from vru_core.rounds.applications import COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerow(application_data(engine))
    return {"round_ref": open_round(engine), "content": buffer.getvalue().encode()}


def _example_round(engine) -> dict:
    from vru_core.rounds.examples import load_example_round

    load_example_round(engine=engine, actor=SYSTEM)
    return {}


def _commissioner_account(engine) -> dict:
    from vru_core.platform.users import create_user

    create_user(engine=engine, actor=SYSTEM, username="perm-panel", role="commissioner", password=GOOD_PASSWORD)
    return {"round_id": _draft_round(engine), "username": "perm-panel"}


def _round_fields(**changes) -> dict:
    from tests.rounds.helpers import round_data

    return round_data(**changes)


def _opened_round(engine) -> int:
    from tests.rounds.helpers import open_round

    return open_round(engine)


def _application_fields(engine) -> dict:
    from tests.rounds.helpers import application_data

    return application_data(engine)


def _scores() -> dict:
    from tests.rounds.helpers import scores

    return scores()


@dataclass(frozen=True)
class Case:
    permission: Permission
    arguments: Callable  # engine -> the keyword arguments (besides engine and actor) of a call that succeeds
    writes: bool = True


CASES: dict[str, Case] = {
    "vru_core.needs.measures.add_measure": Case(
        Permission.MEASURES_WRITE, lambda e: {"definition": FEEL_SAFE, "data": _ward_csv(e)}
    ),
    "vru_core.needs.measures.delete_measure": Case(Permission.MEASURES_WRITE, _uploaded_measure),
    "vru_core.needs.profiles.save_profile": Case(Permission.PROFILES_WRITE, _profile),
    "vru_core.needs.profiles.delete_profile": Case(Permission.PROFILES_WRITE, _saved_profile),
    "vru_core.platform.users.create_user": Case(
        Permission.USERS_WRITE, lambda e: {"username": "new-person", "role": "admin", "password": GOOD_PASSWORD}
    ),
    "vru_core.platform.users.set_role": Case(Permission.USERS_WRITE, lambda e: {**_account(e), "role": "admin"}),
    "vru_core.platform.users.set_password": Case(
        Permission.USERS_WRITE, lambda e: {**_account(e), "password": "another long passphrase"}
    ),
    "vru_core.platform.users.deactivate": Case(Permission.USERS_WRITE, _account),
    "vru_core.platform.users.reactivate": Case(Permission.USERS_WRITE, lambda e: _account(e, active=False)),
    "vru_core.platform.audit.query_log": Case(Permission.AUDIT_READ, lambda e: {}, writes=False),
    "vru_core.platform.throttle.lift": Case(Permission.USERS_WRITE, _locked_out),
    # the register
    "vru_core.register.lifecycle.create_organisation": Case(
        Permission.REGISTER_WRITE, lambda e: {"data": {"recipient_org_id": "GB-CHC-1099999", "recipient_name": "Org"}}
    ),
    "vru_core.register.lifecycle.create_award": Case(
        Permission.REGISTER_WRITE, lambda e: {"data": sample_award(e, title="New")}
    ),
    "vru_core.register.lifecycle.update_award": Case(
        Permission.REGISTER_WRITE,
        lambda e: {
            "award_id": _award(e),
            "version": 1,
            "data": sample_award(e, title="Renamed"),
        },
    ),
    "vru_core.register.lifecycle.transition_award": Case(
        Permission.REGISTER_WRITE, lambda e: {"award_id": _award(e), "version": 1, "to_status": "withdrawn"}
    ),
    "vru_core.register.lifecycle.delete_award": Case(
        Permission.REGISTER_WRITE, lambda e: {"award_id": _award(e), "version": 1}
    ),
    "vru_core.register.money.add_payment": Case(
        Permission.REGISTER_WRITE, lambda e: {"award_id": _award(e, status="approved"), "data": PAYMENT}
    ),
    "vru_core.register.money.delete_payment": Case(Permission.REGISTER_WRITE, _payment),
    "vru_core.register.money.add_return": Case(
        Permission.REGISTER_WRITE, lambda e: {"award_id": _award(e, status="approved"), "data": RETURN}
    ),
    "vru_core.register.money.update_return": Case(
        Permission.REGISTER_WRITE, lambda e: {"return_id": _return(e), "version": 1, "data": {**RETURN, "rag": "green"}}
    ),
    "vru_core.register.money.delete_return": Case(
        Permission.REGISTER_WRITE, lambda e: {"return_id": _return(e), "version": 1}
    ),
    "vru_core.register.importer.import_csv": Case(Permission.REGISTER_WRITE, _import_file),
    "vru_core.register.budget.set_budget": Case(Permission.BUDGET_WRITE, lambda e: {"data": BUDGET}),
    "vru_core.register.variation.propose_variation": Case(Permission.REGISTER_WRITE, _variation_args),
    "vru_core.register.variation.decide_variation": Case(Permission.REGISTER_WRITE, _proposed_variation),
    "vru_core.register.schedule.set_schedule": Case(
        Permission.REGISTER_WRITE,
        lambda e: {"award_id": _award(e), "version": 0, "instalments": [{"due_on": "2026-06-01", "amount": "100"}]},
    ),
    "vru_core.register.examples.load_examples": Case(Permission.REGISTER_WRITE, lambda e: {}),
    "vru_core.register.examples.remove_examples": Case(Permission.REGISTER_WRITE, _examples_loaded),
    # the performance framework
    "vru_core.framework.entered.save_values": Case(Permission.INDICATORS_WRITE, lambda e: {"rows": [INDICATOR_VALUE]}),
    "vru_core.framework.entered.delete_value": Case(
        Permission.INDICATORS_WRITE,
        lambda e: {"indicator_code": "adult_reoffending_rate", "period": "2019-03", "version": 1},
    ),
    "vru_core.framework.structure.update_objective": Case(
        Permission.FRAMEWORK_WRITE,
        lambda e: {
            "number": 1,
            "version": 1,
            "title": "Renamed objective",
            "tagline": "",
            "commitments": ["One"],
            "aims": ["community_at_heart"],
        },
    ),
    "vru_core.framework.structure.update_priority_area": Case(
        Permission.FRAMEWORK_WRITE,
        lambda e: {"code": "after_school", "version": 1, "title": "Renamed area", "objective_number": 5},
    ),
    "vru_core.framework.structure.save_funding_stream": Case(
        Permission.FRAMEWORK_WRITE, lambda e: {"code": "perm_stream", "name": "Stream", "notes": "", "active": True}
    ),
    "vru_core.framework.structure.update_indicator": Case(
        Permission.FRAMEWORK_WRITE, lambda e: {"code": "vwi_12m", "version": 1, "changes": {"target_value": 1}}
    ),
    "vru_core.framework.structure.update_thresholds": Case(
        Permission.FRAMEWORK_WRITE, lambda e: {"thresholds": _thresholds(), "version": 1}
    ),
    # funding rounds
    "vru_core.rounds.rounds.create_round": Case(Permission.REGISTER_WRITE, lambda e: {"data": _round_fields()}),
    "vru_core.rounds.rounds.update_round": Case(
        Permission.REGISTER_WRITE,
        lambda e: {"round_id": _draft_round(e), "version": 1, "data": _round_fields(title="Renamed round")},
    ),
    "vru_core.rounds.rounds.open_round": Case(
        Permission.REGISTER_WRITE, lambda e: {"round_id": _draft_round(e), "version": 1}
    ),
    "vru_core.rounds.rounds.close_round": Case(
        Permission.REGISTER_WRITE, lambda e: {"round_id": _opened_round(e), "version": 2}
    ),
    "vru_core.rounds.rounds.assign_assessor": Case(Permission.REGISTER_WRITE, _commissioner_account),
    "vru_core.rounds.applications.add_application": Case(
        Permission.REGISTER_WRITE, lambda e: {"round_ref": _opened_round(e), "data": _application_fields(e)}
    ),
    "vru_core.rounds.applications.import_applications": Case(Permission.REGISTER_WRITE, _applications_file),
    "vru_core.rounds.assessment.save_assessment": Case(
        Permission.ASSESS, lambda e: {"application_id": _round_application(e), "scores": _scores()}
    ),
    "vru_core.rounds.assessment.declare_conflict": Case(
        Permission.ASSESS, lambda e: {"round_id": _opened_round(e), "org_id": "GB-CHC-1123456"}
    ),
    "vru_core.rounds.decisions.decide": Case(
        Permission.REGISTER_WRITE,
        lambda e: {
            "application_id": _round_application(e, closed=True),
            "version": 1,
            "decision": "decline",
            "reason": "Outside the evidence",
        },
    ),
    "vru_core.rounds.examples.load_example_round": Case(Permission.REGISTER_WRITE, lambda e: {}),
    "vru_core.rounds.examples.remove_example_rounds": Case(Permission.REGISTER_WRITE, _example_round),
}


def _roles_without(permission: Permission) -> list[Actor | None]:
    return [None] + [Actor(f"perm-{r.value}", r) for r in Role if permission not in GRANTS[r]]


def _role_with(permission: Permission) -> Actor:
    """The least powerful role that holds the permission (admin only when nobody else does)."""
    holders = [r for r in Role if permission in GRANTS[r]]
    role = min(holders, key=lambda r: len(GRANTS[r]))
    return Actor(f"perm-{role.value}", role)


def test_discovery_finds_the_known_writes():
    assert {
        "vru_core.needs.measures.add_measure",
        "vru_core.platform.users.create_user",
        "vru_core.platform.audit.query_log",
    } <= set(GUARDED)


def test_every_guarded_function_has_a_case():
    missing = sorted(set(GUARDED) - set(CASES))
    assert not missing, f"add a row to CASES in {__file__} for: {', '.join(missing)}"
    assert not sorted(set(CASES) - set(GUARDED)), "CASES names functions that no longer exist"


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_any_guarded_function_refuses_a_viewer_first(engine, name):
    """Arguments are placeholders: only a permission check done before anything else can pass this."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the order of checks does not depend on the backend")
    function = GUARDED[name]
    kwargs = {
        p.name: None
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty and p.name not in ("engine", "actor")
    }
    before = table_checksums(engine)
    for actor in (None, Actor("perm-viewer", Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            function(engine=engine, actor=actor, **kwargs)
    assert table_checksums(engine) == before


@pytest.mark.store
@pytest.mark.parametrize("name", sorted(CASES))
def test_disallowed_roles_are_refused_and_nothing_is_written(engine, name):
    case = CASES[name]
    kwargs = case.arguments(engine)
    before = table_checksums(engine)
    refused = []
    for actor in _roles_without(case.permission):
        with pytest.raises(PermissionDenied) as err:
            GUARDED[name](engine=engine, actor=actor, **kwargs)
        refused.append(actor.role.value if actor else "anonymous")
        assert case.permission.value in str(err.value)
    assert "viewer" in refused and "anonymous" in refused
    assert table_checksums(engine) == before, f"{name} wrote something for one of {refused}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_allowed_role_really_succeeds(engine, name):
    """The control: the same arguments do work for a role that holds the permission."""
    case = CASES[name]
    kwargs = case.arguments(engine)
    before = table_checksums(engine)
    GUARDED[name](engine=engine, actor=_role_with(case.permission), **kwargs)
    after = table_checksums(engine)
    if case.writes:
        assert after != before and after["audit_log"] != before["audit_log"], f"{name} wrote nothing, or unaudited"
    else:
        assert after == before
