"""The register as open data: a 360Giving Data Standard 1.4 package (JSON). The flat CSV and the
spreadsheet (XLSX) with the standard's column titles are built from the same grants (export_flat).

Published: awards that are approved, active or completed (money the VRU has committed), never the
example register. The funder is the Greater London Authority (`GB-LAE-GLA`) with the VRU as its
department; beneficiary locations carry the ward and borough names and their GSS codes, the
location scope says how local the award is, and recipients carry where they are based.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import re
from collections import defaultdict
from typing import IO

from sqlalchemy import BigInteger, Engine, cast, func, select

from vru_core.models import (
    Award,
    AwardArea,
    AwardObjective,
    Borough,
    FundingStream,
    Objective,
    Organisation,
    Payment,
    PriorityArea,
    Ward,
)
from vru_core.platform.config import Settings, get_settings
from vru_core.platform.errors import Refused
from vru_core.register import orgids
from vru_core.register.codes_360 import BOROUGH_TYPE, LOCATION_SCOPES, LONDON_REGION, WARD_TYPE
from vru_core.register.query import iso_date, iso_timestamp
from vru_core.register.validation import ORG_TYPES

SCHEMA_VERSION = "1.4"  # the package's version field takes major.minor; the grants follow 1.4.3
PUBLISHED_STATUSES = ("approved", "active", "completed")
LONDON = LONDON_REGION
OBJECTIVE_VOCABULARY = "London VRU strategy objectives"
PRIORITY_VOCABULARY = "London VRU first-year priority areas"
_WEB_ADDRESS = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def settings_notes(settings: Settings | None = None) -> tuple[list[str], list[str]]:
    """(errors that stop publication, warnings to fix before publishing) about the open-data settings."""
    s = settings or get_settings()
    errors, warnings = [], []
    if not s.data_source_url:
        warnings.append(
            "VRU_DATA_SOURCE_URL is not set, so the grants carry no Data Source: set it to the web address "
            "where the published file will live before publishing."
        )
    elif not _WEB_ADDRESS.match(s.data_source_url):
        errors.append(f"VRU_DATA_SOURCE_URL {s.data_source_url!r} is not a web address (https://…).")
    if not _WEB_ADDRESS.match(s.open_data_licence):
        errors.append(f"VRU_OPEN_DATA_LICENCE {s.open_data_licence!r} is not a licence address (https://…).")
    message = orgids.clean_org_id(s.funder_org_id)[1]
    if message:
        errors.append(f"VRU_FUNDER_ORG_ID: {message}")
    if not s.award_id_prefix.startswith("360G-"):
        warnings.append(
            f"VRU_AWARD_ID_PREFIX {s.award_id_prefix!r} does not start with 360G-: 360Giving expects every grant "
            "identifier to start with the publisher's registered 360G- prefix."
        )
    return errors, warnings


def _amount(pence: int) -> int | float:
    pence = int(pence)  # PostgreSQL's SUM over integers comes back as Decimal, which JSON cannot hold
    return pence // 100 if pence % 100 == 0 else pence / 100


def _area(code: str, wards: dict, boroughs: dict) -> dict:
    if code in wards:
        return {"name": wards[code][0], "geoCode": code, "geoCodeType": WARD_TYPE, "countryCode": "GB"}
    return {"name": boroughs.get(code, code), "geoCode": code, "geoCodeType": BOROUGH_TYPE, "countryCode": "GB"}


def grants(engine: Engine, *, include_examples: bool = False) -> list[dict]:
    """One 360Giving grant object per published award, built from a handful of set queries (no per-award I/O)."""
    settings = get_settings()
    errors, _ = settings_notes(settings)
    if errors:
        raise Refused(" ".join(errors))  # a setting would make the file invalid: says which and how to fix it
    funder = {"id": settings.funder_org_id, "name": settings.funder_name}
    if settings.funder_department:
        funder["department"] = settings.funder_department
    funders = [funder]
    with engine.connect() as conn:
        query = (
            select(
                Award.id,
                Award.identifier,
                Award.title,
                Award.description,
                Award.amount_pence,
                iso_date(Award.award_date),
                iso_date(Award.planned_start),
                iso_date(Award.planned_end),
                Award.funding_stream_code,
                FundingStream.name,
                Award.priority_area_code,
                Award.geography_level,
                Award.regrant_type,
                iso_timestamp(Award.updated_at, engine.dialect.name),
                Organisation.org_id,
                Organisation.name,
                Organisation.org_type,
                Organisation.charity_number,
                Organisation.company_number,
                Organisation.postal_code,
                Organisation.location_code,
            )
            .join(Organisation, Organisation.id == Award.organisation_id)
            .join(FundingStream, FundingStream.code == Award.funding_stream_code)
            .where(Award.status.in_(PUBLISHED_STATUSES))
            .order_by(Award.identifier)
        )
        if not include_examples:
            query = query.where(Award.is_example.is_(False))
        awards = conn.execute(query).all()
        paid = dict(
            conn.execute(
                select(Payment.award_id, cast(func.sum(Payment.amount_pence), BigInteger)).group_by(Payment.award_id)
            ).all()
        )
        objectives = defaultdict(list)
        for award_id, number in conn.execute(select(AwardObjective.award_id, AwardObjective.objective_number)).all():
            objectives[award_id].append(number)
        areas = defaultdict(list)
        for award_id, code, kind in conn.execute(
            select(AwardArea.award_id, AwardArea.area_code, AwardArea.area_type)
        ).all():
            areas[award_id].append((code, kind))
        wards = {c: (n, b) for c, n, b in conn.execute(select(Ward.code, Ward.name, Ward.borough_code))}
        boroughs = dict(conn.execute(select(Borough.code, Borough.name)).all())
        objective_titles = dict(conn.execute(select(Objective.number, Objective.title)).all())
        priority_titles = dict(conn.execute(select(PriorityArea.code, PriorityArea.title)).all())

    @functools.cache
    def classification(numbers: tuple[int, ...], priority: str | None) -> list[dict]:
        """Shared between grants with the same objectives and priority area (few combinations, many grants)."""
        items = [
            {"vocabulary": OBJECTIVE_VOCABULARY, "code": str(n), "title": objective_titles.get(n, str(n))}
            for n in numbers
        ]
        if priority:
            items.append(
                {"vocabulary": PRIORITY_VOCABULARY, "code": priority, "title": priority_titles.get(priority, priority)}
            )
        return items

    @functools.cache
    def programme(code: str, title: str) -> list[dict]:
        return [{"code": code, "title": title}]

    @functools.cache
    def locations(level: str, codes: tuple[tuple[str, str], ...]) -> list[dict]:
        return _locations(level, list(codes), wards, boroughs)

    @functools.cache
    def based_at(code: str) -> list[dict]:
        return [_area(code, wards, boroughs)]

    out = []
    for a in awards:
        (award_id, identifier, title, description, pence, award_date, start, end, stream, stream_name, priority,
         level, regrant, updated, org_id, org_name, org_type, charity, company, postcode, based) = a  # fmt: skip
        recipient = {"id": org_id, "name": org_name}
        if charity:
            recipient["charityNumber"] = charity
        if company:
            recipient["companyNumber"] = company
        if postcode:
            recipient["postalCode"] = postcode
        recipient["organisationType"] = ORG_TYPES.get(org_type, org_type)
        if based:
            recipient["location"] = based_at(based)
        grant = {
            "id": identifier,
            "title": title,
            "description": description or f"{title}: a {stream_name} grant to {org_name}.",
            "currency": "GBP",
            "amountAwarded": _amount(pence),
            "awardDate": award_date,
            "plannedDates": [{"startDate": start, "endDate": end}],
            "recipientOrganization": [recipient],
            "fundingOrganization": funders,
            "grantProgramme": programme(stream, stream_name),
            "beneficiaryLocation": locations(level, tuple(sorted(areas.get(award_id, ())))),
            "locationScope": LOCATION_SCOPES.get(level, LOCATION_SCOPES["london"]),
            "classifications": classification(tuple(sorted(objectives.get(award_id, ()))), priority),
            "dateModified": updated,
        }
        if paid.get(award_id):
            grant["amountDisbursed"] = _amount(paid[award_id])
        if regrant:
            grant["regrantType"] = regrant
        if settings.data_source_url:
            grant["dataSource"] = settings.data_source_url
        out.append(grant)
    return out


def _locations(level: str, codes: list[tuple[str, str]], wards: dict, boroughs: dict) -> list[dict]:
    """The wards served, then their boroughs (or the boroughs served); London-wide: the London region."""
    if level == "london" or not codes:
        return [dict(LONDON)]
    ward_codes = [code for code, kind in codes if kind == "ward" and code in wards]
    borough_codes = [wards[code][1] for code in ward_codes] + [c for c, kind in codes if c not in ward_codes]
    return [_area(code, wards, boroughs) for code in [*ward_codes, *dict.fromkeys(borough_codes)]]


def package(engine: Engine, *, include_examples: bool = False, issued: dt.date | None = None) -> dict:
    """The grants with the package metadata; the publisher is the funder (the GLA publishes for the VRU)."""
    settings = get_settings()
    issued = issued or dt.date.today()
    unit = settings.funder_department or settings.funder_name
    return {
        "version": SCHEMA_VERSION,
        "title": f"{unit}: grants",
        "description": f"Grants committed by the {unit} ({settings.funder_name}), with the wards and boroughs "
        "they serve.",
        "issued": issued.isoformat(),
        "identifier": f"{settings.award_id_prefix}register-{issued.isoformat()}",
        "publisher": {"identifier": settings.funder_org_id, "name": settings.funder_name},
        "license": settings.open_data_licence,
        "grants": grants(engine, include_examples=include_examples),
    }


# Parts of a grant that many grants share (the very same list objects, see `grants`): serialised once each.
SHARED_KEYS = ("fundingOrganization", "grantProgramme", "beneficiaryLocation", "classifications")


def write_json(engine: Engine, out: IO[str], **kwargs) -> int:
    """The package, written grant by grant; shared parts are encoded once and spliced in (the same JSON
    `json.dump(package(...))` gives, in a third of the time for 100,000 grants)."""
    data = package(engine, **kwargs)
    grant_list = data.pop("grants")
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    memo: dict[int, str] = {}

    def shared(value) -> str:
        key = id(value)
        if key not in memo:
            memo[key] = dumps(value)
        return memo[key]

    out.write(dumps(data)[:-1] + ',"grants":[')
    for i, grant in enumerate(grant_list):
        own = {k: v for k, v in grant.items() if k not in SHARED_KEYS}
        tail = "".join(f',"{k}":{shared(grant[k])}' for k in SHARED_KEYS if k in grant)
        out.write(("," if i else "") + dumps(own)[:-1] + tail + "}")
    out.write("]}")
    return len(grant_list)


def to_json_bytes(engine: Engine, **kwargs) -> bytes:
    buffer = io.StringIO()
    write_json(engine, buffer, **kwargs)
    return buffer.getvalue().encode("utf-8")
