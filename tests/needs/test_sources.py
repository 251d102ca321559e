"""The measure registry (vru_core.needs.sources): what each source declares is what the files and the store hold."""

import csv
import pkgutil

import pandas as pd
import pytest

from vru_core.needs import sources
from vru_core.needs.load import read_geography
from vru_core.needs.measures import list_measures, load_measure_frame
from vru_core.needs.sources.base import Bundle, DataFile, DataFileError, Derived, MeasureDef, column
from vru_core.platform.config import REPO_ROOT

DATA = REPO_ROOT / "data"
SOURCES_MD = (DATA / "SOURCES.md").read_text()


def header(name: str) -> list[str]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh))


def section(name: str) -> str:
    """The `## <file>` section of data/SOURCES.md."""
    parts = SOURCES_MD.split(f"\n## {name}\n", 1)
    assert len(parts) == 2, f"data/SOURCES.md has no section '## {name}'"
    return parts[1].split("\n## ", 1)[0]


def test_every_module_of_the_package_is_a_registered_source_in_its_order():
    path = REPO_ROOT / "vru_core" / "needs" / "sources"
    modules = {m.name for m in pkgutil.iter_modules([str(path)])} - {"base"}
    assert {s.__name__.rsplit(".", 1)[1] for s in sources.SOURCES} == modules
    orders = [s.ORDER for s in sources.SOURCES]
    assert orders == sorted(orders)
    assert [m.code for m in sources.MEASURES] == [m.code for s in sources.SOURCES for m in s.MEASURES]


@pytest.mark.parametrize("measure", sources.MEASURES, ids=lambda m: m.code)
def test_declared_files_and_columns_exist(measure):
    for file in measure.files:
        columns = header(file.name)
        assert file.code_column in columns, (file.name, file.code_column)
        missing = [c for c in measure.columns if c not in columns]
        assert not missing, f"{measure.code}: {file.name} has no column(s) {missing}"


@pytest.mark.parametrize("file", sources.DATA_FILES, ids=lambda f: f.name)
def test_sources_md_describes_each_file_its_columns_and_licence(file):
    text = section(file.name)
    declared = {c for m in sources.MEASURES if file in m.files for c in m.columns} | {file.code_column}
    missing = sorted(c for c in declared if c not in text)
    assert not missing, f"data/SOURCES.md, {file.name}: columns not described {missing}"
    licences = {m.licence for m in sources.MEASURES if file in m.files}
    row = next(line for line in SOURCES_MD.splitlines() if line.startswith(f"| `{file.name}` |"))
    for licence in licences:
        short = {"Open Government Licence v3.0": "OGL v3"}.get(licence, licence)
        assert short in row and short in text, (file.name, licence)


def test_the_store_holds_the_registry_in_display_order(loaded_engine):
    stored = list_measures(loaded_engine)
    bundled = stored[stored["origin"] == "bundled"]
    assert list(bundled.index) == [m.code for m in sources.MEASURES]
    for m in sources.MEASURES:
        row = bundled.loc[m.code]
        for name in ("label", "family", "unit", "direction", "geography", "source", "publisher", "licence"):
            assert row[name] == getattr(m, name), (m.code, name)
        assert row["default_weight"] == m.default_weight
        assert "{" not in row["period"] and "{" not in row["notes"], m.code  # every placeholder filled


@pytest.mark.parametrize("measure", sources.MEASURES, ids=lambda m: m.code)
def test_readme_lists_each_measure_with_its_level_direction_and_period(loaded_engine, measure):
    readme = (REPO_ROOT / "README.md").read_text()
    row = next((line for line in readme.splitlines() if line.startswith(f"| `{measure.code}` |")), None)
    assert row is not None, f"README's measures table has no row for {measure.code}"
    cells = [c.strip() for c in row.strip("|").split("|")]
    period = load_measure_frame(loaded_engine).measures.at[measure.code, "period"]
    worse = "high" if measure.direction == "high_is_worse" else "low"
    assert cells[1:5] == [measure.label, measure.geography, worse, period]
    assert measure.publisher.split(",")[0].split(" (")[0] in cells[5]


@pytest.mark.parametrize(
    "code, file, column",
    [
        ("imd_rank", "ward_imd2025.csv", "imd2025_popweighted_mean_rank"),
        ("imd_pct_most_deprived_10", "ward_imd2025.csv", "pct_pop_in_most_deprived_10pct"),
    ],
)
def test_a_column_measure_is_the_file_column(loaded_engine, code, file, column):
    with (DATA / file).open(newline="", encoding="utf-8") as fh:
        raw = {r["ward_code"]: float(r[column]) for r in csv.DictReader(fh) if r[column]}
    values = load_measure_frame(loaded_engine).values[code].dropna()
    assert values.to_dict() == pytest.approx(raw)


