"""The commissioning pages driven through AppTest (whole app, private copy of the loaded store)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from tests.factories import approve, approver
from tests.pages.conftest import visible
from tests.register.conftest import csv_text
from vru_core.models import Award, Ward
from vru_core.platform.auth import Actor, Role
from vru_core.register import examples, lifecycle, need_evidence, reads

COMMISSIONER = Actor("pat-commissioner", Role.COMMISSIONER)
pytestmark = pytest.mark.store


def _awards(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Award)).one()


def _wards(engine, n=3) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Ward.code).where(Ward.borough_code == "E09000012").order_by(Ward.code)))[:n]


def _fill_form(at: AppTest, *, end: dt.date, charity: str, wards: list[str]) -> None:
    at.text_input(key="new_title").input("Youth mentoring project")
    at.text_input(key="new_amount").input("45000")
    at.text_input(key="new_org_id").input("GB-CHC-1123456")
    at.text_input(key="new_org_name").input("Hackney Young Futures")
    at.text_input(key="new_charity").input(charity)
    at.date_input(key="new_start").set_value(dt.date(2026, 5, 1))
    at.date_input(key="new_end").set_value(end)
    at.selectbox(key="new_stream").set_value("young_londoners_fund")
    at.selectbox(key="new_priority").set_value("after_school")
    at.multiselect(key="new_objectives").set_value([3])
    at.multiselect(key="new_wards").set_value(wards)


@pytest.fixture
def award_data_page(engine) -> dict:
    from tests.factories import sample_award

    return sample_award(engine, title="Youth mentoring project")


def test_new_award_form_catches_mistakes_then_saves(engine, make_app):
    at = make_app("app_pages/award_new.py", actor=COMMISSIONER)
    before = _awards(engine)
    _fill_form(at, end=dt.date(2026, 4, 1), charity="12ab", wards=_wards(engine))
    at.button(key="new_submit").click().run()
    assert not at.exception
    errors = [visible(e.value) for e in at.error]
    assert any("before it starts" in e for e in errors)
    assert any("not a charity number" in e for e in errors)
    assert _awards(engine) == before  # nothing saved

    at.text_input(key="new_charity").input("1123456")
    at.date_input(key="new_end").set_value(dt.date(2027, 3, 31))
    at.button(key="new_submit").click().run()
    assert not at.exception
    assert _awards(engine) == before + 1
    assert visible(at.title[0].value) == "Youth mentoring project"  # now on the award page
    assert at.query_params["id"]

    at.switch_page("app_pages/register.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "Youth mentoring project" in set(table["title"])


def test_new_award_form_records_where_the_recipient_is_based_and_onward_grants(engine, make_app):
    at = make_app("app_pages/award_new.py", actor=COMMISSIONER)
    _fill_form(at, end=dt.date(2027, 3, 31), charity="", wards=_wards(engine))
    at.text_input(key="new_postcode").input("nowhere")
    at.button(key="new_submit").click().run()
    assert any("not a UK postcode" in e.value for e in at.error)
    at.text_input(key="new_postcode").input("e8 1aa")
    at.selectbox(key="new_location").set_value("E09000012")
    at.selectbox(key="new_regrant").set_value("FRG010")
    at.button(key="new_submit").click().run()
    assert not at.exception
    detail = reads.award_detail(engine, int(at.query_params["id"]))
    assert (detail.recipient_postcode, detail.recipient_location, detail.regrant_type) == (
        "E8 1AA",
        "E09000012",
        "FRG010",
    )
    assert detail.charity_number == "1123456"  # filled in from GB-CHC-1123456


def test_viewers_cannot_record_awards(make_app):
    at = make_app("app_pages/award_new.py", actor=Actor("val-viewer", Role.VIEWER))
    assert len(at.text_input) == 0 and "commissioner" in at.info[0].value


def test_import_page_lists_every_problem_then_imports(engine, make_app):
    wards = ";".join(_wards(engine))
    row = {
        "title": "Imported project",
        "recipient_org_id": "GB-CHC-2223334",
        "recipient_name": "Imported Trust",
        "amount_awarded": "1000",
        "award_date": "2025-04-01",
        "planned_start": "2025-04-01",
        "planned_end": "2026-03-31",
        "funding_stream": "vru_core_budget",
        "objectives": "4",
        "areas": wards,
    }
    rows = [{**row, "identifier": f"IMP-{i}"} for i in range(1, 6)]
    bad = [dict(r) for r in rows]
    bad[0]["areas"] = "E05000026"
    bad[2]["amount_awarded"] = "45k"
    at = make_app("app_pages/import_awards.py", actor=COMMISSIONER)
    before = _awards(engine)
    at.file_uploader(key="import_file").set_value(("awards.csv", csv_text(bad).encode(), "text/csv")).run()
    assert not at.exception
    problems = at.dataframe[-1].value  # the problem list is the last table
    assert list(zip(problems["row"], problems["field"], strict=True)) == [(2, "areas"), (4, "amount_awarded")]
    assert _awards(engine) == before

    at.file_uploader(key="import_file").set_value(("awards.csv", csv_text(rows).encode(), "text/csv")).run()
    assert not at.exception
    assert "create 5 awards" in at.success[0].value
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "5 created" in at.success[-1].value
    assert _awards(engine) == before + 5


def test_second_editor_is_refused_with_what_changed(engine, make_app):
    award_id = lifecycle.create_award(
        engine=engine,
        actor=COMMISSIONER,
        data={
            "title": "Two editors",
            "recipient_org_id": "GB-CHC-3334445",
            "recipient_name": "Edited Trust",
            "amount_awarded": "45000",
            "award_date": "2026-04-01",
            "planned_start": "2026-05-01",
            "planned_end": "2027-03-31",
            "funding_stream": "vru_core_budget",
            "objectives": "3",
            "areas": _wards(engine, 1),
        },
    )
    first = make_app("app_pages/award.py", actor=COMMISSIONER)
    second = make_app("app_pages/award.py", actor=Actor("sam-commissioner", Role.COMMISSIONER))
    for at in (first, second):  # both open the award from its shareable URL (?id=…)
        at.query_params["id"] = str(award_id)
        at.run()
        assert not at.exception and visible(at.title[0].value) == "Two editors"
    version = first.session_state[f"_opened:award:{award_id}"]
    first.text_input(key=f"edit_{award_id}_{version}_title").input("Renamed by Pat")
    first.button(key=f"edit_{award_id}_{version}_submit").click().run()
    assert not first.exception
    second.text_input(key=f"edit_{award_id}_{version}_amount").input("47000")
    second.button(key=f"edit_{award_id}_{version}_submit").click().run()
    assert not second.exception
    message = visible(" ".join(e.value for e in second.error))
    assert "changed after you opened it" in message and "pat-commissioner" in message and "Title: " in message
    assert reads.award_detail(engine, award_id).amount_awarded == 45000  # the second save changed nothing
    second.button(key=f"reload_award_{award_id}").click().run()
    assert not second.exception and not second.error
    new_version = second.session_state[f"_opened:award:{award_id}"]
    assert new_version == version + 1
    second.text_input(key=f"edit_{award_id}_{new_version}_amount").input("47000")
    second.button(key=f"edit_{award_id}_{new_version}_submit").click().run()
    assert not second.exception
    detail = reads.award_detail(engine, award_id)
    assert (detail.title, detail.amount_awarded) == ("Renamed by Pat", 47000)
    # the form kept them (the charity number as filled in from GB-CHC-3334445)
    assert (detail.charity_number, detail.recipient_type) == ("3334445", "voluntary_community")


def test_examples_banner_removal_and_export_page(engine, make_app):
    examples.load_examples(engine=engine, actor=COMMISSIONER)
    at = make_app("app_pages/register.py", actor=COMMISSIONER)
    assert any("EXAMPLE awards are in this register" in w.value for w in at.warning)
    at.button(key="remove_examples").click().run()
    assert not at.exception
    assert examples.has_examples(engine) == 0
    assert not any("EXAMPLE awards" in w.value for w in at.warning)
    at.switch_page("app_pages/export.py").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Download 360Giving JSON",
        "Download 360Giving spreadsheet (XLSX)",
        "Download 360Giving CSV",
    ]
    assert any("VRU_DATA_SOURCE_URL is not set" in w.value for w in at.warning)


def test_export_page_shows_360giving_quality_notices(engine, make_app, monkeypatch, award_data_page):
    """An approved award whose recipient has no postcode or location: the page lists the notices."""
    monkeypatch.setenv("VRU_DATA_SOURCE_URL", "https://example.org/london-vru/grants.json")
    award_id = lifecycle.create_award(engine=engine, actor=COMMISSIONER, data=award_data_page)
    approve(engine, award_id)
    at = make_app("app_pages/export.py", actor=COMMISSIONER)
    assert not at.warning  # every setting is fine
    assert [m.value for m in at.metric] == ["1"]
    (table,) = at.dataframe
    notices = dict(zip(table.value["Notice"], table.value["Kind"], strict=True))
    assert notices == {
        "1 grant(s) do not have recipient organisation location information": "Could be more useful",
        "1 grant(s) have beneficiary location but no recipient location": "Could be more useful",
    }


def test_export_page_refuses_to_publish_with_a_broken_setting(engine, make_app, monkeypatch):
    monkeypatch.setenv("VRU_FUNDER_ORG_ID", "GLA")
    at = make_app("app_pages/export.py", actor=COMMISSIONER)
    assert any("Cannot publish: VRU_FUNDER_ORG_ID" in e.value for e in at.error)
    assert not at.get("download_button")


def test_funding_vs_need_draws_charts_and_maps(engine, make_app):
    examples.load_examples(engine=engine, actor=COMMISSIONER)
    at = make_app("app_pages/funding_vs_need.py")
    assert len(at.get("deck_gl_json_chart")) == 2
    assert len(at.get("vega_lite_chart")) == 4


def test_approve_then_record_payment_and_return_on_the_award_page(engine, make_app):
    award_id = lifecycle.create_award(
        engine=engine,
        actor=COMMISSIONER,
        data={
            "title": "Approve me",
            "recipient_org_id": "GB-CHC-5556667",
            "recipient_name": "Approved Trust",
            "amount_awarded": "45000",
            "award_date": "2026-04-01",
            "planned_start": "2026-05-01",
            "planned_end": "2027-03-31",
            "funding_stream": "young_londoners_fund",
            "objectives": "3",
            "areas": _wards(engine, 3),
        },
    )
    at = make_app("app_pages/award.py", actor=approver())  # not its creator: the separation of duties
    at.query_params["id"] = str(award_id)
    at.run()
    at.button(key=f"to_approved_{award_id}").click().run()
    assert not at.exception
    frozen = need_evidence.frozen_evidence(engine, award_id)
    assert frozen is not None and len(frozen["wards"]) == 3
    assert reads.award_detail(engine, award_id).status == "approved"

    at.text_input(key=f"pay_amount_{award_id}").input("15000")
    at.button(key=f"pay_save_{award_id}").click().run()
    assert not at.exception
    at.text_input(key=f"ret_period_{award_id}").input("2026-Q3")
    at.selectbox(key=f"ret_rag_{award_id}").set_value("amber")
    at.number_input(key=f"ret_people_{award_id}").set_value(150)
    at.number_input(key=f"ret_young_{award_id}").set_value(120)
    at.button(key=f"ret_save_{award_id}").click().run()
    assert not at.exception
    detail = reads.award_detail(engine, award_id)
    assert str(detail.paid) == "15000.00"
    assert [(r.period, r.rag, r.under_25_reached) for r in detail.returns] == [("2026-Q3", "amber", 120)]
    history = [(h.what, h.action) for h in reads.award_history(engine, award_id)]
    assert history == [
        ("award", "create"),
        ("award", "transition"),
        ("payment", "create"),
        ("monitoring_return", "create"),
    ]
