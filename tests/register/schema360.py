"""The official 360Giving Data Standard 1.4.3 schemas and codelists (tests/data/360giving-1.4.3, see
tests/data/SOURCES.md), a validator with format checks on, and flattentool's conversion back to JSON."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

STANDARD = Path(__file__).resolve().parent.parent / "data" / "360giving-1.4.3"
GRANT_SCHEMA = STANDARD / "360-giving-schema.json"
PACKAGE_SCHEMA = STANDARD / "360-giving-package-schema.json"


def format_checker() -> FormatChecker:
    """Every format the schemas use is really checked: 'uri' needs rfc3986-validator and 'date-time'
    rfc3339-validator (requirements-test.txt); without them jsonschema would pass anything."""
    checker = FormatChecker()
    missing = {"uri", "date-time"} - set(checker.checkers)
    assert not missing, f"format checks not available: {missing}"
    return checker


def validator() -> Draft202012Validator:
    """The package schema, its $ref to the grant schema (the published 1.4.2 address the 1.4.3 tag still
    names) served from the vendored copy, so nothing is fetched."""
    package = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    grant = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    ref = package["properties"]["grants"]["items"]["$ref"]
    resource = Resource.from_contents(grant, default_specification=DRAFT202012)
    registry = Registry().with_resources([(ref, resource), (grant["$id"], resource)])
    return Draft202012Validator(package, registry=registry, format_checker=format_checker())


def errors(package: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(package)]


def codelist(name: str) -> dict[str, str]:
    with (STANDARD / "codelists" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return {row["Code"]: row["Title"] for row in csv.DictReader(f)}


def unflatten(content: bytes, input_format: str) -> list[dict]:
    """What 360Giving's converter makes of a flat file: flattentool with the grant schema and the
    standard's column titles, as the Data Quality Tool runs it (CSV read as utf-8-sig)."""
    import flattentool  # imported here: only the round-trip tests need it

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if input_format == "csv":
            (work / "in").mkdir()
            (work / "in" / "grants.csv").write_bytes(content)
            source = work / "in"
        else:
            source = work / "grants.xlsx"
            source.write_bytes(content)
        out = work / "out.json"
        flattentool.unflatten(
            str(source),
            output_name=str(out),
            input_format=input_format,
            root_list_path="grants",
            root_id="",
            schema=str(GRANT_SCHEMA),
            convert_titles=True,
            encoding="utf-8-sig",
        )
        return json.loads(out.read_text(encoding="utf-8"))["grants"]
