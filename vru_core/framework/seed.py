"""The indicators the framework starts with, and the figures the strategy itself states.

Seeded by migration 0004. Targets for the crime series are illustrative (a 10% fall from the
first full 12-month window by March 2027): the strategy sets no numeric targets, so admins are
expected to set their own on the Framework settings page.
"""

from __future__ import annotations

from vru_core.framework.strategy import STRATEGY_SOURCE
from vru_core.needs.crime import PUBLISHER, SOURCE

MPS_SOURCE = f"{SOURCE} ({PUBLISHER})"
HOME_OFFICE = "Home Office VRU success measure"
ILLUSTRATIVE = "Illustrative target set at seeding (the strategy sets none): edit it on the Framework settings page."
REGISTER_SOURCE = "VRU Hub commissioning register"


def _crime(code: str, category: str, name: str, aim: str, objective: int, position: int, notes: str = "") -> dict:
    return {
        "code": code,
        "name": name,
        "description": f"{name} recorded by the MPS in London, summed over the 12 months to each month.",
        "aim_code": aim,
        "objective_number": objective,
        "unit": "count",
        "direction": "down",
        "kind": "computed",
        "method": f"crime_rolling12:{category}",
        "source": MPS_SOURCE,
        "baseline_period": None,  # the first full 12-month window in the data
        "target_change_pct": -10.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "has_borough_breakdown": True,
        "position": position,
        "notes": notes,
    }


INDICATORS: list[dict] = [
    _crime("vwi_12m", "vwi", "Violence with injury offences", "reduce_violence", 1, 10),
    _crime(
        "sexual_12m",
        "sexual",
        "Sexual offences",
        "feelings_of_safety",
        1,
        20,
        "Rises can reflect more reporting as well as more offending.",
    ),
    _crime(
        "weapons_12m",
        "weapons",
        "Possession of weapons offences",
        "reduce_violence",
        4,
        30,
        "Driven partly by police activity (stop and search), so read with care.",
    ),
    _crime("robbery_12m", "robbery_personal", "Robbery of personal property", "feelings_of_safety", 7, 40),
    {
        "code": "vwi_concentration",
        "name": "Share of violence with injury in the top 10% of wards",
        "description": (
            "Of all violence with injury in the 12 months to each month, the share recorded in the 10% of "
            "wards with the most. Lower means violence is less concentrated in a few places."
        ),
        "aim_code": "reduce_violence",
        "objective_number": 4,
        "unit": "percent",
        "direction": "down",
        "kind": "computed",
        "method": "concentration:vwi:10",
        "source": MPS_SOURCE,
        "target_change_pct": -5.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "position": 50,
    },
    {
        "code": "knife_injury_victims",
        "name": "Victims of knife crime with injury (London, 12 months)",
        "description": "Victims of knife crime that caused injury across London in the 12 months to the period.",
        "aim_code": "reduce_violence",
        "objective_number": 4,
        "unit": "count",
        "direction": "down",
        "kind": "entered",
        "source": STRATEGY_SOURCE,
        "baseline_value": 2222.0,
        "baseline_period": "2018-03",
        "baseline_source": f"{STRATEGY_SOURCE}, 'Violence in London'",
        "target_change_pct": -25.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "position": 60,
    },
    {
        "code": "homicide_concentration",
        "name": "Share of homicides in the 12% of wards with the most",
        "description": "Of homicides over three years, the share in the 12% of London wards with the most.",
        "aim_code": "reduce_violence",
        "objective_number": 4,
        "unit": "percent",
        "direction": "down",
        "kind": "entered",
        "source": STRATEGY_SOURCE,
        "baseline_value": 52.0,
        "baseline_period": "2019-03",
        "baseline_source": f"{STRATEGY_SOURCE}, 'Violence in London': 52% of homicides in 12% of wards",
        "target_value": 45.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "notes": "The strategy gives three years of homicides to about March 2019; the period is approximate.",
        "position": 70,
    },
    {
        "code": "adult_reoffending_rate",
        "name": "Adult reoffending rate (London)",
        "description": "Share of adult offenders in London who reoffend.",
        "aim_code": "reduce_violence",
        "objective_number": 6,
        "unit": "percent",
        "direction": "down",
        "kind": "entered",
        "source": STRATEGY_SOURCE,
        "baseline_value": 27.0,
        "baseline_period": "2019-03",
        "baseline_source": f"{STRATEGY_SOURCE}, 'Objective 6 – Why': 'steady for a decade at around 27%'",
        "target_value": 24.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "notes": "The strategy states no period for the 27%; it is recorded against March 2019.",
        "position": 80,
    },
    {
        "code": "youth_good_opinion_police",
        "name": "Young people with a good opinion of the police",
        "description": "Share of young Londoners surveyed who have a 'good opinion' of the police.",
        "aim_code": "feelings_of_safety",
        "objective_number": 8,
        "unit": "percent",
        "direction": "up",
        "kind": "entered",
        "source": "MOPAC Youth Voice Survey",
        "baseline_value": 50.0,
        "baseline_period": "2018-12",
        "baseline_source": f"{STRATEGY_SOURCE}, 'Objective 4 – Why', quoting the MOPAC Youth Voice Survey 2018",
        "target_value": 60.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "position": 90,
    },
    {
        "code": "school_exclusions",
        "name": "Permanent exclusions from London schools",
        "description": "Pupils permanently excluded from London schools in the academic year ending in the period.",
        "aim_code": "reduce_violence",
        "objective_number": 5,
        "unit": "count",
        "direction": "down",
        "kind": "entered",
        "source": "Department for Education, Suspensions and permanent exclusions in England",
        "notes": "No baseline is stated in the strategy: enter the DfE figures to rate this indicator.",
        "position": 100,
    },
    *[
        {
            "code": code,
            "name": name,
            "description": f"{name}. One of the measures the Home Office judges VRUs on.",
            "aim_code": "reduce_violence",
            "objective_number": None,
            "unit": "count",
            "direction": "down",
            "kind": "entered",
            "source": source,
            "home_office": True,
            "notes": "Enter the figures as they are published, with their source and date.",
            "position": position,
        }
        for code, name, source, position in (
            (
                "ho_sharp_object_admissions_u25",
                "Hospital admissions for assault with a sharp object, victims under 25",
                "NHS Hospital Episode Statistics (via the Home Office)",
                110,
            ),
            (
                "ho_knife_serious_violence_u25",
                "Knife-enabled serious violence, victims under 25",
                "Police recorded crime (via the Home Office)",
                120,
            ),
            ("ho_homicides_u25", "Homicides, victims under 25", "Home Office Homicide Index", 130),
        )
    ],
    {
        "code": "money_top_need_share",
        "name": "Share of money awarded to the highest-need wards",
        "description": (
            "Of the money awarded (approved, active or completed awards) up to each month, the share that "
            "goes to the 10% of wards with the highest need score under the default scoring profile."
        ),
        "aim_code": "community_at_heart",
        "objective_number": None,
        "unit": "percent",
        "direction": "up",
        "kind": "register",
        "method": "register:money_top_need_share",
        "source": REGISTER_SOURCE,
        "target_value": 50.0,
        "target_period": "2027-03",
        "target_note": ILLUSTRATIVE,
        "position": 200,
    },
    {
        "code": "money_awarded",
        "name": "Money awarded (cumulative)",
        "description": "Total of approved, active and completed awards up to each month.",
        "aim_code": "community_at_heart",
        "unit": "gbp",
        "direction": "up",
        "kind": "register",
        "method": "register:money_awarded",
        "source": REGISTER_SOURCE,
        "position": 210,
    },
    {
        "code": "people_reached",
        "name": "People reached by funded projects",
        "description": "People reached as reported in monitoring returns, per return period.",
        "aim_code": "community_at_heart",
        "unit": "people",
        "direction": "up",
        "kind": "register",
        "method": "register:people_reached",
        "source": REGISTER_SOURCE,
        "position": 220,
    },
    {
        "code": "under25_reached",
        "name": "Young people (under 25) reached by funded projects",
        "description": "Under-25s reached as reported in monitoring returns, per return period.",
        "aim_code": "community_at_heart",
        "unit": "people",
        "direction": "up",
        "kind": "register",
        "method": "register:under_25_reached",
        "source": REGISTER_SOURCE,
        "position": 230,
    },
    {
        "code": "returns_green_share",
        "name": "Monitoring returns rated Green",
        "description": "Share of the monitoring returns for each period that the project rated Green.",
        "aim_code": "community_at_heart",
        "unit": "percent",
        "direction": "up",
        "kind": "register",
        "method": "register:returns_green_share",
        "source": REGISTER_SOURCE,
        "position": 240,
    },
    {
        "code": "people_reached_obj2",
        "name": "Parents, carers and families reached (objective 2 projects)",
        "description": "People reached by projects funded under objective 2, from their monitoring returns.",
        "aim_code": "community_at_heart",
        "objective_number": 2,
        "unit": "people",
        "direction": "up",
        "kind": "register",
        "method": "register:people_reached",
        "source": REGISTER_SOURCE,
        "position": 250,
    },
    {
        "code": "under25_reached_obj3",
        "name": "Young people reached (objective 3 projects)",
        "description": "Under-25s reached by projects funded under objective 3, from their monitoring returns.",
        "aim_code": "community_at_heart",
        "objective_number": 3,
        "unit": "people",
        "direction": "up",
        "kind": "register",
        "method": "register:under_25_reached",
        "source": REGISTER_SOURCE,
        "position": 260,
    },
]

