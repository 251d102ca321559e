"""360Giving export: valid against the 360Giving schema (official 1.4.3 when installed, see schema360;
format checks on), under the GLA as funder, with what 360Giving's tools look for; the CSV verbatim and
the spreadsheet typed."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from tests.register import schema360
from vru_core.models import Award
from vru_core.platform.errors import Refused
from vru_core.register import examples, export_360, export_flat, lifecycle, money
from vru_core.register.codes_360 import BOROUGH_TYPE, LOCATION_SCOPES, REGION_TYPE, REGRANT_TYPES, WARD_TYPE

pytestmark = pytest.mark.store

SOURCE = "https://example.org/london-vru/grants.json"
HOSTILE = ['=HYPERLINK("http://x")', "@SUM(A1)", "-2+3", "+44 20 7983 4000", "Ünïcödé — Łódź · 東京"]


def _approve(engine, award_id: int, status: str = "active") -> None:
    with Session(engine) as session:
        award = session.get(Award, award_id)
        award.status = status
        session.add(award)
        session.commit()


@pytest.fixture
def data_source(monkeypatch) -> str:
    monkeypatch.setenv("VRU_DATA_SOURCE_URL", SOURCE)
    return SOURCE


@pytest.fixture
def published(engine, actors, award_data, data_source) -> dict:
    """A ward award (with a payment, postcode and base), a borough award to a council that makes onward
    grants, a London-wide one, hostile titles; plus one still proposed."""
    c = actors["commissioner"]
    ward = {**award_data, "recipient_postcode": "e8 1aa", "recipient_location": "E09000012"}
    ids = {
        "ward": lifecycle.create_award(engine=engine, actor=c, data=ward),
        "borough": lifecycle.create_award(
            engine=engine,
            actor=c,
            data={
                **award_data,
                "title": HOSTILE[0],
                "recipient_org_id": "GB-LAE-HCK",
                "recipient_name": "London Borough of Hackney",
                "recipient_type": "local_authority",
                "charity_number": "",
                "recipient_location": "E09000012",
                "geography_level": "borough",
                "areas": "E09000012",
                "regrant_type": "FRG010",
            },
        ),
        "london": lifecycle.create_award(
            engine=engine,
            actor=c,
            data={**award_data, "title": HOSTILE[1], "description": HOSTILE[2], "geography_level": "", "areas": ""},
        ),
        "proposed": lifecycle.create_award(engine=engine, actor=c, data={**award_data, "title": "Not yet"}),
    }
    for key in ("ward", "borough", "london"):
        _approve(engine, ids[key])
    money.add_payment(engine=engine, actor=c, award_id=ids["ward"], data={"paid_on": "2026-06-01", "amount": "1000.50"})
    return ids


def test_json_package_is_valid_against_the_official_1_4_3_schema(engine, published):
    package = json.loads(export_360.to_json_bytes(engine))
    assert schema360.errors(package) == []
    assert package["version"] == "1.4"
    assert len(package["grants"]) == 3  # the proposed award is not published


def test_streamed_json_equals_the_package(engine, published):
    """write_json splices shared parts in by hand; it must give exactly what json.dump of the package gives."""
    assert json.loads(export_360.to_json_bytes(engine)) == json.loads(json.dumps(export_360.package(engine)))


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"amountAwarded": "45k"}, "'45k' is not of type 'number'"),
        ({"dateModified": "yesterday"}, "'yesterday' is not a 'date-time'"),
        ({"dataSource": "not a web address"}, "is not a 'uri'"),
        ({"awardDate": "01/04/2026"}, "is not valid under any of the given schemas"),
        # the bundled schema requires a recipient organisation; 1.4.3 one of organisation or individual
        ({"recipientOrganization": None}, "'recipientOrganization' is a required property|not valid under any of"),
    ],
)
def test_a_broken_grant_is_caught_by_the_schema(engine, published, change, fragment):
    """The validator is live, formats included: one wrong field in an otherwise valid grant is reported."""
    package = json.loads(export_360.to_json_bytes(engine))
    grant = {k: v for k, v in {**package["grants"][0], **change}.items() if v is not None}
    package["grants"] = [grant]
    assert any(re.search(fragment, e) for e in schema360.errors(package)), schema360.errors(package)


def test_funder_and_publisher_are_the_gla_with_the_vru_as_department(engine, published):
    package = export_360.package(engine)
    assert package["publisher"] == {"identifier": "GB-LAE-GLA", "name": "Greater London Authority"}
    assert package["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    funders = {json.dumps(g["fundingOrganization"]) for g in package["grants"]}
    assert funders == {
        json.dumps([{"id": "GB-LAE-GLA", "name": "Greater London Authority", "department": "London Violence "
                                                                                         "Reduction Unit"}])
    }  # fmt: skip


def test_grant_fields(engine, published, ward_codes):
    grants = {g["title"]: g for g in export_360.grants(engine)}
    ward = grants["Youth mentoring project"]
    assert ward["amountAwarded"] == 45000 and ward["amountDisbursed"] == 1000.5
    assert ward["recipientOrganization"] == [
        {
            "id": "GB-CHC-1123456",
            "name": "Hackney Young Futures",
            "charityNumber": "1123456",
            "postalCode": "E8 1AA",
            "organisationType": "Voluntary or community organisation",
            "location": [{"name": "Hackney", "geoCode": "E09000012", "geoCodeType": BOROUGH_TYPE, "countryCode": "GB"}],
        }
    ]
    assert ward["dataSource"] == SOURCE and ward["locationScope"] == LOCATION_SCOPES["ward"] == "GLS060"
    assert ward["grantProgramme"] == [{"code": "young_londoners_fund", "title": "GLA Young Londoners Fund"}]
    codes = [(loc["geoCode"], loc["geoCodeType"]) for loc in ward["beneficiaryLocation"]]
    assert codes == [*[(c, WARD_TYPE) for c in sorted(ward_codes)], ("E09000012", BOROUGH_TYPE)]
    assert all(loc["name"] for loc in ward["beneficiaryLocation"])
    assert {"vocabulary": export_360.OBJECTIVE_VOCABULARY, "code": "3", "title": "Young people leading change"} in ward[
        "classifications"
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ward["dateModified"])
    assert "regrantType" not in ward
    council = grants[HOSTILE[0]]
    assert council["regrantType"] == "FRG010" and council["locationScope"] == "GLS050"
    assert council["recipientOrganization"][0]["organisationType"] == "Local authority"
    london = grants[HOSTILE[1]]
    assert london["beneficiaryLocation"] == [
        {"name": "London", "geoCode": "E12000007", "geoCodeType": "RGN/GOR", "countryCode": "GB"}
    ]
    assert london["locationScope"] == "GLS040"


def test_a_blank_description_is_not_the_title(engine, actors, award_data, data_source):
    """360Giving flags a description equal to the title; a blank one is said in words from the award."""
    award_id = lifecycle.create_award(
        engine=engine, actor=actors["commissioner"], data={**award_data, "description": ""}
    )
    _approve(engine, award_id)
    (grant,) = export_360.grants(engine)
    assert grant["description"] == "Youth mentoring project: a GLA Young Londoners Fund grant to Hackney Young Futures."


# The codes the register publishes, by codelist of the 360Giving Data Standard 1.4.3 (codelists/*.csv),
# written down here by hand from the standard so the check runs without its files.
STANDARD_CODES = {
    "geoCodeType": {"WD", "LONB", "RGN/GOR"},  # electoral wards, London boroughs, regions (formerly GOR)
    "locationScope": {"GLS060", "GLS050", "GLS040"},  # a small area, a local authority, a subnational region
    "regrantType": {"FRG010", "FRG020", "FRG030", "FRG040", "FRG050", "FRG060", "FRG070"},
}


def test_codes_are_those_of_the_standard():
    assert {WARD_TYPE, BOROUGH_TYPE, REGION_TYPE} == STANDARD_CODES["geoCodeType"]
    assert set(LOCATION_SCOPES.values()) == STANDARD_CODES["locationScope"]
    assert LOCATION_SCOPES["ward"] == "GLS060" and LOCATION_SCOPES["london"] == "GLS040"
    assert set(REGRANT_TYPES) == STANDARD_CODES["regrantType"]
    assert REGRANT_TYPES["FRG010"] == "Common Regrant" and all(REGRANT_TYPES.values())


def test_codes_are_in_the_official_1_4_3_codelists():
    """With the official files installed: every code we use is on its codelist, regrant titles as it has them."""
    regrant = schema360.codelist("regrantType")
    assert {c: regrant[c] for c in REGRANT_TYPES} == REGRANT_TYPES
    assert STANDARD_CODES["locationScope"] <= set(schema360.codelist("locationScope"))
    assert STANDARD_CODES["geoCodeType"] <= set(schema360.codelist("geoCodeType"))


def test_the_bundled_schema_needs_each_1_4_3_update():
    """Each hand-written update to the bundled schema is something it lacks or has differently."""
    raw = json.loads((schema360.BUNDLED_DIR / schema360.GRANT_FILE).read_text(encoding="utf-8"))
    for path, value in schema360.BUNDLED_UPDATES.items():
        node = raw
        for key in path[:-1]:
            node = node[key]
        assert node.get(path[-1]) != value, path


def test_a_named_schema_folder_that_is_not_there_is_an_error(monkeypatch, tmp_path):
    """Asking for the official files and not having them never falls back quietly to the bundled schema."""
    monkeypatch.setenv(schema360.ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=schema360.ENV):
        schema360._official_folder()


@pytest.mark.parametrize(
    ("env", "level", "fragment"),
    [
        ({}, "warning", "VRU_DATA_SOURCE_URL is not set"),
        ({"VRU_DATA_SOURCE_URL": "grants.json"}, "error", "is not a web address"),
        ({"VRU_OPEN_DATA_LICENCE": "OGL"}, "error", "is not a licence address"),
        ({"VRU_FUNDER_ORG_ID": "GB-GLA"}, "error", "VRU_FUNDER_ORG_ID"),
        ({"VRU_AWARD_ID_PREFIX": "LondonVRU-"}, "warning", "does not start with 360G-"),
    ],
)
def test_settings_that_break_publication_are_named(engine, monkeypatch, env, level, fragment):
    monkeypatch.delenv("VRU_DATA_SOURCE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    errors, warnings = export_360.settings_notes()
    assert any(fragment in m for m in (errors if level == "error" else warnings)), (errors, warnings)
    if level == "error":
        with pytest.raises(Refused, match=re.escape(fragment)):
            export_360.grants(engine)


def test_default_settings_publish_without_errors(engine, data_source):
    assert export_360.settings_notes() == ([], [])


def test_examples_are_never_published(engine, actors, published):
    examples.load_examples(engine=engine, actor=actors["commissioner"])
    ids = [g["id"] for g in export_360.grants(engine)]
    assert len(ids) == 3 and not any("EXAMPLE" in i for i in ids)


def test_csv_uses_official_titles_and_carries_values_verbatim(engine, published):
    text = export_flat.to_csv_bytes(engine).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = list(rows[0])
    for title in ("Identifier", "Title", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Identifier",
                  "Recipient Org:Charity Number", "Recipient Org:Postal Code", "Recipient Org:Organisation Type",
                  "Recipient Org:Location:0:Geographic Code", "Funding Org:Identifier", "Funding Org:Department",
                  "Grant Programme:Title", "Planned Dates:Start Date", "Beneficiary Location:0:Geographic Code",
                  "Location Scope", "For Regrant Type", "Data Source", "Last Modified"):  # fmt: skip
        assert title in header
    assert {r["Title"] for r in rows} == {"Youth mentoring project", HOSTILE[0], HOSTILE[1]}
    assert {r["Description"] for r in rows if r["Title"] == HOSTILE[1]} == {HOSTILE[2]}
    assert {r["Amount Awarded"] for r in rows} == {"45000"}


def test_xlsx_types_every_text_cell_as_text(engine, published):
    """Text stays text (a leading '=' never becomes a formula), amounts are numbers, the header is the CSV's."""
    sheet = load_workbook(io.BytesIO(export_flat.to_xlsx_bytes(engine)))[export_flat.SHEET]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    csv_header = next(csv.reader(io.StringIO(export_flat.to_csv_bytes(engine).decode("utf-8-sig"))))
    assert header == csv_header
    cells = [c for row in rows for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    amounts = [row[header.index("Amount Awarded")] for row in rows[1:]]
    assert [(c.value, c.data_type) for c in amounts] == [(45000, "n")] * 3
    titles = {row[header.index("Title")].value: row[header.index("Title")].data_type for row in rows[1:]}
    assert titles == {"Youth mentoring project": "s", HOSTILE[0]: "s", HOSTILE[1]: "s"}
    text = [c for c in cells if isinstance(c.value, str)]
    assert text and all(c.data_type == "s" for c in text)
