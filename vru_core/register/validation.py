"""Field rules for the register, shared by the award form and the CSV importer: one place for each rule.

Every checker returns the cleaned value or records a `Problem`; callers collect them all, so a person
sees every mistake at once rather than one per attempt.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import Borough, FundingStream, Objective, PriorityArea, Ward
from vru_core.platform.errors import Problem
from vru_core.platform.inputs import check_text, date_in_range, parse_iso_date
from vru_core.register import orgids
from vru_core.register.codes_360 import REGRANT_TYPES

ORG_TYPES = {
    "voluntary_community": "Voluntary or community organisation",
    "local_authority": "Local authority",
    "school": "School or college",
    "statutory": "Other statutory body",
    "other": "Other",
}
GEOGRAPHY_LEVELS = ("ward", "borough", "london")
RAG = ("red", "amber", "green")
MAX_AMOUNT = Decimal("100000000")  # £100m: far above any single VRU award; catches pence typed as pounds
_PLAIN_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")  # ASCII digits only: no 1_000, no full-width ４５
_PERIOD = re.compile(r"^[0-9]{4}-(Q[1-4]|[0-9]{2})$")
_GSS_AREA = re.compile(r"^E0[59]\d{6}$")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Reference:
    """The codes an input may use, read once per validation pass (an import checks 10,000 rows against it)."""

    ward_borough: dict[str, str]  # ward code -> borough code
    boroughs: frozenset[str]
    objectives: frozenset[int]
    priority_areas: frozenset[str]
    funding_streams: frozenset[str]

    @classmethod
    def load(cls, engine: Engine) -> Reference:
        with engine.connect() as conn:
            return cls(
                ward_borough=dict(conn.execute(select(Ward.code, Ward.borough_code)).all()),
                boroughs=frozenset(conn.execute(select(Borough.code)).scalars()),
                objectives=frozenset(conn.execute(select(Objective.number)).scalars()),
                priority_areas=frozenset(conn.execute(select(PriorityArea.code)).scalars()),
                funding_streams=frozenset(
                    conn.execute(select(FundingStream.code).where(FundingStream.active)).scalars()
                ),
            )


@dataclass
class Checker:
    """Collects problems while cleaning fields; `row` tags each with the import line it came from."""

    row: int | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.row, field_name, message))

    def text(self, data: Mapping, name: str, *, required: bool = True, max_length: int = 2000) -> str:
        value, problem = check_text(data.get(name), required=required, max_length=max_length)
        if problem:
            self.add(name, problem)
        return value

    def amount(self, data: Mapping, name: str, *, required: bool = True) -> Decimal | None:
        """Pounds as a plain number (45000 or 45000.50): '45k', '£', commas and spaces are refused, not guessed."""
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(name, "required: give the amount in pounds, e.g. 45000")
            return None
        if isinstance(raw, bool):
            self.add(name, f"not a number: {raw!r}")
            return None
        if isinstance(raw, (int, float, Decimal)):
            if isinstance(raw, float) and not math.isfinite(raw):
                self.add(name, f"not a finite number: {raw!r}")
                return None
            value = Decimal(str(raw))
        else:
            text = str(raw).strip()
            if not _PLAIN_AMOUNT.match(text.lstrip("-")):
                self.add(
                    name,
                    f"{text!r} is not a plain amount in pounds: write digits only, e.g. 45000 or 45000.50 "
                    "(no £, commas, spaces or 'k')",
                )
                return None
            try:
                value = Decimal(text)
            except InvalidOperation:
                self.add(name, f"{text!r} is not a number")
                return None
        if not value.is_finite():
            self.add(name, f"not a finite number: {raw!r}")
            return None
        if value <= 0:
            self.add(name, f"must be more than £0 (got {value})")
            return None
        if value != value.quantize(Decimal("0.01")):
            self.add(name, f"{value} has more than two decimal places (pence)")
            return None
        if value > MAX_AMOUNT:
            self.add(name, f"£{value:,} is more than £{MAX_AMOUNT:,}: check the figure")
            return None
        return value

    def date(self, data: Mapping, name: str, *, required: bool = True) -> dt.date | None:
        """YYYY-MM-DD, a real calendar day, from 1990 to ten years ahead (anything else is a typo)."""
        raw = data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(name, "required: give a date as YYYY-MM-DD")
            return None
        value, problem = parse_iso_date(raw)
        if problem is None and value is not None:
            problem = date_in_range(value)
        if problem:
            self.add(name, problem)
            return None
        return value

    def date_order(self, start: dt.date | None, end: dt.date | None, *, end_field: str = "planned_end") -> None:
        if start is not None and end is not None and end < start:
            self.add(end_field, f"ends {end.isoformat()}, before it starts {start.isoformat()}")

    def count(self, data: Mapping, name: str) -> int:
        raw = data.get(name)
        text = "0" if raw is None or str(raw).strip() == "" else str(raw).strip()
        if not re.fullmatch(r"[0-9]{1,9}", text):
            self.add(name, f"{text!r} is not a whole number of people (0 or more, digits only)")
            return 0
        return int(text)

    def choice(self, data: Mapping, name: str, options: Iterable[str], *, required: bool = True) -> str | None:
        value = self.text(data, name, required=required, max_length=60)
        options = list(options)
        if value and value not in options:
            self.add(name, f"{value!r} is not one of: {', '.join(options)}")
            return None
        return value or None

    def funding_stream(self, data: Mapping, ref: Reference, name: str = "funding_stream") -> str | None:
        return self.choice(data, name, sorted(ref.funding_streams))

    def priority_area(self, data: Mapping, ref: Reference, name: str = "priority_area") -> str | None:
        return self.choice(data, name, sorted(ref.priority_areas), required=False)

    def objectives(self, data: Mapping, ref: Reference, name: str = "objectives") -> list[int]:
        """One or more of the strategy's eight objectives, as numbers (a list, or text '3;5')."""
        raw = data.get(name)
        items = split_list(raw)
        if not items:
            self.add(name, "required: at least one objective number (1 to 8), separated by ';'")
            return []
        numbers: list[int] = []
        for item in items:
            if not re.fullmatch(r"[0-9]{1,3}", item) or int(item) not in ref.objectives:
                self.add(name, f"unknown objective {item!r}: use the strategy's objective numbers 1 to 8")
            elif int(item) not in numbers:
                numbers.append(int(item))
        return numbers

    def areas(
        self, data: Mapping, ref: Reference, *, level_field: str = "geography_level", areas_field: str = "areas"
    ) -> tuple[str | None, list[str]]:
        """The geography: ward codes, borough codes, or London-wide (no codes). A blank level is read from the codes."""
        codes: list[str] = []
        for code in split_list(data.get(areas_field)):
            if code.upper() not in codes:
                codes.append(code.upper())
        level = self.text(data, level_field, required=False, max_length=10).lower() or None
        if level is None:
            if not codes:
                level = "london"
            elif all(c in ref.ward_borough for c in codes):
                level = "ward"
            elif all(c in ref.boroughs for c in codes):
                level = "borough"
        if level is not None and level not in GEOGRAPHY_LEVELS:
            self.add(level_field, f"{level!r} is not one of: {', '.join(GEOGRAPHY_LEVELS)}")
            return None, codes
        if level == "london":
            if codes:
                self.add(areas_field, "a London-wide award lists no wards or boroughs")
            return level, []
        known = ref.ward_borough if level == "ward" else ref.boroughs
        kind = "ward" if level == "ward" else "borough"
        if not codes:
            self.add(areas_field, f"required: at least one {kind} code for a {kind}-level award")
        for code in codes:
            if level is None or code not in known:
                self.add(
                    areas_field,
                    f"unknown {kind if level else 'ward or borough'} code {code!r}: use the current (May 2022) "
                    "GSS ward codes (E05…) or London borough codes (E09…); older boundary codes are not accepted",
                )
        return level, codes

    def split(self, data: Mapping, codes: list[str], total: Decimal | None, name: str = "area_amounts") -> list:
        """The optional split of the total across the areas: one amount per area, summing to the total."""
        items = split_list(data.get(name))
        if not items:
            return [None] * len(codes)
        if len(items) != len(codes):
            self.add(name, f"{len(items)} amounts for {len(codes)} areas: give one amount per area, or none")
            return [None] * len(codes)
        amounts = [self.amount({name: item}, name) for item in items]
        if any(a is None for a in amounts):
            return [None] * len(codes)
        if total is not None and sum(amounts) != total:
            self.add(name, f"the split adds up to £{sum(amounts):,}, not the award's £{total:,}")
        return amounts

    def organisation(self, data: Mapping, ref: Reference | None = None, *, prefix: str = "recipient_") -> dict:
        """A recipient: org-id and registration numbers (rules in vru_core.register.orgids), name, type, base."""
        org_id = self.text(data, f"{prefix}org_id", max_length=120)
        message = None
        if org_id:
            org_id, message = orgids.clean_org_id(org_id)
            if message:
                self.add(f"{prefix}org_id", message)
        name = self.text(data, f"{prefix}name", max_length=300)
        org_type = self.choice(data, f"{prefix}type", ORG_TYPES, required=False) or "voluntary_community"
        numbers, problems = orgids.clean_numbers(
            "" if message else org_id,  # numbers are only compared with a valid identifier
            self.text(data, "charity_number", required=False, max_length=20),
            self.text(data, "company_number", required=False, max_length=20),
        )
        for field_name, message in problems:
            self.add(field_name, message)
        org = {"org_id": org_id, "name": name, "org_type": org_type, **numbers}
        if data.get(f"{prefix}postcode") is not None:  # absent (an older import file): keep what is stored
            postcode, message = orgids.clean_postcode(self.text(data, f"{prefix}postcode", required=False))
            if message:
                self.add(f"{prefix}postcode", message)
            org["postal_code"] = postcode
        if data.get(f"{prefix}location") is not None:
            org["location_code"] = self.area_code(data, ref, f"{prefix}location")
        return org

    def area_code(self, data: Mapping, ref: Reference | None, name: str) -> str | None:
        """One current ward (E05…) or London borough (E09…) code: where an organisation is based."""
        code = self.text(data, name, required=False, max_length=9).upper()
        known = code in ref.ward_borough or code in ref.boroughs if ref is not None else bool(_GSS_AREA.match(code))
        if code and not known:
            self.add(
                name,
                f"unknown code {code!r}: give the current (May 2022) ward code (E05…) or London borough code "
                "(E09…) where the organisation is based, or leave it blank and give the postcode",
            )
            return None
        return code or None


