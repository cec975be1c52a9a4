"""The actor knowledge base: countries, seats of power, people with dated roles, organisations,
international organisations and generic agents, loaded from versioned data files.

``load_knowledge_base()`` reads the packaged files (and any user files) once; the result is
immutable and passed to the stages that need it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pycountry
from rapidfuzz import fuzz, process

from detente.datafiles import csv_rows, load_yaml, packaged_text, read_yaml_file
from detente.errors import DataFileError
from detente.records import Entity

SECTORS = frozenset(
    {
        "COP",
        "GOV",
        "JUD",
        "LEG",
        "MIL",
        "PRM",
        "PTY",
        "REB",
        "SPY",
        "UAF",
        "UNK",
        "AGR",
        "BUS",
        "CRM",
        "CVL",
        "EDU",
        "ELI",
        "JRN",
        "LAB",
        "MED",
        "REF",
        "OPP",
        "PRE",
        "REL",
        "SOC",
        "ETH",
    }
)
NON_STATE_CODES = frozenset({"IGO", "UNO", "EUR", "NGO", "ISM", "IMG", "MNC"})


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    titles: tuple[str, ...]
    sector: str
    start: dt.date | None
    end: dt.date | None
    country: str | None = None

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


# Kinds of entry that stand for their country wherever they are named.
COUNTRY_KINDS = frozenset({"country", "capital", "adjective", "region"})


@dataclass(frozen=True, slots=True)
class KBEntry:
    """One knowledge-base entity. ``kind``: country, capital, adjective, region (a first-level
    part of a country), person, organization."""

    id: str
    kind: str
    name: str
    country: str | None
    sector: str | None
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    wikidata: str | None = None

    def role_on(self, day: dt.date | None) -> Role | None:
        """The role held on ``day``; without a day, the latest role."""
        if not self.roles:
            return None
        if day is None:
            return self.roles[-1]
        current = [role for role in self.roles if role.holds_on(day)]
        return current[-1] if current else None

    def entity(self, day: dt.date | None = None) -> Entity:
        role = self.role_on(day)
        country = self.country
        sector = self.sector
        if role is not None:
            country = role.country or country
            sector = role.sector
        elif self.kind == "person" and self.roles and day is not None:
            # Out of office on that day: a former official (PLOVER's ELI sector).
            sector = "ELI"
        return Entity(
            code=country or "UNK",
            sector=sector,
            name=self.name,
            entity_id=f"{self.kind}:{self.id}",
            role=role.title if role else None,
        )


@dataclass(frozen=True)
class KnowledgeBase:
    entries: Mapping[str, KBEntry]
    agents: Mapping[str, str]  # lemma or phrase (lower case) → sector
    adjectives: Mapping[str, str]  # adjective or demonym (lower case) → ISO3
    _by_alias: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, key: str) -> KBEntry:
        return self.entries[key]

    def by_alias(self, text: str) -> list[KBEntry]:
        return [self.entries[k] for k in self._by_alias.get(_norm(text), ())]

    def country(self, iso3: str) -> KBEntry | None:
        return self.entries.get(f"country:{iso3}")

    def country_code(self, text: str) -> str | None:
        """ISO3 for a country name, adjective or capital written in ``text``."""
        key = _norm(text)
        if key in self.adjectives:
            return self.adjectives[key]
        for entry in self.by_alias(text):
            if entry.kind in COUNTRY_KINDS and entry.country:
                return entry.country
        return None

    def misspelt_country(self, text: str) -> str | None:
        """ISO3 for a country named with a slip of the pen ("Afganistan"): one or two edits from
        a country's name or adjective, same first letter. Answers are cached (bounded)."""
        cache = self._misspelt
        if text not in cache:
            if len(cache) > 50_000:
                cache.clear()  # a bounded cache over a long ingest
            names = self._spellings
            match = process.extractOne(
                text.lower(), list(names), scorer=fuzz.ratio, score_cutoff=90
            )
            if match is not None and match[0][:1] == text[:1].lower():
                cache[text] = names[match[0]]
            else:
                cache[text] = None
        return cache[text]

    @cached_property
    def _spellings(self) -> dict[str, str]:
        """Country names and adjectives of six letters or more (lower case) → ISO3."""
        return {
            alias.lower(): entry.country
            for entry in self.entries.values()
            if entry.kind in ("country", "adjective") and entry.country
            for alias in (entry.name, *entry.aliases)
            if len(alias) >= 6
        }

    @cached_property
    def _misspelt(self) -> dict[str, str | None]:
        return {}

    def patterns(self) -> list[dict[str, Any]]:
        """EntityRuler phrase patterns: label ACTOR, id = knowledge-base key."""
        out: list[dict[str, Any]] = []
        for key, entry in self.entries.items():
            for alias in {entry.name, *entry.aliases}:
                for form in _case_forms(alias):
                    out.append({"label": "ACTOR", "pattern": form, "id": key})
        return out

    @cached_property
    def given_names(self) -> frozenset[str]:
        """Words (lower case) that are a given name or other non-final part of a person's name
        in the knowledge base."""
        given: set[str] = set()
        for entry in self.entries.values():
            if entry.kind == "person":
                for alias in (entry.name, *entry.aliases):
                    given.update(alias.lower().split()[:-1])
        return frozenset(given)

    def shared_surnames(self) -> dict[str, tuple[str, ...]]:
        """Surnames (lower case) several people of one country share ("Sharif", "Rajapaksa",
        "Shinawatra") → their keys: alone, such a name is of that country, and the one of them
        in office on the day if only one is. Words that are also given names or of the calendar
        are left out, as for ``surnames``."""
        given = self.given_names
        return {
            name: tuple(sorted(keys))
            for name, keys in self._surname_holders(whole_names=False).items()
            if len(keys) >= 2
            and len({self.entries[k].country for k in keys}) == 1
            and name not in given
            and name not in CALENDAR_WORDS
        }

    def surnames(self) -> dict[str, str]:
        """Unambiguous person surnames (lower case) → key, for tolerant matching of misspellings.
        A word is no one's surname alone when it is also a name's other part ("Hassan" of Hassan
        Rouhani besides Jafar Hassan), the end of a patronymic ("bin Mubarak"), or a word of the
        calendar (Godwin Friday)."""
        given = self.given_names
        return {
            name: next(iter(keys))
            for name, keys in self._surname_holders(whole_names=True).items()
            if len(keys) == 1 and name not in given and name not in CALENDAR_WORDS
        }

    def _surname_holders(self, *, whole_names: bool) -> dict[str, set[str]]:
        """The last word of each person's names (not of a patronymic: "bin Mubarak") → the
        people whose name ends so; with ``whole_names``, one-word names ("Lula") count too."""
        found: dict[str, set[str]] = defaultdict(set)
        for key, entry in self.entries.items():
            if entry.kind != "person":
                continue
            for alias in (entry.name, *entry.aliases):
                words = alias.lower().split()
                if len(words) >= 2 and words[-2] in NAME_PARTICLES:
                    continue
                if len(words) >= 2 or whole_names:
                    found[words[-1]].add(key)
        return found

    def lookup(self, text: str, day: dt.date | None = None) -> list[Entity]:
        return [entry.entity(day) for entry in self.by_alias(text)]


