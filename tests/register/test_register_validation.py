"""Field rules shared by the form and the importer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vru_core.register.validation import Checker, Reference, clean_award, split_list, to_pence, to_pounds, valid_org_id


@pytest.fixture(scope="module")
def ref(loaded_engine) -> Reference:
    return Reference.load(loaded_engine)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("45000", Decimal("45000")),
        ("45000.50", Decimal("45000.50")),
        ("0.01", Decimal("0.01")),
        (45000, Decimal("45000")),
        (Decimal("12.5"), Decimal("12.5")),
    ],
)
def test_amount_accepts_plain_pounds(raw, expected):
    c = Checker()
    assert c.amount({"a": raw}, "a") == expected
    assert c.problems == []


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("45k", "not a plain amount"),
        ("45,000", "not a plain amount"),
        ("£45000", "not a plain amount"),
        ("45 000", "not a plain amount"),
        ("-100", "more than £0"),
        ("0", "more than £0"),
        ("0.00", "more than £0"),
        (0, "more than £0"),
        (-5, "more than £0"),
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("10.005", "more than two decimal places"),
        ("", "required"),
        (None, "required"),
        ("1000000000", "check the figure"),
        ("abc", "not a plain amount"),
    ],
)
def test_amount_refuses_with_a_reason(raw, fragment):
    c = Checker(row=7)
    assert c.amount({"amount_awarded": raw}, "amount_awarded") is None
    assert len(c.problems) == 1
    problem = c.problems[0]
    assert problem.field == "amount_awarded" and problem.row == 7
    assert fragment in problem.message


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("2026-04-01", True), ("2024-02-29", True), ("2026-02-30", False), ("01/04/2026", False), ("2026-4-1", False)],
)
def test_dates_must_be_iso(raw, ok):
    c = Checker()
    value = c.date({"d": raw}, "d")
    assert (value is not None) == ok
    assert (c.problems == []) == ok


def test_end_before_start_is_a_problem_on_the_end_field():
    c = Checker()
    start, end = c.date({"s": "2026-05-01"}, "s"), c.date({"e": "2026-04-30"}, "e")
    c.date_order(start, end)
    assert [p.field for p in c.problems] == ["planned_end"]
    c2 = Checker()
    c2.date_order(start, start)
    assert c2.problems == []


@pytest.mark.parametrize(
    ("org_id", "ok"),
    [
        ("GB-CHC-1123456", True),
        ("GB-CHC-112345A", False),
        ("GB-CHC-11234567", False),  # 8 digits: refused, as 360Giving's quality tool flags it
        ("GB-COH-01234567", True),
        ("GB-LAE-HCK", True),
        ("US-EIN-123456789", True),  # any list in the org-id.guide register
        ("XI-EXAMPLE-0001", False),  # not in it
        ("360G-LondonVRU-ORG-1", True),
        ("Hackney Young Futures", False),
    ],
)
def test_org_id_forms(org_id, ok):
    """The full rules are tested in test_register_orgids; the form and importer use them through here."""
    assert valid_org_id(org_id) is ok


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("charity_number", "1123456", True),
        ("charity_number", "1123456-1", False),  # linked-charity suffix
        ("charity_number", "11234567", False),  # 8 digits
        ("charity_number", "1999999", False),  # does not match GB-CHC-1123456
        ("charity_number", "12ab", False),
        ("charity_number", "12345", False),
        ("company_number", "01234567", True),
        ("company_number", "sc123456", True),
        ("company_number", "1234567", False),
    ],
)
def test_registration_numbers(field, value, ok):
    c = Checker()
    c.organisation({"recipient_org_id": "GB-CHC-1123456", "recipient_name": "X", field: value})
    assert (c.problems == []) == ok
    if not ok:
        assert c.problems[0].field == field


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"recipient_postcode": "e8 1aa"}, "postal_code", "E8 1AA"),
        ({"recipient_location": "e09000012"}, "location_code", "E09000012"),
        ({"recipient_postcode": "nowhere"}, "recipient_postcode", None),
        ({"recipient_location": "E05000026"}, "recipient_location", None),  # a 2014 ward code
        ({}, "postal_code", "absent"),  # an old import file without the column keeps what is stored
    ],
)
def test_where_the_recipient_is_based(ref, changes, field, expected):
    c = Checker(row=4)
    org = c.organisation({"recipient_org_id": "GB-CHC-1123456", "recipient_name": "X", **changes}, ref)
    if field.startswith("recipient_"):
        assert [(p.field, p.row) for p in c.problems] == [(field, 4)]
    else:
        assert c.problems == []
        assert org.get(field, "absent") == expected


@pytest.mark.parametrize(("value", "ok"), [("FRG010", True), ("", True), ("FRG999", False), ("Common Regrant", False)])
def test_regrant_type_is_a_codelist_code(award_data, ref, value, ok):
    clean, problems = clean_award({**award_data, "regrant_type": value}, ref)
    assert (problems == []) == ok
    if ok:
        assert clean.regrant_type == (value or None)
    else:
        assert [p.field for p in problems] == ["regrant_type"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Bell\x07 ringing", "control character"),
        ("Null\x00 here", "NUL character"),
        ("Form\x0cfeed", "control character"),
    ],
)
def test_control_characters_are_refused(award_data, ref, text, said):
    """They cannot be held in a spreadsheet cell, so the XLSX export could not carry them."""
    _, problems = clean_award({**award_data, "title": text}, ref)
    assert [p.field for p in problems] == ["title"] and said in problems[0].message


def test_clean_award_accepts_the_scenario(award_data, ref):
    clean, problems = clean_award(award_data, ref)
    assert problems == []
    assert clean.amount == Decimal("45000") and clean.objectives == [3] and len(clean.areas) == 3
    assert clean.geography_level == "ward"


def test_clean_award_reports_every_problem_at_once(award_data, ref):
    bad = {
        **award_data,
        "title": "",
        "amount_awarded": "45k",
        "planned_end": "2026-01-01",
        "objectives": "9",
        "areas": "E05000026",
        "charity_number": "12ab",
        "funding_stream": "lottery",
    }
    clean, problems = clean_award(bad, ref)
    assert clean is None
    assert {p.field for p in problems} == {
        "title",
        "amount_awarded",
        "planned_end",
        "objectives",
        "areas",
        "charity_number",
        "funding_stream",
    }


@pytest.mark.parametrize(
    ("level", "areas", "field"),
    [
        ("ward", "", "areas"),
        ("london", "E05009367", "areas"),
        ("county", "", "geography_level"),
        ("borough", "E05009367", "areas"),  # a ward code on a borough-level award
    ],
)
def test_geography_rules(award_data, ref, level, areas, field):
    _, problems = clean_award({**award_data, "geography_level": level, "areas": areas}, ref)
    assert field in {p.field for p in problems}


def test_geography_level_is_read_from_codes_when_blank(award_data, ref):
    clean, _ = clean_award({**award_data, "geography_level": "", "areas": "E09000012;E09000030"}, ref)
    assert clean.geography_level == "borough"
    clean, _ = clean_award({**award_data, "geography_level": "", "areas": ""}, ref)
    assert clean.geography_level == "london"


@pytest.mark.parametrize(
    ("split", "ok"),
    [("15000;15000;15000", True), ("20000;20000;5000", True), ("15000;15000;14999", False), ("45000", False)],
)
def test_area_split_must_sum_to_total(award_data, ref, split, ok):
    clean, problems = clean_award({**award_data, "area_amounts": split}, ref)
    assert (clean is not None) == ok
    if not ok:
        assert [p.field for p in problems] == ["area_amounts"]


def test_money_round_trip():
    assert to_pence(Decimal("45000.50")) == 4500050
    assert to_pounds(4500050) == Decimal("45000.50")
    assert split_list(" 3; 5 ;") == ["3", "5"]
