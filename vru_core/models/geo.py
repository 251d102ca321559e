"""Boroughs and May 2022 wards, with their boundaries and Census 2021 populations."""

from sqlmodel import Field, SQLModel


class Borough(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=9)
    name: str = Field(index=True)
    geometry: str  # GeoJSON geometry, EPSG:4326


class Ward(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=9)
    name: str = Field(index=True)
    borough_code: str = Field(foreign_key="borough.code", index=True, max_length=9)
    population: int | None = None  # Census 2021 usual residents, LSOA best fit (approximate)
    population_lsoas: int | None = None  # LSOAs best-fitted to the ward: few means a rougher figure
    in_mps_data: bool = True  # False for City of London wards (City of London Police area)
    geometry: str