# Words before the last of a name that make it a patronymic or a family's, not a surname alone.
NAME_PARTICLES = frozenset({"bin", "ibn", "bint", "abu", "al", "el", "ould", "wad", "ben"})
CALENDAR_WORDS = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
    }
)


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def _case_forms(alias: str) -> set[str]:
    """An alias as written, and at a sentence's start ("the Pentagon", "rights groups")."""
    forms = {alias}
    if alias.startswith("the "):
        forms.add("The " + alias[4:])
    elif alias[:1].islower():
        forms.add(alias[:1].upper() + alias[1:])
    return forms


def _date(value: Any, origin: str, what: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        if len(text) == 4:
            return dt.date(int(text), 1, 1)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataFileError(
            origin, f"{what}: {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY"
        ) from None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split("|") if part.strip())


def _check_code(code: str | None, origin: str, what: str) -> None:
    if code is None or code in NON_STATE_CODES or code == "KOS":
        return
    if pycountry.countries.get(alpha_3=code) is None:
        raise DataFileError(origin, f"{what}: {code!r} is not an ISO 3166 alpha-3 or PLOVER code")


def _check_sector(sector: str | None, origin: str, what: str) -> None:
    if sector is not None and sector not in SECTORS:
        raise DataFileError(origin, f"{what}: unknown PLOVER sector {sector!r}")