def valid_org_id(org_id: str) -> bool:
    return orgids.clean_org_id(org_id)[1] is None


def split_list(raw) -> list[str]:
    """'a; b' or ['a', 'b'] -> ['a', 'b']; blanks dropped."""
    if raw is None:
        return []
    if isinstance(raw, (list, tuple, set)):
        return [str(x).strip() for x in raw if str(x).strip()]
    return [part.strip() for part in str(raw).split(LIST_SEPARATOR) if part.strip()]


def to_pence(pounds: Decimal) -> int:
    return int((pounds * 100).to_integral_value())


def to_pounds(pence: int | None) -> Decimal | None:
    return None if pence is None else (Decimal(pence) / 100).quantize(Decimal("0.01"))


def check_period(checker: Checker, data: Mapping, name: str = "period") -> str:
    """A monitoring period: a quarter (2026-Q3) or a month (2026-09)."""
    value = checker.text(data, name, max_length=20).upper()
    if value and not _PERIOD.match(value):
        checker.add(name, f"{value!r} is not a period: use YYYY-Q1..Q4 (e.g. 2026-Q3) or YYYY-MM")
    return value


# The award's fields, by the names the form and the CSV template share.
AWARD_FIELDS = (
    "identifier",
    "title",
    "description",
    "recipient_org_id",
    "recipient_name",
    "recipient_type",
    "charity_number",
    "company_number",
    "recipient_postcode",
    "recipient_location",
    "amount_awarded",
    "award_date",
    "planned_start",
    "planned_end",
    "funding_stream",
    "priority_area",
    "objectives",
    "geography_level",
    "areas",
    "area_amounts",
    "regrant_type",
    "status",
)


