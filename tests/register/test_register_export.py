"""360Giving export: schema-valid JSON (validated offline against the vendored schema) and a safe flat CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlmodel import Session

from vru_core.models import Award
from vru_core.register import examples, export_360, lifecycle, money

pytestmark = pytest.mark.store

DATA = Path(__file__).resolve().parent.parent / "data"
GRANT_SCHEMA_URL = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/master/schema/360-giving-schema.json"


RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def _format_checker() -> FormatChecker:
    """Draft 4 formats plus a strict date-time check: the schema's oneOf(date-time, YYYY-MM-DD) needs one,
    or a plain date would match both branches (360Giving's own validator checks date-time the same way)."""
    checker = FormatChecker()

    @checker.checks("date-time")
    def _date_time(value) -> bool:
        return not isinstance(value, str) or bool(RFC3339.fullmatch(value))

    return checker


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    """The package schema, with its remote $ref to the grant schema served from tests/data (no network)."""
    package = json.loads((DATA / "360-giving-package-schema.json").read_text())
    grant = json.loads((DATA / "360-giving-schema.json").read_text())
    registry = Registry().with_resource(GRANT_SCHEMA_URL, Resource.from_contents(grant, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=_format_checker())


def _approve(engine, award_id: int, status: str = "active") -> None:
    with Session(engine) as session:
        award = session.get(Award, award_id)
        award.status = status
        session.add(award)
        session.commit()


@pytest.fixture
def published(engine, actors, award_data) -> dict:
    """Three awards: a ward award with a payment, a borough award, a London-wide one; plus one still proposed."""
    c = actors["commissioner"]
    ids = {
        "ward": lifecycle.create_award(engine=engine, actor=c, data=award_data),
        "borough": lifecycle.create_award(
            engine=engine,
            actor=c,
            data={**award_data, "title": '=HYPERLINK("http://x")', "geography_level": "borough", "areas": "E09000012"},
        ),
        "london": lifecycle.create_award(
            engine=engine,
            actor=c,
            data={**award_data, "title": "@SUM(A1)", "description": "-2+3", "geography_level": "", "areas": ""},
        ),
        "proposed": lifecycle.create_award(engine=engine, actor=c, data={**award_data, "title": "Not yet"}),
    }
    for key in ("ward", "borough", "london"):
        _approve(engine, ids[key])
    money.add_payment(engine=engine, actor=c, award_id=ids["ward"], data={"paid_on": "2026-06-01", "amount": "1000.50"})
    return ids


def test_json_package_is_valid_against_the_360giving_schema(engine, published, validator):
    package = json.loads(export_360.to_json_bytes(engine))
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    assert package["version"] == "1.4"
    assert len(package["grants"]) == 3  # the proposed award is not published


def test_streamed_json_equals_the_package(engine, published):
    """write_json splices shared parts in by hand; it must give exactly what json.dump of the package gives."""
    assert json.loads(export_360.to_json_bytes(engine)) == json.loads(json.dumps(export_360.package(engine)))


def test_a_broken_grant_is_caught_by_the_schema(validator):
    """The validator is live: a grant without its recipient or with a text amount fails."""
    grant = {
        "id": "x",
        "title": "t",
        "description": "d",
        "currency": "GBP",
        "amountAwarded": "45k",
        "awardDate": "2026-04-01",
        "dateModified": "yesterday",
        "fundingOrganization": [{"id": "GB-GOR-PC390", "name": "VRU"}],
    }
    bad = {"grants": [grant]}
    messages = [e.message for e in validator.iter_errors(bad)]
    assert any("recipientOrganization" in m for m in messages)
    assert any("'45k' is not of type 'number'" in m for m in messages)
    assert any("'yesterday' is not a 'date-time'" in m for m in messages)


def test_grant_fields(engine, published, ward_codes):
    grants = {g["title"]: g for g in export_360.grants(engine)}
    ward = grants["Youth mentoring project"]
    assert ward["amountAwarded"] == 45000 and ward["amountDisbursed"] == 1000.5
    assert ward["recipientOrganization"] == [
        {"id": "GB-CHC-1123456", "name": "Hackney Young Futures", "charityNumber": "1123456"}
    ]
    assert ward["fundingOrganization"][0]["id"] == "GB-GOR-PC390"
    assert ward["grantProgramme"] == [{"code": "young_londoners_fund", "title": "GLA Young Londoners Fund"}]
    codes = [(loc["geoCode"], loc["geoCodeType"]) for loc in ward["beneficiaryLocation"]]
    assert codes == [*[(c, "WD") for c in sorted(ward_codes)], ("E09000012", "LONB")]
    assert all(loc["name"] for loc in ward["beneficiaryLocation"])
    assert {"vocabulary": export_360.OBJECTIVE_VOCABULARY, "code": "3", "title": "Young people leading change"} in ward[
        "classifications"
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ward["dateModified"])
    london = grants["@SUM(A1)"]
    assert london["beneficiaryLocation"] == [export_360.LONDON]


def test_examples_are_never_published(engine, actors, published):
    examples.load_examples(engine=engine, actor=actors["commissioner"])
    ids = [g["id"] for g in export_360.grants(engine)]
    assert len(ids) == 3 and not any("EXAMPLE" in i for i in ids)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain title", "Plain title"),
        ("a=b", "a=b"),
        (45000, "45000"),
        (None, ""),
    ],
)
def test_escape_cell(value, expected):
    assert export_360.escape_cell(value) == expected


def test_csv_uses_official_titles_and_escapes_formulas(engine, published):
    text = export_360.to_csv_bytes(engine).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    header = list(rows[0])
    for title in ("Identifier", "Title", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Identifier",
                  "Recipient Org:Charity Number", "Funding Org:Identifier", "Grant Programme:Title",
                  "Planned Dates:Start Date", "Beneficiary Location:0:Geographic Code", "Last modified"):  # fmt: skip
        assert title in header
    titles = {r["Title"] for r in rows}
    assert titles == {"Youth mentoring project", '\'=HYPERLINK("http://x")', "'@SUM(A1)"}
    assert {r["Description"] for r in rows if r["Title"] == "'@SUM(A1)"} == {"'-2+3"}
    assert {r["Amount Awarded"] for r in rows} == {"45000"}