def parse_countries(text: str, origin: str) -> list[KBEntry]:
    out: list[KBEntry] = []
    reader = csv_rows(text)
    required = {"iso3", "name", "aliases", "adjectives", "capitals"}
    if not reader.fieldnames or not required <= set(reader.fieldnames):
        raise DataFileError(origin, f"header must name {sorted(required)}")
    for row in reader:
        code = (row["iso3"] or "").strip()
        where = f"row for {code or '?'}"
        _check_code(code, origin, where)
        out.append(
            KBEntry(code, "country", row["name"].strip(), code, None, _split(row["aliases"]))
        )
        adjectives = _split(row["adjectives"])
        if adjectives:
            out.append(KBEntry(code, "adjective", adjectives[0], code, None, adjectives[1:]))
        capitals = _split(row["capitals"])
        if capitals:
            out.append(KBEntry(code, "capital", capitals[0], code, "GOV", capitals[1:]))
    return out


def _pycountry_entries(known: set[str]) -> list[KBEntry]:
    out = []
    for country in pycountry.countries:
        code = country.alpha_3
        if code in known:
            continue
        names = {getattr(country, attr, None) for attr in ("name", "common_name", "official_name")}
        names.discard(None)
        name = _common_name(country)
        aliases = tuple(sorted(str(n) for n in names if n != name))
        out.append(KBEntry(code, "country", str(name), code, None, aliases))
    return out


# Words that name a part of many countries ("Central", "Eastern", "Capital"): never a region.
GENERIC_REGIONS = frozenset(
    {
        *("central", "north", "south", "east", "west", "northern", "southern", "eastern"),
        *("western", "capital", "coast", "coastal", "island", "islands", "upper", "lower"),
        *("highlands", "lakes", "lake", "river", "valley", "mountain", "plateau", "interior"),
    }
)


def _folded(text: str) -> str:
    """The name without its diacritics ("Kandahār" → "Kandahar")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _region_entries(raw: Any, origin: str, taken: set[str]) -> list[KBEntry]:
    """First-level subdivisions of every country (ISO 3166-2, from pycountry: "Wisconsin",
    "Khyber Pakhtunkhwa") and the English names of regions.yaml ("Tigray", "Donbas") as places
    of their country, where the name means one place: not a name of anything else in the base
    (Georgia, Washington, Victoria), not a region of another country (Punjab), not a generic or
    everyday word (regions.yaml's ``not_places``: "Unity", "Red Sea")."""
    if not isinstance(raw, dict) or not isinstance(raw.get("names"), list):
        raise DataFileError(origin, "expected a mapping with a 'names' list")
    excluded = {_norm(str(n)) for n in raw.get("not_places") or ()} | GENERIC_REGIONS
    found: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, str] = {}
    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    named: list[tuple[str, str, str]] = []  # (name, country, id)
    for sub in pycountry.subdivisions:
        country = alpha3.get(sub.country_code)
        if sub.parent_code is None and country is not None:
            named.append((str(sub.name), country, str(sub.code)))
    for number, item in enumerate(raw["names"], start=1):
        if not isinstance(item, dict) or not item.get("name"):
            raise DataFileError(origin, f"name #{number}: needs 'name' and 'country'")
        _check_code(item.get("country"), origin, f"name #{number}")
        named.append((str(item["name"]), str(item["country"]), f"{item['country']}-{number}"))
    for raw_name, country, code in named:
        name = " ".join(raw_name.split())
        if not name or not name[0].isupper() or _norm(name) in excluded:
            continue
        found[name].add(country)
        codes.setdefault(name, code)
    out: list[KBEntry] = []
    for name, countries in sorted(found.items()):
        if len(countries) != 1 or _norm(name) in taken:
            continue
        folded = _folded(name)
        fresh = folded != name and folded not in found and _norm(folded) not in taken
        aliases = (folded,) if fresh else ()
        out.append(KBEntry(codes[name], "region", name, next(iter(countries)), None, aliases))
    return out


def parse_people(raw: Any, origin: str) -> list[KBEntry]:
    if not isinstance(raw, dict) or not isinstance(raw.get("people"), list):
        raise DataFileError(origin, "expected a mapping with a 'people' list")
    out = []
    for number, item in enumerate(raw["people"], start=1):
        where = f"person #{number} ({item.get('id', '?') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise DataFileError(origin, f"{where}: needs 'id' and 'name'")
        country = item.get("country")
        _check_code(country, origin, where)
        roles = []
        for role in item.get("roles") or []:
            _check_sector(role.get("sector"), origin, where)
            _check_code(role.get("country"), origin, where)
            start = _date(role.get("start"), origin, f"{where} start")
            end = _date(role.get("end"), origin, f"{where} end")
            if start and end and end < start:
                raise DataFileError(origin, f"{where}: role ends before it starts")
            roles.append(
                Role(
                    str(role.get("title", "")),
                    tuple(str(t).lower() for t in role.get("titles") or ()),
                    str(role.get("sector") or "GOV"),
                    start,
                    end,
                    role.get("country"),
                )
            )
        roles.sort(key=lambda r: r.start or dt.date.min)
        out.append(
            KBEntry(
                str(item["id"]),
                "person",
                str(item["name"]),
                country,
                None,
                tuple(str(v) for v in item.get("variants") or ()),
                tuple(roles),
                item.get("wikidata"),
            )
        )
    return out


