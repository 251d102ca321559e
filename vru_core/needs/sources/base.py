"""What a source module declares: its data files, and one frozen :class:`MeasureDef` per measure.

A measure's definition says everything the app shows about it (label, family, unit, geography,
which way is worse, period, source, publisher, licence, caveats, default weight), which bundled
file(s) and columns it is read from, and its ``derivation``: a function from :class:`Inputs` (the
measure's own file, the wards) to :class:`Derived` values by area code. ``period`` and ``notes`` may
hold ``{placeholders}`` that the derivation fills from the data (e.g. the latest year in the file),
so nothing that the data decides is typed by hand; write a literal brace as ``{{`` or ``}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vru_core.needs.measures import DEFINITION_FIELDS, Problem, validate_definition

OGL = "Open Government Licence v3.0"
BEST_FIT_NOTE = (
    "Summarised from LSOAs with the ONS LSOA 2021 to ward best-fit lookup, so ward figures are "
    "approximate (rougher for wards with 3 or fewer LSOAs). 20 City of London wards receive no "
    "best-fit LSOA and are missing."
)


class DataFileError(ValueError):
    """A bundled or uploaded data file that cannot be loaded; the message names file, row and code."""


def check_codes(frame: pd.DataFrame, column: str, known: set[str], file: str) -> None:
    """Refuse a file holding codes we do not know, naming each row (file line number) and code."""
    unknown = frame.loc[~frame[column].isin(known), column]
    if len(unknown):
        shown = ", ".join(f"line {int(i) + 2}: {code!r}" for i, code in unknown.head(10).items())
        more = f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else ""
        raise DataFileError(f"{file}: unknown {column} {shown}{more}")


@dataclass(frozen=True)
class DataFile:
    """A bundled CSV: its name in the data folder and the column holding each row's area code."""

    name: str
    code_column: str
    geography: str = "ward"  # which codes the column may hold: "ward" or "borough"
    skip_codes: tuple[str, ...] = ()  # rows dropped before anything else (e.g. a London total row)

    def read(self, data_dir: Path, known_codes: set[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The file's rows (``columns`` only, if given) with every area code checked; index = file row."""
        usecols = None if columns is None else list(dict.fromkeys([self.code_column, *columns]))
        table = pd.read_csv(data_dir / self.name, usecols=usecols, dtype={self.code_column: str})
        table = table[~table[self.code_column].isin(self.skip_codes)]
        check_codes(table, self.code_column, known_codes, self.name)
        return table


@dataclass(frozen=True)
class Derived:
    """A derivation's result: values by area code (NaN = missing) and the placeholders of period and notes."""

    values: pd.Series
    fields: Mapping[str, object] = field(default_factory=dict)


class Bundle:
    """The bundled data folder as one load reads it: each file read once, every area code checked."""

    def __init__(self, data_dir: Path, wards: pd.DataFrame, boroughs: pd.DataFrame):
        """wards: columns code, borough_code, population (NaN where unknown); boroughs: column code."""
        self.data_dir = Path(data_dir)
        self.wards = wards
        self.codes = {"ward": set(wards["code"]), "borough": set(boroughs["code"])}
        self._tables: dict[DataFile, pd.DataFrame] = {}

    def check(self, files: Sequence[DataFile]) -> None:
        """Read the code column of every file, so a bad code anywhere stops the load before anything is derived."""
        for file in files:
            if file not in self._tables:
                file.read(self.data_dir, self.codes[file.geography], columns=())

    def table(self, file: DataFile) -> pd.DataFrame:
        if file not in self._tables:
            self._tables[file] = file.read(self.data_dir, self.codes[file.geography])
        return self._tables[file]

    @property
    def population(self) -> pd.Series:
        """Census 2021 usual residents by ward code (float, NaN where unknown)."""
        return self.wards.set_index("code")["population"].astype("float64")


@dataclass(frozen=True)
class Inputs:
    """What a derivation may read: its own measure's file(s) and declared columns, and the wards."""

    bundle: Bundle
    measure: MeasureDef

    def table(self, file: DataFile | None = None) -> pd.DataFrame:
        """The measure's file (its first, unless named) indexed by area code, holding its declared columns only."""
        file = file or self.measure.files[0]
        if file not in self.measure.files:
            raise ValueError(f"{self.measure.code}: {file.name} is not one of its declared files")
        table = self.bundle.table(file)
        return table.set_index(file.code_column)[list(self.measure.columns)]

    @property
    def data_dir(self) -> Path:
        return self.bundle.data_dir

    @property
    def population(self) -> pd.Series:
        return self.bundle.population


Derivation = Callable[[Inputs], Derived]


@dataclass(frozen=True)
class MeasureDef:
    """One bundled measure, declared in its source module; the loader stores what :meth:`derive` returns."""

    code: str
    label: str
    family: str
    unit: str
    geography: str
    direction: str
    period: str
    source: str
    publisher: str
    licence: str
    notes: str
    files: tuple[DataFile, ...]
    columns: tuple[str, ...]
    derivation: Derivation = field(repr=False, compare=False)
    default_weight: float = 1.0

    def __post_init__(self) -> None:
        problems = validate_definition({name: getattr(self, name) for name in DEFINITION_FIELDS}, set())
        if not self.files:
            problems.append(Problem(None, "files", "name at least one data file"))
        if problems:
            raise ValueError(f"measure {self.code!r}: " + "; ".join(str(p) for p in problems))

    def derive(self, bundle: Bundle) -> tuple[dict, pd.Series]:
        """(definition as the store holds it, values by area code), period and notes filled from the data."""
        derived = self.derivation(Inputs(bundle, self))
        definition = {name: getattr(self, name) for name in DEFINITION_FIELDS}
        definition["period"] = self.period.format_map(derived.fields)
        definition["notes"] = self.notes.format_map(derived.fields)
        return definition, derived.values


def column(name: str) -> Derivation:
    """The derivation of a measure that is one column of its file, as it stands."""

    def derive(inputs: Inputs) -> Derived:
        return Derived(inputs.table()[name])

    return derive
