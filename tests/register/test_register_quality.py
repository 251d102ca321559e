"""360Giving's data quality checks (vru_core.register.quality_360) on the export: a few hundred realistic
awards raise only the notices README explains, and each check really fires on the mistake it is about."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from tests.register import schema360
from vru_core.platform.config import REPO_ROOT
from vru_core.register import examples, export_360, quality_360
from vru_core.register.importer import import_csv

TODAY = dt.date(2026, 12, 1)
# The example register's organisations are made up, so they have no charity or company number and take
# identifiers under the VRU's own 360G- prefix; README (Open data) explains both notices.
EXPECTED_FOR_EXAMPLES = {"RecipientOrg360GPrefix", "NoRecipientOrgCompanyCharityNumber"}
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.store
def test_a_few_hundred_example_awards_raise_only_the_notices_readme_explains(engine, actors, monkeypatch):
    monkeypatch.setenv("VRU_DATA_SOURCE_URL", "https://example.org/london-vru/grants.json")
    content = examples.example_csv(engine, count=300, statuses=("approved", "active", "completed"))
    assert import_csv(engine=engine, actor=actors["commissioner"], content=content, is_example=True).created == 300
    package = export_360.package(engine, include_examples=True)
    assert len(package["grants"]) == 300 and schema360.errors(package) == []
    fired = {n.check: n for n in quality_360.run_checks(package["grants"])}
    assert set(fired) == EXPECTED_FOR_EXAMPLES, {k: n.heading for k, n in fired.items()}
    assert all(n.kind == quality_360.USEFULNESS for n in fired.values())


@pytest.mark.parametrize("check", sorted(EXPECTED_FOR_EXAMPLES))
def test_readme_explains_each_expected_notice(check):
    section = README.split("### Open data (360Giving)", 1)[1].split("\n### ", 1)[0]
    assert f"`{check}`" in section


GOOD = {
    "id": "360G-LondonVRU-00001",
    "title": "Youth mentoring project",
    "description": "Weekly mentoring for young people at risk of exclusion.",
    "currency": "GBP",
    "amountAwarded": 45000,
    "awardDate": "2026-04-01",
    "plannedDates": [{"startDate": "2026-05-01", "endDate": "2027-03-31"}],
    "recipientOrganization": [
        {
            "id": "GB-CHC-1123456",
            "name": "Hackney Young Futures",
            "charityNumber": "1123456",
            "postalCode": "E8 1AA",
            "location": [{"name": "Hackney", "geoCode": "E09000012", "geoCodeType": "LONB", "countryCode": "GB"}],
        }
    ],
    "fundingOrganization": [
        {"id": "GB-LAE-GLA", "name": "Greater London Authority", "department": "London Violence Reduction Unit"}
    ],
    "grantProgramme": [{"code": "young_londoners_fund", "title": "GLA Young Londoners Fund"}],
    "beneficiaryLocation": [{"name": "Hackney", "geoCode": "E09000012", "geoCodeType": "LONB", "countryCode": "GB"}],
    "classifications": [{"vocabulary": "London VRU strategy objectives", "code": "3", "title": "Young people"}],
    "locationScope": "GLS050",
    "dataSource": "https://example.org/london-vru/grants.json",
    "dateModified": "2026-11-25T15:21:21Z",
}


def _set(path: str, value):
    def change(grant: dict) -> None:
        *parents, last = path.split("/")
        target = grant
        for step in parents:
            target = target[int(step)] if step.isdigit() else target[step]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


def _second_funder(fid: str, name: str):
    """A file-wide check: a second grant from another funder."""
    second = {**copy.deepcopy(GOOD), "id": "x-2", "fundingOrganization": [{"id": fid, "name": name}]}
    return lambda grants: grants.append(second)


def _no_recipient_place(grant: dict) -> None:
    for key in ("postalCode", "location"):
        del grant["recipientOrganization"][0][key]


MISTAKES = {
    "ZeroAmountTest": _set("amountAwarded", 0),
    "FundingOrgUnrecognisedPrefix": _set("fundingOrganization/0/id", "XX-NOPE-1"),
    "RecipientOrgUnrecognisedPrefix": _set("recipientOrganization/0/id", "XI-EXAMPLE-0001"),
    "RecipientOrgCharityNumber": _set("recipientOrganization/0/charityNumber", "1123456-1"),
    "RecipientOrgCompanyNumber": _set("recipientOrganization/0/companyNumber", "1234567"),
    "OrganizationIdLooksInvalid": _set("recipientOrganization/0/id", "GB-CHC-11234567"),
    "OrganizationIdUnexpectedChars": _set("recipientOrganization/0/id", "GB-CHC-1123456\n"),
    "GrantIdUnexpectedChars": _set("id", "360G-LondonVRU-\n00001"),
    "LooksLikeEmail": _set("description", "Contact jo.bloggs@example.org for details"),
    "ImpossibleDates": _set("awardDate", "2026-02-30"),
    "PlannedStartDateBeforeEndDate": _set("plannedDates/0/startDate", "2027-06-01"),
    "FarFuturePlannedDates": _set("plannedDates/0/endDate", "2040-01-01"),
    "FarPastDates": _set("awardDate", "1999-04-01"),
    "PostDatedAwardDates": _set("awardDate", "2027-01-01"),
    "RecipientOrg360GPrefix": _set("recipientOrganization/0/id", "360G-LondonVRU-ORG-1"),
    "FundingOrg360GPrefix": _set("fundingOrganization/0/id", "360G-LondonVRU"),
    "NoRecipientOrgCompanyCharityNumber": _set("recipientOrganization/0/charityNumber", None),
    "IncompleteRecipientOrg": _no_recipient_place,
    "NoGrantProgramme": _set("grantProgramme", None),
    "NoBeneficiaryLocation": _set("beneficiaryLocation", None),
    "TitleDescriptionSame": _set("description", GOOD["title"]),
    "TitleLength": _set("title", "A" * 141),
    "NoLastModified": _set("dateModified", None),
    "NoDataSource": _set("dataSource", None),
    "PlannedDurationNotPresent": _set("plannedDates/0/endDate", None),
    "BeneficiaryLocationNameButNoCode": _set("beneficiaryLocation/0/geoCode", None),
    "BeneficiaryButNotRecipientGeoData": _no_recipient_place,
    "RecipientGeoDataButNoBeneficiary": _set("beneficiaryLocation", []),
    "ClassificationNotPresent": _set("classifications", None),
    "BeneficiaryLocationNameNotPresent": _set("beneficiaryLocation/0/name", None),
    "BeneficiaryLocationCountryCodeNotPresent": _set("beneficiaryLocation/0/countryCode", None),
    "BeneficiaryLocationGeoCodeNotPresent": _set("beneficiaryLocation/0/geoCode", None),
    "GrantProgrammeTitleNotPresent": _set("grantProgramme/0/title", None),
}
FILE_MISTAKES = {
    "MoreThanOneFundingOrg": _second_funder("GB-CHC-1000000", "Another Trust"),
    "MultiFundingNamesForOrgId": _second_funder("GB-LAE-GLA", "GLA"),
    "MultiFundingOrgIdsForName": _second_funder("GB-GOR-PC390", "Greater London Authority"),
}


def test_every_check_is_tried():
    assert set(MISTAKES) | set(FILE_MISTAKES) == set(quality_360.CHECK_NAMES)


def test_a_clean_grant_raises_no_notice():
    assert quality_360.run_checks([copy.deepcopy(GOOD)], today=TODAY) == []


@pytest.mark.parametrize("check", sorted(MISTAKES))
def test_each_check_fires_on_its_mistake(check):
    grant = copy.deepcopy(GOOD)
    MISTAKES[check](grant)
    fired = {n.check: n for n in quality_360.run_checks([grant], today=TODAY)}
    assert check in fired, (check, json.dumps(grant)[:300])
    assert fired[check].count == 1 and fired[check].grant_ids == (grant["id"],)


@pytest.mark.parametrize("check", sorted(FILE_MISTAKES))
def test_each_file_check_fires_on_its_mistake(check):
    grants = [copy.deepcopy(GOOD)]
    FILE_MISTAKES[check](grants)
    assert check in {n.check for n in quality_360.run_checks(grants, today=TODAY)}