# Office codes of officeholders.csv: (title pattern, how the office is written in text, sector).
OFFICES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "president": ("President of {}", ("president", "head of state", "leader"), "GOV"),
    "pm": ("Prime Minister of {}", ("prime minister", "premier", "head of government", "leader"),
           "GOV"),
    "chancellor": ("Chancellor of {}", ("chancellor", "head of government", "leader"), "GOV"),
    "king": ("King of {}", ("king", "monarch", "head of state"), "GOV"),
    "fm": ("Minister of Foreign Affairs of {}", ("foreign minister", "minister of foreign affairs",
           "foreign secretary", "secretary of state", "top diplomat"), "GOV"),
    "dm": ("Minister of Defence of {}", ("defence minister", "defense minister",
           "minister of defence", "minister of defense", "defence secretary", "defense secretary",
           "secretary of defense"), "MIL"),
    "cgs": ("Chief of the General Staff of {}", ("chief of the general staff",
            "chief of general staff", "chief of staff", "top general", "military chief"), "MIL"),
    "head": ("{}", ("head", "chief", "president", "secretary-general", "secretary general",
             "high representative", "director general"), "GOV"),
}  # fmt: skip


def parse_officeholders(text: str, origin: str) -> list[KBEntry]:
    """officeholders.csv: one row per office held; a person's rows are merged into one entry."""
    comments = 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments += 1
    people: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(csv_rows(text), start=comments + 2):
        where = f"row {row.get('id') or '?'}"
        try:
            pid, country, office = row["id"].strip(), row["country"].strip(), row["role"].strip()
        except (KeyError, AttributeError):
            raise DataFileError(origin, "expected columns id,name,variants,country,role,title,"
                                "start,end,wikidata", number) from None  # fmt: skip
        if not pid or office not in OFFICES:
            raise DataFileError(
                origin, f"{where}: needs an id and a role of {sorted(OFFICES)}", number
            )
        try:
            _check_code(country, origin, where)
            start = _date(row.get("start"), origin, f"{where} start")
            end = _date(row.get("end"), origin, f"{where} end")
        except DataFileError as exc:
            raise DataFileError(origin, exc.message, number) from None
        if start and end and end < start:
            raise DataFileError(origin, f"{where}: office ends before it starts", number)
        person = people.setdefault(pid, {"name": "", "variants": (), "country": country,
                                          "roles": [], "wikidata": None})  # fmt: skip
        if row.get("name"):
            person["name"] = row["name"].strip()
            person["variants"] = _split(row.get("variants"))
        if row.get("wikidata"):
            person["wikidata"] = row["wikidata"].strip()
        pattern, titles, sector = OFFICES[office]
        place = country_name(country)
        title = (row.get("title") or "").strip() or pattern.format(place)
        person["roles"].append(Role(title, titles, sector, start, end, country))
    out = []
    for pid, person in people.items():
        if not person["name"]:
            raise DataFileError(origin, f"row {pid}: the person's first row needs a name")
        roles = sorted(person["roles"], key=lambda r: r.start or dt.date.min)
        home = roles[-1].country if roles else person["country"]
        states = [r.country for r in roles if r.country not in NON_STATE_CODES]
        out.append(
            KBEntry(
                pid,
                "person",
                person["name"],
                states[-1] if states else home,
                None,
                person["variants"],
                tuple(roles),
                person["wikidata"],
            )
        )
    return out


def country_name(code: str) -> str:
    if code in ("EUR", "UNO", "IGO"):
        return code
    country = pycountry.countries.get(alpha_3=code)
    return _common_name(country) if country else code


def _common_name(country: Any) -> str:
    """A pycountry country's everyday name ("Bolivia", not "Bolivia, Plurinational State of")."""
    return str(getattr(country, "common_name", None) or country.name)