@dataclass
class AwardData:
    """A cleaned award, ready to store (amounts in pounds)."""

    identifier: str | None
    title: str
    description: str
    organisation: dict
    amount: Decimal
    award_date: dt.date
    planned_start: dt.date
    planned_end: dt.date
    funding_stream_code: str
    priority_area_code: str | None
    objectives: list[int]
    geography_level: str
    areas: list[str]
    area_amounts: list[Decimal | None]
    status: str | None = None
    regrant_type: str | None = None  # 360Giving regrantType code, for awards that fund onward grants


def clean_award(
    data: Mapping, ref: Reference, *, row: int | None = None, statuses: Iterable[str] = ()
) -> tuple[AwardData | None, list[Problem]]:
    """Every rule for one award; returns (clean data, []) or (None, every problem)."""
    c = Checker(row=row)
    identifier = c.text(data, "identifier", required=False, max_length=160) or None
    if identifier and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", identifier):
        c.add("identifier", f"{identifier!r} may use letters, digits and . _ / - only")
    title = c.text(data, "title", max_length=300)
    description = c.text(data, "description", required=False, max_length=5000)
    organisation = c.organisation(data, ref)
    amount = c.amount(data, "amount_awarded")
    award_date = c.date(data, "award_date")
    start = c.date(data, "planned_start")
    end = c.date(data, "planned_end")
    c.date_order(start, end)
    stream = c.funding_stream(data, ref)
    priority = c.priority_area(data, ref)
    objectives = c.objectives(data, ref)
    level, areas = c.areas(data, ref)
    split = c.split(data, areas, amount)
    regrant = c.choice(data, "regrant_type", REGRANT_TYPES, required=False)
    status = None
    if statuses:
        status = c.choice(data, "status", list(statuses), required=False)
    if c.problems:
        return None, c.problems
    return (
        AwardData(
            identifier=identifier,
            title=title,
            description=description,
            organisation=organisation,
            amount=amount,
            award_date=award_date,
            planned_start=start,
            planned_end=end,
            funding_stream_code=stream,
            priority_area_code=priority,
            objectives=objectives,
            geography_level=level,
            areas=areas,
            area_amounts=split,
            status=status,
            regrant_type=regrant,
        ),
        [],
    )
