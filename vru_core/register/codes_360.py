"""Codes from the 360Giving Data Standard 1.4.3 codelists that the register uses (codelists/*.csv in
ThreeSixtyGiving/standard at tag 1.4.3). tests/register/test_register_export.py checks them against a
table of the standard's codes, and against the official codelist files when those are installed."""

from __future__ import annotations

# regrantType.csv: for awards to councils and intermediaries that make onward grants.
REGRANT_TYPES = {
    "FRG010": "Common Regrant",
    "FRG020": "Transfer to intermediary",
    "FRG030": "Match funding",
    "FRG040": "Funder collaboration",
    "FRG050": "Fiscal sponsor",
    "FRG060": "Endowment",
    "FRG070": "Multipurpose",
}

# locationScope.csv: a ward award is a small area, a borough award a local authority, London a region.
LOCATION_SCOPES = {"ward": "GLS060", "borough": "GLS050", "london": "GLS040"}

# geoCodeType.csv: electoral wards, London boroughs, regions (formerly Government Office Regions).
WARD_TYPE, BOROUGH_TYPE, REGION_TYPE = "WD", "LONB", "RGN/GOR"
LONDON_REGION = {"name": "London", "geoCode": "E12000007", "geoCodeType": REGION_TYPE, "countryCode": "GB"}
