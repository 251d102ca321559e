"""Which list of organisation-identifier prefixes the register checks recipients against, and installing
the full org-id.guide register in place of the bundled one.

Two lists, the first that exists wins:

- the full org-id.guide register, installed by an administrator into the data folder
  (`VRU_DATA_DIR/org_id_prefixes.csv`, never committed) with `python -m vru_core.register orgids refresh
  SOURCE`, where SOURCE is a copy of org-id.guide's published download (`download.json`), a checkout of
  the org-id/register repository (its `lists/` folder) or a CSV with `code`, `name` and `deprecated`
  columns; the command records where the list came from and when beside it
  (`org_id_prefixes.source.json`);
- VRU Hub's own curated subset (`data/org_id_prefixes.csv`, see data/SOURCES.md): the lists a London
  grants register meets, compiled by VRU Hub from its knowledge of org-id.guide.

Both carry the 360Giving publisher prefix `360G` (an identifier for an organisation with no registered
number); it is not an org-id.guide list, so the refresh command adds it.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

from vru_core.platform.config import get_settings

PREFIX_FILE = "org_id_prefixes.csv"
SOURCE_FILE = "org_id_prefixes.source.json"
CURATED_AS_OF = "2026-12-01"  # when VRU Hub compiled data/org_id_prefixes.csv (data/SOURCES.md)
OWN_PREFIX = "360G"
OWN_PREFIX_NAME = (
    "360Giving publisher's own identifier for an organisation with no registered number (not an org-id.guide list)"
)
COLUMNS = ("code", "name", "deprecated")
REFRESH_COMMAND = "python -m vru_core.register orgids refresh SOURCE"


class ListSourceError(ValueError):
    """The file or folder given to the refresh command is not an org-id.guide list."""


@dataclass(frozen=True)
class OrgList:
    code: str
    name: str
    deprecated: bool


@dataclass(frozen=True)
class PrefixList:
    lists: dict[str, OrgList]  # by upper-case code
    full: bool  # the full org-id.guide register (installed), not the curated subset
    description: str  # for messages: which list, how many, as of when


def installed_path() -> Path:
    return get_settings().data_dir / PREFIX_FILE


def curated_path() -> Path:
    return get_settings().bundled_data_dir / PREFIX_FILE


def _read_csv(text: str, where: str) -> list[OrgList]:
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ListSourceError(f"{where}: no column {', '.join(sorted(missing))} (needs {', '.join(COLUMNS)})")
    rows = []
    for n, row in enumerate(reader, start=2):
        code, name, deprecated = (row[c].strip() for c in COLUMNS)
        if not code or deprecated not in ("yes", "no"):
            raise ListSourceError(f"{where}, row {n}: needs a code and deprecated yes or no, got {row!r}")
        rows.append(OrgList(code, name, deprecated == "yes"))
    return rows


@functools.cache
def _load(path: str, stamp: tuple[int, int]) -> dict[str, OrgList]:
    """One file read once per version (size and modification time), so a refresh is seen at once."""
    rows = _read_csv(Path(path).read_text(encoding="utf-8"), path)
    return {row.code.upper(): row for row in rows}


def prefix_list() -> PrefixList:
    """The list in force: the installed full register if there is one, else the bundled curated subset."""
    installed = installed_path()
    path = installed if installed.exists() else curated_path()
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: it is the bundled list of org-id.guide prefixes (data/SOURCES.md)")
    st = path.stat()
    lists = _load(str(path), (st.st_size, st.st_mtime_ns))
    n = sum(1 for code in lists if code != OWN_PREFIX)
    if path == installed:
        meta = _source_record(installed.parent / SOURCE_FILE)
        where = f", installed {meta['installed_on']} from {meta['source']}" if meta else ""
        return PrefixList(lists, True, f"the org-id.guide register ({n} lists{where})")
    description = f"the org-id.guide register as VRU Hub's curated subset ({n} lists, as of {CURATED_AS_OF})"
    return PrefixList(lists, False, description)


def _source_record(path: Path) -> dict | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and {"installed_on", "source"} <= set(meta) else None


def _from_json_list(item: object, where: str) -> OrgList:
    """One list as org-id.guide publishes it: code, name {en: …}, deprecated (absent means no)."""
    if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"].strip():
        raise ListSourceError(f"{where}: not an org-id.guide list (no code)")
    name = item.get("name")
    name = name.get("en", "") if isinstance(name, dict) else (name or "")
    return OrgList(item["code"].strip(), str(name).strip(), bool(item.get("deprecated")))


def read_source(source: Path) -> list[OrgList]:
    """Every list in `source`: org-id.guide's download.json, an org-id/register checkout (or its lists/
    folder: one JSON file per list), or a CSV with code, name and deprecated columns."""
    if source.is_dir():
        folder = source / "lists" if (source / "lists").is_dir() else source
        files = sorted(folder.glob("*/*.json"))
        if not files:
            raise ListSourceError(f"{source}: no lists/<country>/<code>.json files (not an org-id/register checkout)")
        return [_from_json_list(_read_json(f), str(f)) for f in files]
    if source.suffix.lower() == ".csv":
        return _read_csv(_read_text(source), str(source))
    data = _read_json(source)
    if not isinstance(data, dict) or not isinstance(data.get("lists"), list) or not data["lists"]:
        raise ListSourceError(f"{source}: not org-id.guide's download.json (no 'lists' array of lists)")
    return [_from_json_list(item, f"{source}, lists[{i}]") for i, item in enumerate(data["lists"])]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ListSourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ListSourceError(f"{path} is not UTF-8 text") from exc


def _read_json(path: Path) -> object:
    try:
        return json.loads(_read_text(path))
    except ValueError as exc:
        raise ListSourceError(f"{path} is not JSON: {exc}") from exc


def install(source: Path, today: dt.date | None = None) -> PrefixList:
    """Convert `source` into the data folder's list (replacing any earlier one whole, never half-written)
    and record its source and date. Raises ListSourceError, writing nothing, if `source` is not a list."""
    rows = {row.code.upper(): row for row in read_source(source)}
    if not {"GB-CHC", "GB-COH"} <= set(rows):
        raise ListSourceError(f"{source}: has {len(rows)} lists but not GB-CHC and GB-COH, so not the whole register")
    rows.setdefault(OWN_PREFIX, OrgList(OWN_PREFIX, OWN_PREFIX_NAME, False))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for key in sorted(rows):
        writer.writerow([rows[key].code, rows[key].name, "yes" if rows[key].deprecated else "no"])
    target = installed_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = {"source": str(source.resolve()), "installed_on": (today or dt.date.today()).isoformat(), "lists": len(rows)}
    for path, text in ((target.parent / SOURCE_FILE, json.dumps(meta, indent=2) + "\n"), (target, out.getvalue())):
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8", newline="")
        os.replace(partial, path)
    return prefix_list()