# Figures stated in the strategy, entered as values of the indicators above.
SEED_VALUES: list[dict] = [
    {
        "indicator_code": "knife_injury_victims",
        "period": "2018-03",
        "value": 2222.0,
        "source": f"{STRATEGY_SOURCE}, 'Violence in London'",
        "source_date": None,  # the strategy (2019) gives no publication day
    },
    {
        "indicator_code": "knife_injury_victims",
        "period": "2019-03",
        "value": 1877.0,
        "source": f"{STRATEGY_SOURCE}, 'Violence in London'",
        "source_date": None,  # the strategy (2019) gives no publication day
    },
    {
        "indicator_code": "homicide_concentration",
        "period": "2019-03",
        "value": 52.0,
        "source": f"{STRATEGY_SOURCE}, 'Violence in London'",
        "source_date": None,  # the strategy (2019) gives no publication day
    },
    {
        "indicator_code": "adult_reoffending_rate",
        "period": "2019-03",
        "value": 27.0,
        "source": f"{STRATEGY_SOURCE}, 'Objective 6 – Why'",
        "source_date": None,  # the strategy (2019) gives no publication day
    },
    {
        "indicator_code": "youth_good_opinion_police",
        "period": "2018-12",
        "value": 50.0,
        "source": "MOPAC Youth Voice Survey 2018, as quoted in the strategy",
        "source_date": None,
    },
]

DEFAULT_RAG = {"key": "default", "on_track_progress": 0.5, "off_track_below": 0.0, "trend_tolerance_pct": 1.0}
