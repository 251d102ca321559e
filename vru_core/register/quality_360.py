"""360Giving's data quality checks that concern this register, run on the export (no Django, no network).

The rules are those of 360Giving's Data Quality Tool (ThreeSixtyGiving/dataquality, lib360dataquality:
`cove/threesixtygiving.py` TEST_CLASSES and `check_field_present.py`), written afresh here: each check
carries the name of the tool's test it follows, so a notice here reads as the tool's would. Left out
are the checks about grants to individuals and about actual dates, which this register never has
(RecipientIndDEI, GeoCodePostcode, RecipientIndWithoutToIndividualsDetails, IndividualsCodeListsNotPresent,
ActualStartDateBeforeEndDate, FarFutureActualDates).

"Quality" notices are mistakes the tool flags as errors; "usefulness" notices say what would make the
data more useful, and some are expected for particular registers (README, Open data).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from vru_core.register import orgids

QUALITY, USEFULNESS = "quality", "usefulness"
_EMAIL = re.compile(r"[\w.-]+@[\w.-]+\.[\w.-]+")
_CHARITY_DIGITS = re.compile(r"^\d{6,7}$")
_COMPANY = re.compile(r"^\w{8}$")


@dataclass(frozen=True)
class Notice:
    check: str  # the Data Quality Tool's name for it, e.g. "NoDataSource"
    kind: str  # quality | usefulness
    heading: str  # what the tool says about the grants it applies to
    count: int  # grants it applies to (for file-wide checks: the number of distinct values)
    grant_ids: tuple[str, ...]  # the first few of them


@dataclass
class Context:
    today: dt.date
    prefixes: frozenset[str]  # lower-case org-id.guide list codes, plus 360g


def _orgs(grant: dict, key: str) -> list[dict]:
    return grant.get(key) or []


def _recognised(org_id: str, ctx: Context) -> bool:
    """As the tool tests it: the identifier starts with some list code (case-insensitive)."""
    lower = org_id.lower()
    return any(lower[:n] in ctx.prefixes for n in range(1, len(lower) + 1))


def _charity_form(value: str) -> bool:
    """The tool's charity number test: 6 or 7 digits, after 2 leading letters if there are any."""
    value = str(value)
    return bool(_CHARITY_DIGITS.match(value[2:] if value[:2].isalpha() else value))


def _dates(grant: dict) -> Iterator[tuple[str, str]]:
    planned = (grant.get("plannedDates") or [{}])[0]
    for name, value in (
        ("awardDate", grant.get("awardDate")),
        ("plannedDates/0/startDate", planned.get("startDate")),
        ("plannedDates/0/endDate", planned.get("endDate")),
    ):
        if value:
            yield name, value.split("T")[0]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _strings(value, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, f"{key}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{key}/{i}")
    elif isinstance(value, str):
        yield key, value


