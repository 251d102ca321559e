"""Recipient identifiers and registration numbers, as 360Giving's tools check them (vru_core.register.orgids)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from vru_core.platform.config import REPO_ROOT
from vru_core.register import orgid_list, orgids
from vru_core.register.cli import main


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
        ("XI-EXAMPLE-0001", None, "an administrator can install the full register"),
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


# What a London grants register meets, by list (our own reading of org-id.guide; data/SOURCES.md).
CURATED_MUST_HAVE = {"GB-CHC", "GB-SC", "GB-NIC", "GB-COH", "GB-EDU", "GB-LAE", "GB-LAS", "GB-PLA", "GB-NHS",
                     "GB-GOR", "GB-MPR", "GB-UKPRN", "GB-REV", "GB-SHPE", "XI-IATI", orgids.OWN_PREFIX}  # fmt: skip


def test_the_curated_prefix_list_is_ours_and_documented():
    """Every list once with a name, the ones the register relies on, the deprecated ones marked, and its
    compilation date and the way to install the full register written in data/SOURCES.md."""
    with orgid_list.curated_path().open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(orgid_list.COLUMNS)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)) and all(r["name"] for r in rows)
    assert set(codes) >= CURATED_MUST_HAVE
    assert {r["code"] for r in rows if r["deprecated"] == "yes"} == {"GB-GOVUK", "XI-GRID"}
    sources = (REPO_ROOT / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert f"`{orgid_list.PREFIX_FILE}`" in sources and orgid_list.CURATED_AS_OF in sources
    assert "orgids refresh" in sources


def _download_json(tmp_path, lists) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "download.json"
    path.write_text(json.dumps({"lists": lists}), encoding="utf-8")
    return path


FULL = [  # a register in org-id.guide's published form, with a list the curated subset does not have
    {"code": "GB-CHC", "name": {"en": "Charity Commission", "local": "en/cy"}, "confirmed": True, "deprecated": False},
    {"code": "GB-COH", "name": {"en": "Companies House"}, "confirmed": True},
    {"code": "XI-EXAMPLE", "name": {"en": "An example list"}, "confirmed": False, "deprecated": False},
    {"code": "GB-GOVUK", "name": {"en": "GOV.UK"}, "deprecated": True},
]


def _register_checkout(tmp_path, lists) -> Path:
    for item in lists:
        country = item["code"].split("-")[0].lower()
        (tmp_path / "lists" / country).mkdir(parents=True, exist_ok=True)
        (tmp_path / "lists" / country / f"{item['code'].lower()}.json").write_text(json.dumps(item), encoding="utf-8")
    return tmp_path


def _csv_list(tmp_path, lists) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "orgids.csv"
    rows = [f"{i['code']},{i['name']['en']},{'yes' if i.get('deprecated') else 'no'}" for i in lists]
    path.write_text("code,name,deprecated\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("make_source", [_download_json, _register_checkout, _csv_list])
def test_installing_the_full_register_replaces_the_curated_list(tmp_path, monkeypatch, make_source):
    monkeypatch.setenv("VRU_DATA_DIR", str(tmp_path / "data"))
    message = orgids.clean_org_id("XI-EXAMPLE-0001")[1]
    assert "install the full register" in message and "orgids refresh" in message
    installed = orgid_list.install(make_source(tmp_path / "src", FULL), today=dt.date(2026, 12, 1))
    assert installed.full and "4 lists, installed 2026-12-01" in installed.description
    assert orgids.clean_org_id("XI-EXAMPLE-0001") == ("XI-EXAMPLE-0001", None)
    assert "deprecated" in orgids.clean_org_id("GB-GOVUK-department-for-education")[1]
    assert orgids.clean_org_id("360G-LondonVRU-ORG-0042")[1] is None  # the 360G prefix is added
    message = orgids.clean_org_id("GB-NHS-RQX")[1]  # on the curated list, not on this small register
    assert "is not a list in the org-id.guide register (4 lists" in message and "install the full" not in message
    assert orgid_list.curated_path().exists()  # the bundled file itself is never touched


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"lists": []}', "not org-id.guide's download.json"),
        ('{"codes": [{"code": "GB-CHC"}]}', "not org-id.guide's download.json"),
        ('{"lists": [{"name": {"en": "No code"}}]}', "lists[0]: not an org-id.guide list (no code)"),
        ('{"lists": [{"code": "XI-EXAMPLE"}]}', "not GB-CHC and GB-COH"),
        ("not json", "is not JSON"),
    ],
)
def test_a_source_that_is_not_the_register_installs_nothing(tmp_path, monkeypatch, content, fragment):
    monkeypatch.setenv("VRU_DATA_DIR", str(tmp_path / "data"))
    orgid_list.install(_download_json(tmp_path, FULL))
    before = orgid_list.installed_path().read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(orgid_list.ListSourceError, match=re.escape(fragment)):
        orgid_list.install(bad)
    assert orgid_list.installed_path().read_bytes() == before


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("orgids.csv", "code,title\nGB-CHC,x\n", "no column deprecated, name"),
        ("orgids.csv", "code,name,deprecated\nGB-CHC,x,maybe\n", "row 2: needs a code and deprecated yes or no"),
        ("orgids.csv", b"code,name,deprecated\nGB-CHC,Comisi\xfbn,no\n", "is not UTF-8 text"),
        ("empty-folder", None, "not an org-id/register checkout"),
        ("missing.json", None, "cannot read"),
    ],
)
def test_bad_list_files_are_named(tmp_path, name, content, fragment):
    path = tmp_path / name
    if name == "empty-folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(orgid_list.ListSourceError, match=re.escape(fragment)) as caught:
        orgid_list.read_source(path)
    assert str(path) in str(caught.value)


def test_cli_shows_and_refreshes_the_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VRU_DATA_DIR", str(tmp_path / "data"))
    assert main(["orgids", "show"]) == 0
    out = capsys.readouterr().out
    assert "curated subset" in out and "orgids refresh" in out
    assert main(["orgids", "refresh", str(tmp_path / "nothing-here.json")]) == 2
    assert "Not installed" in capsys.readouterr().err and not orgid_list.installed_path().exists()
    assert main(["orgids", "refresh", str(_download_json(tmp_path, FULL))]) == 0
    assert "Installed the org-id.guide register (4 lists" in capsys.readouterr().out
    assert main(["orgids", "show"]) == 0
    assert "download.json" in capsys.readouterr().out
