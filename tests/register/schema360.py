"""The 360Giving schema the tests validate against, a validator with format checks on, the standard's
codelists, and flattentool's conversion back to JSON.

Which schema (said in pytest's header and in every failure message, see `in_use()`):

- the official 360Giving Data Standard 1.4.3 grant and package schemas with their codelists, when they
  are installed: a folder named by VRU_360G_SCHEMA_DIR, else `../shared/data/360giving-1.4.3/` beside
  the repository (where CI and the lead's checkout find the steering repo's shared data). The folder
  holds `360-giving-schema.json`, `360-giving-package-schema.json` and `codelists/*.csv`, unchanged
  from the ThreeSixtyGiving/standard repository at tag 1.4.3. They are not in this repository.
- otherwise the older schema bundled in tests/data (see tests/data/SOURCES.md), with the few 1.4.3
  changes this register relies on added in `BUNDLED_UPDATES` (written by us from the standard's
  documentation). Tests that need the official files (their codelists) skip with NOT_INSTALLED.
"""

from __future__ import annotations

import copy
import csv
import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from vru_core.platform.config import REPO_ROOT

ENV = "VRU_360G_SCHEMA_DIR"
SHARED = REPO_ROOT.parent / "shared" / "data" / "360giving-1.4.3"
BUNDLED_DIR = REPO_ROOT / "tests" / "data"
GRANT_FILE, PACKAGE_FILE = "360-giving-schema.json", "360-giving-package-schema.json"
NOT_INSTALLED = "official 360Giving 1.4.3 schema not installed: ask for it in shared/data"

# 1.4.3 changes the bundled (older) schema lacks, as far as this register uses them: organisationType is
# free text in 1.4.3 (the older copy has a placeholder enum ending "List to be updated"); the grant has
# locationScope and regrantType, titled "Location Scope" and "For Regrant Type" in 360Giving's templates,
# codes from the standard's codelists (checked in test_register_export against our own table).
BUNDLED_UPDATES: dict[tuple[str, ...], dict] = {
    ("definitions", "Organization", "properties", "organisationType"): {
        "type": ["string", "null"],
        "title": "Organisation Type",
    },
    ("properties", "locationScope"): {"type": "string", "title": "Location Scope"},
    ("properties", "regrantType"): {"type": "string", "title": "For Regrant Type"},
}


@dataclass(frozen=True)
class Schema:
    official: bool
    folder: Path
    label: str

    @property
    def grant(self) -> dict:
        grant = json.loads((self.folder / GRANT_FILE).read_text(encoding="utf-8"))
        if not self.official:
            for path, value in BUNDLED_UPDATES.items():
                node = grant
                for key in path[:-1]:
                    node = node[key]
                node[path[-1]] = copy.deepcopy(value)
        return grant

    @property
    def package(self) -> dict:
        return json.loads((self.folder / PACKAGE_FILE).read_text(encoding="utf-8"))


def _official_folder() -> Path | None:
    named = os.environ.get(ENV)
    folder = Path(named) if named else SHARED
    if (folder / GRANT_FILE).is_file() and (folder / PACKAGE_FILE).is_file():
        return folder.resolve()
    if named:  # asked for and not there: say so rather than quietly test against the older copy
        raise FileNotFoundError(f"{ENV}={named} has no {GRANT_FILE} and {PACKAGE_FILE}")
    return None


@functools.cache
def in_use() -> Schema:
    folder = _official_folder()
    if folder is not None:
        return Schema(True, folder, f"official 360Giving 1.4.3 schema from {folder}")
    label = f"bundled older 360Giving schema ({BUNDLED_DIR.relative_to(REPO_ROOT)}) with VRU Hub's 1.4.3 updates"
    return Schema(False, BUNDLED_DIR, label)


def official() -> Schema:
    """The official files, or a skip that says how to get them."""
    schema = in_use()
    if not schema.official:
        pytest.skip(NOT_INSTALLED)
    return schema


def format_checker() -> FormatChecker:
    """Every format the schemas use is really checked: 'uri' needs rfc3986-validator and 'date-time'
    rfc3339-validator (requirements-test.txt); without them jsonschema would pass anything."""
    checker = FormatChecker()
    missing = {"uri", "date-time"} - set(checker.checkers)
    assert not missing, f"format checks not available: {missing}"
    return checker


DRAFTS = {"draft-04": (Draft4Validator, DRAFT4), "draft/2020-12": (Draft202012Validator, DRAFT202012)}


@functools.cache
def _validator():
    """The package schema, its $ref to the grant schema (a published address) served from the local
    copy, so nothing is fetched; the JSON Schema draft is the one the files declare (4 or 2020-12)."""
    schema = in_use()
    package, grant = schema.package, schema.grant
    # by the draft the files name (1.4.3 writes http://json-schema.org/draft/2020-12/schema, without https)
    draft = next((d for key, d in DRAFTS.items() if key in package["$schema"]), None)
    assert draft is not None, f"unknown JSON Schema draft {package['$schema']!r} ({schema.label})"
    cls, spec = draft
    ref = package["properties"]["grants"]["items"]["$ref"]
    resource = Resource.from_contents(grant, default_specification=spec)
    uris = {ref} | ({grant["$id"]} if "$id" in grant else set())
    registry = Registry().with_resources([(uri, resource) for uri in uris])
    cls.check_schema(package)
    return cls(package, registry=registry, format_checker=format_checker())


def errors(package: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(package)]


def codelist(name: str) -> dict[str, str]:
    """A codelist of the official 1.4.3 standard (code -> title); skips when the files are not installed."""
    with (official().folder / "codelists" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return {row["Code"]: row["Title"] for row in csv.DictReader(f)}


def unflatten(content: bytes, input_format: str) -> list[dict]:
    """What 360Giving's converter makes of a flat file: flattentool with the grant schema and the
    standard's column titles, as the Data Quality Tool runs it (CSV read as utf-8-sig)."""
    import flattentool  # imported here: only the round-trip tests need it

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        grant_schema = work / GRANT_FILE
        grant_schema.write_text(json.dumps(in_use().grant), encoding="utf-8")
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
            schema=str(grant_schema),
            convert_titles=True,
            encoding="utf-8-sig",
        )
        return json.loads(out.read_text(encoding="utf-8"))["grants"]