def parse_organizations(raw: Any, origin: str) -> list[KBEntry]:
    if not isinstance(raw, dict) or not isinstance(raw.get("organizations"), list):
        raise DataFileError(origin, "expected a mapping with an 'organizations' list")
    out = []
    for number, item in enumerate(raw["organizations"], start=1):
        where = f"organization #{number}"
        if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
            raise DataFileError(origin, f"{where}: needs 'id' and 'name'")
        _check_code(item.get("country"), origin, where)
        _check_sector(item.get("sector"), origin, where)
        out.append(
            KBEntry(
                str(item["id"]),
                "organization",
                str(item["name"]),
                item.get("country"),
                item.get("sector"),
                tuple(str(a) for a in item.get("aliases") or ()),
                (),
                item.get("wikidata"),
            )
        )
    return out


def parse_agents(raw: Any, origin: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not isinstance(raw.get("agents"), dict):
        raise DataFileError(origin, "expected a mapping with an 'agents' mapping")
    out: dict[str, str] = {}
    for sector, words in raw["agents"].items():
        _check_sector(sector, origin, f"agents {sector}")
        for word in words:
            out[_norm(str(word))] = str(sector)
    return out


def _packaged(name: str) -> str:
    return packaged_text("detente.actors", "data", name)


def load_user_file(path: Path) -> tuple[list[KBEntry], dict[str, str]]:
    """A user's actor file: YAML with any of 'people', 'organizations', 'agents'."""
    origin = str(path)
    raw = read_yaml_file(path)
    if not isinstance(raw, dict):
        raise DataFileError(origin, "expected a mapping with 'people', 'organizations' or 'agents'")
    entries: list[KBEntry] = []
    if "people" in raw:
        entries += parse_people(raw, origin)
    if "organizations" in raw:
        entries += parse_organizations(raw, origin)
    agents = parse_agents(raw, origin) if "agents" in raw else {}
    if not entries and not agents:
        raise DataFileError(origin, "no 'people', 'organizations' or 'agents' found")
    return entries, agents


def build(entries: Iterable[KBEntry], agents: Mapping[str, str]) -> KnowledgeBase:
    table: dict[str, KBEntry] = {}
    for entry in entries:
        table[f"{entry.kind}:{entry.id}"] = entry  # later files override earlier ones
    adjectives: dict[str, str] = {}
    by_alias: dict[str, list[str]] = defaultdict(list)
    for key, entry in table.items():
        for alias in (entry.name, *entry.aliases):
            if key not in by_alias[_norm(alias)]:
                by_alias[_norm(alias)].append(key)
            if entry.kind == "adjective" and entry.country:
                adjectives[_norm(alias)] = entry.country
    return KnowledgeBase(
        table, dict(agents), adjectives, {k: tuple(v) for k, v in by_alias.items()}
    )


def place_first_names() -> frozenset[str]:
    """first_names.yaml: given names that are also names of places ("Victoria", "Chad")."""
    raw = load_yaml(_packaged("first_names.yaml"), "first_names.yaml")
    names = raw.get("names") if isinstance(raw, dict) else None
    if not isinstance(names, list):
        raise DataFileError("first_names.yaml", "'names' must be a list of names")
    return frozenset(_norm(str(n)) for n in names)


def load_knowledge_base(extra_files: Sequence[Path] = ()) -> KnowledgeBase:
    """The packaged knowledge base, extended or overridden by the user's files in order."""
    entries = parse_countries(_packaged("countries.csv"), "detente/actors/data/countries.csv")
    entries += _pycountry_entries({e.id for e in entries if e.kind == "country"})
    entries += parse_officeholders(_packaged("officeholders.csv"), "officeholders.csv")
    entries += parse_people(load_yaml(_packaged("people.yaml"), "people.yaml"), "people.yaml")
    entries += parse_organizations(
        load_yaml(_packaged("organizations.yaml"), "organizations.yaml"), "organizations.yaml"
    )
    entries += _region_entries(
        load_yaml(_packaged("regions.yaml"), "regions.yaml"),
        "regions.yaml",
        {_norm(a) for e in entries for a in (e.name, *e.aliases)},
    )
    agents = parse_agents(load_yaml(_packaged("agents.yaml"), "agents.yaml"), "agents.yaml")
    for path in extra_files:
        more, more_agents = load_user_file(path)
        entries += more
        agents = {**agents, **more_agents}
    return build(entries, agents)
