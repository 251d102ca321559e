"""ONS model-based unemployment rate by borough (via Trust for London): the latest period in the file."""

from vru_core.needs.measures import HIGH_IS_WORSE
from vru_core.needs.sources.base import OGL, DataFile, Derived, Inputs, MeasureDef

ORDER = 50
LONDON_TOTAL = "E12000007"
FILE = DataFile("borough_unemployment_rate_2023_2024.csv", "area_code", geography="borough", skip_codes=(LONDON_TOTAL,))
FILES = (FILE,)


def latest_period(inputs: Inputs) -> Derived:
    table = inputs.table()
    period = sorted(table["period"].unique())[-1]
    return Derived(table.loc[table["period"] == period, "unemployment_rate_pct"], {"period": period})


MEASURES = (
    MeasureDef(
        code="unemployment_rate",
        label="Unemployment rate (borough)",
        family="deprivation",
        unit="% of economically active 16-64",
        geography="borough",
        direction=HIGH_IS_WORSE,
        period="{period} (12 months October to September)",
        source=(
            "ONS model-based estimates of unemployment (Nomis), via Trust for London / WPI Economics, "
            "London's Poverty Profile 2025"
        ),
        publisher="Office for National Statistics",
        licence=OGL,
        notes=(
            "Borough figure applied to every ward of the borough: it cannot tell wards of one borough "
            "apart. Not published for the City of London."
        ),
        files=FILES,
        columns=("period", "unemployment_rate_pct"),
        derivation=latest_period,
    ),
)
