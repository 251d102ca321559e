"""The measure registry: every bundled measure, declared in one small module per data source.

Each module in this package (other than ``base``) declares ``ORDER`` (its place in the display
order), ``FILES`` (its :class:`~vru_core.needs.sources.base.DataFile`\\ s) and ``MEASURES`` (frozen
:class:`~vru_core.needs.sources.base.MeasureDef`\\ s). The loader, the Measures page and the
documentation checks read this registry; adding a source is one new module here plus its file in
``data/`` (and its section in ``data/SOURCES.md``). See README, "Adding a data source".
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pandas as pd

from vru_core.needs.sources.base import Bundle, DataFile, MeasureDef


def _discover() -> tuple[ModuleType, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base" and not m.name.startswith("_"))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return tuple(sorted(modules, key=lambda module: (module.ORDER, module.__name__)))


SOURCES: tuple[ModuleType, ...] = _discover()
MEASURES: tuple[MeasureDef, ...] = tuple(m for source in SOURCES for m in source.MEASURES)
DATA_FILES: tuple[DataFile, ...] = tuple(dict.fromkeys(f for source in SOURCES for f in source.FILES))

_repeated = sorted({m.code for m in MEASURES if sum(n.code == m.code for n in MEASURES) > 1})
if _repeated:
    raise ValueError(f"measure codes declared twice in vru_core.needs.sources: {_repeated}")


def measure(code: str) -> MeasureDef:
    for m in MEASURES:
        if m.code == code:
            return m
    raise KeyError(f"no bundled measure {code!r}")


def derive(bundle: Bundle, measures: tuple[MeasureDef, ...] = MEASURES) -> list[tuple[dict, pd.Series]]:
    """Check every file the measures read, then derive each: (definition, values by area code), in order."""
    bundle.check(tuple(dict.fromkeys(f for m in measures for f in m.files)))
    return [m.derive(bundle) for m in measures]


def files_table() -> pd.DataFrame:
    """One row per bundled data file a measure is read from: publisher, licence and the measures it gives."""
    rows = []
    for file in DATA_FILES:
        users = [m for m in MEASURES if file in m.files]
        rows.append(
            {
                "file": file.name,
                "publisher": "; ".join(dict.fromkeys(m.publisher for m in users)),
                "licence": "; ".join(dict.fromkeys(m.licence for m in users)),
                "measures": "; ".join(m.label for m in users),
            }
        )
    return pd.DataFrame(rows, columns=["file", "publisher", "licence", "measures"])
