"""Words for the codes the store keeps (record types, actions, field names, permissions), for screens.

Screens show these labels; codes stay in CSV files, URLs and the command line, where a code is the point.
A code with no entry here is still shown as words ("under_25_reached" -> "Under 25 reached"), never raw.
"""

from __future__ import annotations

import json
from typing import Any

ENTITIES = {
    "award": "Award",
    "award_need_evidence": "Need evidence (frozen at approval)",
    "payment": "Payment",
    "monitoring_return": "Monitoring return",
    "organisation": "Organisation",
    "register": "Register",
    "funding_stream": "Funding stream",
    "priority_area": "Priority area",
    "objective": "Objective",
    "indicator": "Indicator",
    "indicator_value": "Indicator value",
    "rag_settings": "Rating thresholds",
    "measure": "Measure",
    "scoring_profile": "Scoring profile",
    "user": "Account",
    "sign_in": "Sign-in",
    "sign_in_throttle": "Sign-in pause",
    "store": "The whole store",
    "budget_line": "Budget line",
    "award_variation": "Variation",
    "payment_schedule": "Payment schedule",
    "funding_round": "Funding round",
    "application": "Application",
    "assessment": "Assessment",
    "conflict_of_interest": "Conflict of interest",
    "round_assessor": "Round assessor",
}
ACTIONS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "transition": "Status changed",
    "freeze": "Frozen at approval",
    "import": "Imported",
    "append": "Added",
    "set_role": "Role changed",
    "set_password": "Password set or reset",
    "deactivate": "Deactivated",
    "reactivate": "Reactivated",
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "lift": "Pause lifted",
    "restore": "Restored from a backup",
    "override": "Over-commitment allowed",
    "assign": "Assigned",
    "decide": "Decided",
    "declare": "Declared",
}
FIELDS = {
    "amount_awarded": "Amount awarded",
    "amount": "Amount",
    "award_id": "Award",
    "award_date": "Award date",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "recipient_org_id": "Recipient organisation id",
    "recipient_name": "Recipient",
    "recipient_type": "Recipient type",
    "recipient_postcode": "Recipient's postcode",
    "recipient_location": "Recipient's location",
    "charity_number": "Charity number",
    "company_number": "Company number",
    "funding_stream": "Funding stream",
    "priority_area": "Priority area",
    "geography_level": "Geography",
    "area_amounts": "Amounts by area",
    "regrant_type": "Onward grants",
    "people_reached": "People reached",
    "under_25_reached": "Of whom under 25",
    "rag": "RAG rating",
    "paid_on": "Paid on",
    "display_name": "Name",
    "local_password": "Local password",
    "threshold_pct": "Threshold (%)",
    "is_example": "Example",
    "period": "Period",
    "outputs": "Outputs",
    "narrative": "Narrative",
    "recorded_by": "Recorded by",
}
PERMISSIONS = {
    "measures.write": "add and remove measures",
    "profiles.write": "save scoring profiles",
    "register.write": "change the register",
    "framework.write": "change the framework set-up",
    "indicators.write": "enter indicator values",
    "users.write": "manage accounts",
    "audit.read": "read the audit log",
    "budget.write": "set budgets and allow over-commitment",
    "rounds.assess": "assess funding-round applications",
}

#: The roles of vru_core.platform.auth.Role, as people are called in the unit (tests check every role has one).
ROLE_LABELS = {
    "admin": "Administrator",
    "commissioner": "Commissioning officer",
    "analyst": "Analyst",
    "director": "Director",
    "viewer": "Viewer (read only)",
    "assessor": "Assessor",
}
#: A measure's family, level and direction (vru_core.needs.measures FAMILIES, GEOGRAPHIES, DIRECTIONS).
MEASURE_FAMILIES = {
    "crime": "Crime",
    "perceptions": "Public perceptions",
    "health": "Public health",
    "deprivation": "Deprivation",
    "population": "Population (context)",
    "other": "Other",
}
GEOGRAPHIES = {"ward": "Ward", "borough": "Borough"}
DIRECTIONS = {"high_is_worse": "High values are worse", "low_is_worse": "Low values are worse"}


def words(code: str) -> str:
    """Any snake_case code as words, first letter capital."""
    text = str(code).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def entity(code: str) -> str:
    return ENTITIES.get(code, words(code))


def action(code: str) -> str:
    return ACTIONS.get(code, words(code))


def field(code: str) -> str:
    return FIELDS.get(code, words(code))


def permission(code: str) -> str:
    return PERMISSIONS.get(code, words(code))


def role(code: object) -> str:
    """A role (a Role or its code) as people say it: "Administrator", never "admin"."""
    code = str(getattr(code, "value", code))
    return ROLE_LABELS.get(code, words(code))


def family(code: str) -> str:
    return MEASURE_FAMILIES.get(code, words(code))


def geography(code: str) -> str:
    return GEOGRAPHIES.get(code, words(code))


def direction(code: str) -> str:
    return DIRECTIONS.get(code, words(code))


def _shown(value: Any, key: str = "") -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return role(value) if key == "role" else str(value)


def changes(before: dict | None, after: dict | None) -> str:
    """What an audit entry changed, in words: "Amount awarded: 40000 -> 45000; Role: Viewer (read only) -> Analyst"."""
    before, after = before or {}, after or {}
    keys = [k for k in dict.fromkeys([*before, *after]) if k != "version" and before.get(k) != after.get(k)]
    if not before:
        return "; ".join(f"{field(k)}: {_shown(after[k], k)}" for k in keys)
    if not after:
        return "; ".join(f"{field(k)} was {_shown(before[k], k)}" for k in keys)
    return "; ".join(f"{field(k)}: {_shown(before.get(k), k)} -> {_shown(after.get(k), k)}" for k in keys)
