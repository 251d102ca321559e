"""Recipient identifiers and registration numbers, as 360Giving's tools check them (vru_core.register.orgids)."""

from __future__ import annotations

import csv

import pytest

from vru_core.platform.config import REPO_ROOT, get_settings
from vru_core.register import orgids


@pytest.mark.parametrize(
    ("org_id", "clean", "fragment"),
    [
        ("GB-CHC-1123456", "GB-CHC-1123456", None),
        ("GB-CHC-279417", "GB-CHC-279417", None),
        ("gb-chc-1123456", "GB-CHC-1123456", None),  # the prefix in the register's own spelling
        ("GB-CHC-11234567", None, "has 8 digits"),
        ("GB-CHC-1123456-1", None, "linked-charity suffix"),
        ("GB-CHC-12345", None, "not a charity number"),
        ("GB-CHC-SC012345", None, "GB-SC-SC012345"),
        ("GB-CHC-", None, "no valid number"),
        ("GB-COH-01234567", "GB-COH-01234567", None),
        ("GB-COH-sc123456", "GB-COH-SC123456", None),
        ("GB-COH-1234567", None, "pad it with zeros, e.g. 01234567"),
        ("GB-COH-ABC", None, "not a company number"),
        ("GB-SC-SC012345", "GB-SC-SC012345", None),
        ("GB-SC-012345", None, "SC and 6 digits"),
        ("GB-LAE-HCK", "GB-LAE-HCK", None),
        ("GB-LAE-GLA", "GB-LAE-GLA", None),
        ("GB-LAE-Hackney", None, "council code"),
        ("GB-EDU-100000", "GB-EDU-100000", None),
        ("GB-EDU-12", None, "URN"),
        ("GB-NIC-100019", "GB-NIC-100019", None),
        ("GB-SCOTEDU-5244439", "GB-SCOTEDU-5244439", None),  # the longest list code wins over GB-SC
        ("GB-MPR-IP031455", "GB-MPR-IP031455", None),
        ("US-EIN-123456789", "US-EIN-123456789", None),
        ("360G-LondonVRU-ORG-0042", "360G-LondonVRU-ORG-0042", None),
        ("360G-", None, "360G-, the publisher's prefix"),
        ("XI-EXAMPLE-0001", None, "is not a list in the org-id.guide register"),
        ("GB-XYZ-123", None, "not a 360Giving organisation identifier"),
        ("GB-GOVUK-department-for-education", None, "deprecated"),
        ("GB-CHC-1123 456", None, "spaces or line breaks"),
        ("GB-CHC-1123456\n", None, "spaces or line breaks"),
        ("1123456", None, "not a 360Giving organisation identifier"),
        ("Hackney Young Futures", None, "spaces"),
    ],
)
def test_org_id_rules(org_id, clean, fragment):
    cleaned, message = orgids.clean_org_id(org_id)
    if fragment is None:
        assert (cleaned, message) == (clean, None)
    else:
        assert message is not None and fragment in message, message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1123456", None),
        ("279417", None),
        ("SC012345", None),
        ("11234567", "has 8 digits"),
        ("1123456-1", "main charity's number, 1123456"),
        ("12ab", "not a charity number"),
        ("12345", "not a charity number"),
    ],
)
def test_charity_numbers(value, fragment):
    message = orgids.check_charity_number(value)
    assert (message is None) if fragment is None else (fragment in message)


@pytest.mark.parametrize(
    ("org_id", "charity", "company", "numbers", "problem_field"),
    [
        ("GB-CHC-1123456", "", "", {"charity_number": "1123456", "company_number": None}, None),
        ("GB-CHC-1123456", "1123456", "01234567", {"charity_number": "1123456", "company_number": "01234567"}, None),
        ("GB-CHC-1123456", "1999999", "", None, "charity_number"),
        ("GB-COH-01234567", "", "", {"charity_number": None, "company_number": "01234567"}, None),
        ("GB-COH-01234567", "", "09999999", None, "company_number"),
        ("GB-SC-SC012345", "", "", {"charity_number": "SC012345", "company_number": None}, None),
        ("GB-LAE-HCK", "", "sc123456", {"charity_number": None, "company_number": "SC123456"}, None),
    ],
)
def test_numbers_agree_with_the_identifier(org_id, charity, company, numbers, problem_field):
    cleaned, problems = orgids.clean_numbers(org_id, charity, company)
    if problem_field is None:
        assert (cleaned, problems) == (numbers, [])
    else:
        assert [field for field, _ in problems] == [problem_field]
        assert org_id in problems[0][1]


@pytest.mark.parametrize(
    ("text", "clean", "ok"),
    [("E8 1AA", "E8 1AA", True), ("e81aa", "E8 1AA", True), ("SW1A 2AA", "SW1A 2AA", True), ("", None, True),
     ("E8", None, False), ("not a postcode", None, False)],
)  # fmt: skip
def test_postcodes(text, clean, ok):
    value, message = orgids.clean_postcode(text)
    assert value == clean and (message is None) == ok


def test_the_bundled_prefix_list_is_whole_and_documented():
    """The org-id.guide list as bundled: every list once, the ones the register relies on, source and date
    written down in data/SOURCES.md (which also says how to refresh it)."""
    path = get_settings().bundled_data_dir / orgids.PREFIX_FILE
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) > 800
    assert {"GB-CHC", "GB-COH", "GB-LAE", "GB-EDU", "GB-SC", "GB-NIC", "XI-IATI"} <= set(codes)
    assert {r["deprecated"] for r in rows} == {"yes", "no"}
    sources = (REPO_ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert f"`{orgids.PREFIX_FILE}`" in sources and orgids.PREFIX_LIST_DATE in sources
