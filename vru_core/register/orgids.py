"""Recipient organisation identifiers and registration numbers, checked as 360Giving's own tools check them.

An organisation identifier is a list prefix from the org-id.guide register (the list in force is VRU
Hub's curated subset, or the full register once installed: vru_core.register.orgid_list) followed by
the organisation's number on that list, e.g. `GB-CHC-1123456`. An organisation with no registered
number takes an identifier under a 360Giving publisher prefix (`360G-…`). On top of "is the prefix
on the list", the rules that 360Giving's Data Quality Tool applies (lib360dataquality: OrganizationIdLooksInvalid,
RecipientOrgCharityNumber, RecipientOrgCompanyNumber, OrganizationIdUnexpectedChars):

- a Charity Commission number (`GB-CHC-`, and the charity number field) has 6 or 7 digits: no 8-digit
  numbers (those are usually company numbers) and no linked-charity suffix such as `-1` (use the
  main charity's number); a Scottish charity number is `SC` and 6 digits (`GB-SC-SC012345`);
- a Companies House number (`GB-COH-`) has 8 characters: 8 digits, or 2 letters and 6 digits;
- no spaces or line breaks anywhere.

Every check returns the cleaned value and a message (None when the value is fine), so the caller
decides which field the problem belongs to.
"""

from __future__ import annotations

import re

from vru_core.register.orgid_list import OWN_PREFIX, REFRESH_COMMAND, OrgList, prefix_list

_LOCAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_CHARITY = re.compile(r"^\d{6,7}$")
_SCOTTISH_CHARITY = re.compile(r"^SC\d{6}$")
_COMPANY = re.compile(r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$")
_LOCAL_RULES = {  # registers whose numbers have a fixed form; any other list takes any well-formed local id
    "GB-LAE": (re.compile(r"^[A-Z]{3,4}$"), "a 3- or 4-letter council code, e.g. GB-LAE-HCK"),
    "GB-EDU": (re.compile(r"^\d{6}$"), "the school's 6-digit URN, e.g. GB-EDU-100000"),
    "GB-NIC": (re.compile(r"^\d{6}$"), "the 6-digit Northern Ireland charity number, e.g. GB-NIC-100019"),
}


def org_lists() -> dict[str, OrgList]:
    """Every list in force (curated subset or installed full register), by upper-case code."""
    return prefix_list().lists


def split_prefix(org_id: str) -> tuple[OrgList | None, str]:
    """The longest org-id.guide list code the identifier starts with (GB-SCOTEDU before GB-SC), and the rest."""
    lists = org_lists()
    upper = org_id.upper()
    parts = upper.split("-")
    for n in range(len(parts) - 1, 0, -1):
        found = lists.get("-".join(parts[:n]))
        if found is not None:
            return found, org_id[len(found.code) + 1 :]
    return None, org_id


def _unknown_prefix(org_id: str) -> str:
    in_force = prefix_list()
    prefix = "-".join(org_id.split("-")[:2]) or org_id
    message = (
        f"{org_id!r} is not a 360Giving organisation identifier: {prefix!r} is not a list in {in_force.description}; "
        "use GB-CHC-<charity number>, GB-COH-<company number>, GB-LAE-<council code>, GB-EDU-<school URN>, "
        "another org-id.guide prefix, or 360G-… for a group with no registered number"
    )
    if not in_force.full:
        message += (
            f". If {prefix} is a list on org-id.guide, an administrator can install the full register "
            f"({REFRESH_COMMAND}; README, Open data)"
        )
    return message


def check_charity_number(value: str) -> str | None:
    """None if `value` is a charity number in the form the quality tool expects, else what is wrong."""
    if _CHARITY.match(value) or _SCOTTISH_CHARITY.match(value):
        return None
    if re.fullmatch(r"\d{6,7}-\d+", value):
        main = value.split("-")[0]
        return (
            f"{value!r} has a linked-charity suffix: 360Giving's tools expect the main charity's number, "
            f"{main} (a linked charity is reported under its main charity)"
        )
    if re.fullmatch(r"\d{8,}", value):
        return (
            f"{value!r} has {len(value)} digits: a Charity Commission number has 6 or 7 (an 8-digit number is "
            "usually a company number, which goes in the company number field)"
        )
    return (
        f"{value!r} is not a charity number: 6 or 7 digits for England and Wales (e.g. 1123456), "
        "or SC and 6 digits for Scotland (e.g. SC012345)"
    )


def check_company_number(value: str) -> str | None:
    if _COMPANY.match(value):
        return None
    if re.fullmatch(r"\d{1,7}", value):
        return f"{value!r} is not a company number: 8 characters, so pad it with zeros, e.g. {value.zfill(8)}"
    return f"{value!r} is not a company number: 8 digits (e.g. 01234567), or 2 letters and 6 digits (e.g. SC123456)"


def clean_org_id(org_id: str) -> tuple[str, str | None]:
    """(identifier with its prefix in the register's own spelling, problem or None)."""
    if re.search(r"\s", org_id):
        return org_id, f"{org_id!r} contains spaces or line breaks: 360Giving's tools cannot use it"
    if org_id.upper().startswith(OWN_PREFIX + "-"):
        rest = org_id[len(OWN_PREFIX) + 1 :]
        if not re.fullmatch(r"[A-Za-z0-9]+-[A-Za-z0-9][A-Za-z0-9._/-]*", rest):
            return org_id, (
                f"{org_id!r}: an identifier for an organisation with no registered number is 360G-, the "
                "publisher's prefix and its own reference, e.g. 360G-LondonVRU-ORG-0042"
            )
        return f"{OWN_PREFIX}-{rest}", None
    found, local = split_prefix(org_id)
    if found is None:
        return org_id, _unknown_prefix(org_id)
    if found.deprecated:
        return (
            org_id,
            f"{found.code} ({found.name}) is deprecated in org-id.guide: use the organisation's current register",
        )
    if not local or not _LOCAL_ID.match(local):
        return org_id, f"{org_id!r} has no valid number after {found.code}-"
    clean = f"{found.code}-{local}"
    if found.code == "GB-CHC":
        if _CHARITY.match(local):
            return clean, None
        if _SCOTTISH_CHARITY.match(local.upper()):
            return clean, f"{org_id!r}: a Scottish charity's identifier is GB-SC-{local.upper()}"
        return clean, check_charity_number(local)
    if found.code == "GB-COH":
        local = local.upper()
        return f"{found.code}-{local}", check_company_number(local)
    if found.code == "GB-SC" and not _SCOTTISH_CHARITY.match(local.upper()):
        return clean, f"{org_id!r}: a Scottish charity is GB-SC- then SC and 6 digits, e.g. GB-SC-SC012345"
    if found.code in _LOCAL_RULES:
        pattern, form = _LOCAL_RULES[found.code]
        if not pattern.match(local.upper()):
            return clean, f"{org_id!r} is not a {found.name} identifier: use {form}"
        return f"{found.code}-{local.upper()}", None
    return clean, None


def number_in_id(org_id: str) -> tuple[str, str] | None:
    """('charity_number' | 'company_number', the number) when the identifier is built on one."""
    for prefix, field in (("GB-CHC-", "charity_number"), ("GB-SC-", "charity_number"), ("GB-COH-", "company_number")):
        if org_id.startswith(prefix):
            return field, org_id[len(prefix) :]
    return None


def clean_numbers(org_id: str, charity: str, company: str) -> tuple[dict, list[tuple[str, str]]]:
    """Charity and company numbers in capitals, checked, and agreeing with an identifier built on one
    (GB-CHC-1123456 fills in a blank charity number 1123456, and refuses a different one)."""
    numbers = {"charity_number": charity.upper() or None, "company_number": company.upper() or None}
    problems = []
    for field, check in (("charity_number", check_charity_number), ("company_number", check_company_number)):
        value = numbers[field]
        message = check(value) if value else None
        if message:
            problems.append((field, message))
    in_id = number_in_id(org_id)
    if in_id is not None:
        field, number = in_id
        if numbers[field] is None:
            numbers[field] = number
        elif numbers[field] != number and field not in dict(problems):  # one problem per field
            problems.append((field, f"{numbers[field]} does not match the organisation identifier {org_id}"))
    return numbers, problems


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def clean_postcode(text: str) -> tuple[str | None, str | None]:
    """A UK postcode in capitals with one space (e8 1aa -> E8 1AA), or a problem."""
    match = _POSTCODE.match(text.upper())
    if text and not match:
        return None, f"{text!r} is not a UK postcode (e.g. E8 1AA)"
    return (f"{match.group(1)} {match.group(2)}" if match else None), None