def test_low_income_is_the_latest_year_of_the_file(loaded_engine):
    with (DATA / "ward_children_low_income_fye2015_2023.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    latest = max(int(r["fye"]) for r in rows)
    raw = {
        r["ward_code"]: float(r["children_low_income_u16_pct"])
        for r in rows
        if int(r["fye"]) == latest and r["children_low_income_u16_pct"]
    }
    frame = load_measure_frame(loaded_engine)
    assert frame.values["children_low_income_u16"].dropna().to_dict() == pytest.approx(raw)
    assert frame.measures.at["children_low_income_u16", "period"].startswith(f"Financial year ending {latest} (")


def test_under_25_is_the_sum_of_the_two_youngest_bands(loaded_engine):
    with (DATA / "ward_population_census2021.csv").open(newline="", encoding="utf-8") as fh:
        raw = {
            r["ward_code"]: float(r["pct_aged_0_15"]) + float(r["pct_aged_16_24"])
            for r in csv.DictReader(fh)
            if r["pct_aged_0_15"]
        }
    assert load_measure_frame(loaded_engine).values["pct_aged_under_25"].dropna().to_dict() == pytest.approx(raw)


def _measure(**changes) -> MeasureDef:
    fields = {
        "code": "test_measure",
        "label": "Test measure",
        "family": "other",
        "unit": "%",
        "geography": "ward",
        "direction": "high_is_worse",
        "period": "2021",
        "source": "a test",
        "publisher": "nobody",
        "licence": "none",
        "notes": "",
        "files": (DataFile("ward_population_census2021.csv", "ward_code"),),
        "columns": ("pct_aged_0_15",),
        "derivation": column("pct_aged_0_15"),
    }
    return MeasureDef(**{**fields, **changes})


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"direction": "up"}, "direction"),
        ({"geography": "lsoa"}, "geography"),
        ({"family": "weather"}, "family"),
        ({"code": "Bad Code"}, "code"),
        ({"licence": ""}, "licence"),
        ({"files": ()}, "files"),
    ],
)
def test_a_bad_declaration_is_refused_when_the_module_is_imported(changes, message):
    with pytest.raises(ValueError, match=message):
        _measure(**changes)


def test_a_derivation_reads_only_its_declared_columns_and_files():
    boroughs, wards = read_geography(DATA)
    bundle = Bundle(DATA, wards, boroughs)
    sneaky = _measure(derivation=lambda inputs: Derived(inputs.table()["usual_residents"]))
    with pytest.raises(KeyError, match="usual_residents"):
        sneaky.derive(bundle)
    other_file = _measure(derivation=lambda inputs: Derived(inputs.table(sources.imd.FILE)["imd2025_mean_lsoa_rank"]))
    with pytest.raises(ValueError, match="not one of its declared files"):
        other_file.derive(bundle)


def test_period_and_notes_placeholders_are_filled_from_the_derivation():
    boroughs, wards = read_geography(DATA)
    dated = _measure(
        period="Census {year}",
        notes="Counted in {year}; braces {{kept}}.",
        derivation=lambda inputs: Derived(inputs.table()["pct_aged_0_15"], {"year": 2021}),
    )
    definition, values = dated.derive(Bundle(DATA, wards, boroughs))
    assert definition["period"] == "Census 2021" and definition["notes"] == "Counted in 2021; braces {kept}."
    assert isinstance(values, pd.Series) and values.notna().sum() > 0


def test_files_table_names_every_file_once_with_its_measures():
    table = sources.files_table()
    assert list(table["file"]) == [f.name for f in sources.DATA_FILES]
    assert table["file"].is_unique
    for m in sources.MEASURES:
        assert any(m.label in row.measures for row in table.itertuples() if row.file in {f.name for f in m.files})


def test_the_readme_example_of_a_new_source_loads_and_checks_its_codes(tmp_path):
    readme = (REPO_ROOT / "README.md").read_text()
    example = readme.split("### Adding a data source", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    module: dict = {}
    exec(compile(example, "README example", "exec"), module)
    boroughs, wards = read_geography(DATA)
    codes = list(wards["code"][:3])
    made_up = f"ward_code,pct_persistent\n{codes[0]},21.5\n{codes[1]},\n{codes[2]},9\n"  # invented test rows
    (tmp_path / module["FILE"].name).write_text(made_up)
    [(definition, values)] = sources.derive(Bundle(tmp_path, wards, boroughs), module["MEASURES"])
    assert definition["code"] == "persistent_absence" and definition["period"] == "2023/24"
    assert values.dropna().to_dict() == {codes[0]: 21.5, codes[2]: 9.0}
    (tmp_path / module["FILE"].name).write_text(made_up + "E05000026,3\n")  # a 2014 ward code
    with pytest.raises(DataFileError, match="line 5: 'E05000026'"):
        sources.derive(Bundle(tmp_path, wards, boroughs), module["MEASURES"])
