"""Children in low-income families (DWP/HMRC, compiled by the GLA): the latest financial year in the file."""

from vru_core.needs.measures import HIGH_IS_WORSE
from vru_core.needs.sources.base import OGL, DataFile, Derived, Inputs, MeasureDef

ORDER = 30
FILE = DataFile("ward_children_low_income_fye2015_2023.csv", "ward_code")
FILES = (FILE,)


def latest_year(inputs: Inputs) -> Derived:
    """The under-16 rate in the latest financial year ending (fye) the file holds."""
    table = inputs.table()
    latest = int(table["fye"].max())
    values = table.loc[table["fye"] == latest, "children_low_income_u16_pct"]
    return Derived(values, {"fye": latest, "fye_start": latest - 1, "fye_short": str(latest)[2:]})


MEASURES = (
    MeasureDef(
        code="children_low_income_u16",
        label="Children under 16 in low-income families (%)",
        family="deprivation",
        unit="% of children under 16",
        geography="ward",
        direction=HIGH_IS_WORSE,
        period="Financial year ending {fye} ({fye_start}/{fye_short}, provisional)",
        source="Children in low income families (relative low income, before housing costs), local area statistics",
        publisher="DWP/HMRC, compiled by the GLA for the London Datastore",
        licence=OGL,
        notes=(
            "Suppressed or nil cells are missing. No data for Stratford Olympic Park (E05013925). "
            "Rates use ONS ward population estimates."
        ),
        files=FILES,
        columns=("fye", "children_low_income_u16_pct"),
        derivation=latest_year,
    ),
)