def _years(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def _looks_invalid(org_id: str) -> bool:
    upper = org_id.upper()
    if upper.startswith("GB-CHC-"):
        return not _CHARITY_DIGITS.match(org_id[7:])
    if upper.startswith("GB-COH-"):
        return not _COMPANY.match(org_id[7:])
    return False


def _impossible(grant: dict) -> bool:
    return any(re.fullmatch(r"\d{4}-\d\d-\d\d", v) and _date(v) is None for _, v in _dates(grant))


def _planned(grant: dict) -> tuple[dt.date | None, dt.date | None]:
    planned = (grant.get("plannedDates") or [{}])[0]
    start, end = (planned.get(k) for k in ("startDate", "endDate"))
    return (_date(start.split("T")[0]) if start else None), (_date(end.split("T")[0]) if end else None)


def _recipient_place(grant: dict) -> bool:
    first = (_orgs(grant, "recipientOrganization") or [{}])[0]
    return bool(first.get("postalCode")) or bool(first.get("location"))


# (tool's name, kind, heading, fails(grant, ctx) -> bool)
GrantCheck = tuple[str, str, str, Callable[[dict, Context], bool]]
GRANT_CHECKS: list[GrantCheck] = [
    ("ZeroAmountTest", QUALITY, "have a value of £0", lambda g, c: g.get("amountAwarded") == 0),
    ("FundingOrgUnrecognisedPrefix", QUALITY, "have a Funding Org:Identifier that does not draw from a recognised "
     "register", lambda g, c: any(not _recognised(o.get("id", ""), c) for o in _orgs(g, "fundingOrganization"))),
    ("RecipientOrgUnrecognisedPrefix", QUALITY, "have a Recipient Org:Identifier that does not draw from a "
     "recognised register",
     lambda g, c: any(not _recognised(o.get("id", ""), c) for o in _orgs(g, "recipientOrganization"))),
    ("RecipientOrgCharityNumber", QUALITY, "have a Recipient Org:Charity Number that doesn't look like a UK "
     "charity number", lambda g, c: any("charityNumber" in o and not _charity_form(o["charityNumber"])
                                         for o in _orgs(g, "recipientOrganization"))),
    ("RecipientOrgCompanyNumber", QUALITY, "have a Recipient Org:Company Number that doesn't look like a "
     "company number", lambda g, c: any("companyNumber" in o and not _COMPANY.match(str(o["companyNumber"]))
                                         for o in _orgs(g, "recipientOrganization"))),
    ("OrganizationIdLooksInvalid", QUALITY, "have a Funding or Recipient Organisation identifier that might not "
     "be valid", lambda g, c: any(_looks_invalid(o.get("id", "")) for k in ("fundingOrganization",
                                  "recipientOrganization") for o in _orgs(g, k))),
    ("OrganizationIdUnexpectedChars", QUALITY, "have an organisation identifier with a line break",
     lambda g, c: any("\n" in o.get("id", "") for k in ("fundingOrganization", "recipientOrganization")
                      for o in _orgs(g, k))),
    ("GrantIdUnexpectedChars", QUALITY, "have a grant identifier with a line break",
     lambda g, c: "\n" in g.get("id", "")),
    ("LooksLikeEmail", QUALITY, "contain text that looks like an email address",
     lambda g, c: any("email" not in k and _EMAIL.search(v) for k, v in _strings(g))),
    ("ImpossibleDates", QUALITY, "have dates that don't exist", lambda g, c: bool(_impossible(g))),
    ("PlannedStartDateBeforeEndDate", QUALITY, "have a Planned Dates:Start Date after the End Date",
     lambda g, c: None not in _planned(g) and _planned(g)[0] > _planned(g)[1]),  # type: ignore[operator]
    ("FarFuturePlannedDates", QUALITY, "have planned dates more than 12 years in the future",
     lambda g, c: any(d is not None and d > _years(c.today, 12) for d in _planned(g))),
    ("FarPastDates", QUALITY, "have dates more than 25 years in the past",
     lambda g, c: any((d := _date(v)) is not None and d < _years(c.today, -25) for _, v in _dates(g))),
    ("PostDatedAwardDates", QUALITY, "have an Award Date in the future",
     lambda g, c: (d := _date((g.get("awardDate") or "").split("T")[0])) is not None and d > c.today),
    ("RecipientOrg360GPrefix", USEFULNESS, "have a Recipient Org:Identifier that starts '360G-'",
     lambda g, c: any(o.get("id", "").lower().startswith("360g") for o in _orgs(g, "recipientOrganization"))),
    ("FundingOrg360GPrefix", USEFULNESS, "have a Funding Org:Identifier that starts '360G-'",
     lambda g, c: any(o.get("id", "").lower().startswith("360g") for o in _orgs(g, "fundingOrganization"))),
    ("NoRecipientOrgCompanyCharityNumber", USEFULNESS, "do not have either a Recipient Org:Company Number or a "
     "Recipient Org:Charity Number", lambda g, c: any(not (o.get("companyNumber") or o.get("charityNumber"))
                                                      for o in _orgs(g, "recipientOrganization"))),
    ("IncompleteRecipientOrg", USEFULNESS, "do not have recipient organisation location information",
     lambda g, c: any(not (o.get("postalCode") or any(loc.get("geoCode") for loc in o.get("location") or []))
                      for o in _orgs(g, "recipientOrganization"))),
    ("NoGrantProgramme", USEFULNESS, "do not contain any Grant Programme fields",
     lambda g, c: not g.get("grantProgramme")),
    ("NoBeneficiaryLocation", USEFULNESS, "do not contain any beneficiary location fields",
     lambda g, c: not g.get("beneficiaryLocation")),
    ("TitleDescriptionSame", USEFULNESS, "have a title and a description that are the same",
     lambda g, c: bool(g.get("title")) and g.get("title") == g.get("description")),
    ("TitleLength", USEFULNESS, "have a title that is longer than recommended (140 characters)",
     lambda g, c: len(g.get("title", "")) > 140),
    ("NoLastModified", USEFULNESS, "do not have Last Modified information", lambda g, c: not g.get("dateModified")),
    ("NoDataSource", USEFULNESS, "do not have Data Source information", lambda g, c: not g.get("dataSource")),
    ("PlannedDurationNotPresent", USEFULNESS, "have neither a planned duration nor start and end dates",
     lambda g, c: not ((g.get("plannedDates") or [{}])[0].get("duration") is not None
                       or None not in _planned(g))),
    ("BeneficiaryLocationNameButNoCode", USEFULNESS, "have a beneficiary location name but no geographic code",
     lambda g, c: any(loc.get("name") and not loc.get("geoCode") for loc in g.get("beneficiaryLocation") or [])),
    ("BeneficiaryButNotRecipientGeoData", USEFULNESS, "have beneficiary location but no recipient location",
     lambda g, c: bool(g.get("beneficiaryLocation")) and not _recipient_place(g)),
    ("RecipientGeoDataButNoBeneficiary", USEFULNESS, "have recipient location but no beneficiary location",
     lambda g, c: bool(((_orgs(g, "recipientOrganization") or [{}])[0]).get("location"))
     and not g.get("beneficiaryLocation")),
    # The quality dashboard's "field present" checks.
    ("ClassificationNotPresent", USEFULNESS, "do not contain classifications/0/title",
     lambda g, c: not ((g.get("classifications") or [{}])[0]).get("title")),
    ("BeneficiaryLocationNameNotPresent", USEFULNESS, "do not contain beneficiaryLocation/0/name",
     lambda g, c: not ((g.get("beneficiaryLocation") or [{}])[0]).get("name")),
    ("BeneficiaryLocationCountryCodeNotPresent", USEFULNESS, "do not contain beneficiaryLocation/0/countryCode",
     lambda g, c: not ((g.get("beneficiaryLocation") or [{}])[0]).get("countryCode")),
    ("BeneficiaryLocationGeoCodeNotPresent", USEFULNESS, "do not contain beneficiaryLocation/0/geoCode",
     lambda g, c: not ((g.get("beneficiaryLocation") or [{}])[0]).get("geoCode")),
    ("GrantProgrammeTitleNotPresent", USEFULNESS, "do not contain grantProgramme/0/title",
     lambda g, c: not ((g.get("grantProgramme") or [{}])[0]).get("title")),
]  # fmt: skip
CHECK_NAMES = [name for name, *_ in GRANT_CHECKS] + [
    "MoreThanOneFundingOrg",
    "MultiFundingNamesForOrgId",
    "MultiFundingOrgIdsForName",
]


def _file_checks(grant_list: list[dict]) -> list[Notice]:
    """The checks over the whole file: one funder, and one name per funder id and one id per funder name."""
    names_by_id: dict[str, set[str]] = {}
    ids_by_name: dict[str, set[str]] = {}
    for g in grant_list:
        for o in _orgs(g, "fundingOrganization"):
            names_by_id.setdefault(o.get("id", ""), set()).add(o.get("name", ""))
            ids_by_name.setdefault(o.get("name", ""), set()).add(o.get("id", ""))
    out = []
    if len(names_by_id) > 1:
        out.append(Notice("MoreThanOneFundingOrg", QUALITY, f"{len(names_by_id)} different funding organisation "
                          "identifiers listed", len(names_by_id), tuple(sorted(names_by_id))[:5]))  # fmt: skip
    for check, mapping, what in (
        ("MultiFundingNamesForOrgId", names_by_id, "names for one funding organisation identifier"),
        ("MultiFundingOrgIdsForName", ids_by_name, "identifiers for one funding organisation name"),
    ):
        clashes = sorted(k for k, v in mapping.items() if len(v) > 1)
        if clashes:
            out.append(Notice(check, QUALITY, f"several {what}", len(clashes), tuple(clashes[:5])))
    return out


def run_checks(grant_list: list[dict], *, today: dt.date | None = None) -> list[Notice]:
    """Every notice that fires on these grants (a check that finds nothing gives no notice)."""
    ctx = Context(
        today=today or dt.date.today(),
        prefixes=frozenset({code.lower() for code in orgids.org_lists()} | {orgids.OWN_PREFIX.lower()}),
    )
    notices = []
    for name, kind, heading, fails in GRANT_CHECKS:
        ids = [g.get("id", "") for g in grant_list if fails(g, ctx)]
        if ids:
            notices.append(Notice(name, kind, f"{len(ids):,} grant(s) {heading}", len(ids), tuple(ids[:5])))
    return notices + _file_checks(grant_list)
