"""detente's own training corpus: sentence templates (``corpus/templates.txt``) expanded into gold
records (detente's JSONL gold format plus the trigger's character span).

The expansion is deterministic (a fixed seed), so ``make train`` rebuilds the same files.
Every fifth template goes to the held-out split: its wordings never reach the trained model.

    python -m detente.training.corpus corpus/templates.txt corpus/
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.errors import DataFileError
from detente.records import EventType, Status

SEED = 20240713
VARIANTS = 11  # sentences drawn per template (duplicates are dropped)
HELD_OUT_EVERY = 5


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    adjective: str
    capital: str


# Countries the templates are filled with: name, adjective, seat of government.
COUNTRIES = tuple(
    Country(*row)
    for row in (
        ("BLR", "Belarus", "Belarusian", "Minsk"),
        ("UKR", "Ukraine", "Ukrainian", "Kyiv"),
        ("RUS", "Russia", "Russian", "Moscow"),
        ("POL", "Poland", "Polish", "Warsaw"),
        ("LTU", "Lithuania", "Lithuanian", "Vilnius"),
        ("LVA", "Latvia", "Latvian", "Riga"),
        ("EST", "Estonia", "Estonian", "Tallinn"),
        ("MDA", "Moldova", "Moldovan", "Chisinau"),
        ("GEO", "Georgia", "Georgian", "Tbilisi"),
        ("ARM", "Armenia", "Armenian", "Yerevan"),
        ("AZE", "Azerbaijan", "Azerbaijani", "Baku"),
        ("KAZ", "Kazakhstan", "Kazakh", "Astana"),
        ("KGZ", "Kyrgyzstan", "Kyrgyz", "Bishkek"),
        ("TJK", "Tajikistan", "Tajik", "Dushanbe"),
        ("FIN", "Finland", "Finnish", "Helsinki"),
        ("ROU", "Romania", "Romanian", "Bucharest"),
        ("HUN", "Hungary", "Hungarian", "Budapest"),
        ("SRB", "Serbia", "Serbian", "Belgrade"),
        ("TUR", "Turkey", "Turkish", "Ankara"),
        ("GRC", "Greece", "Greek", "Athens"),
        ("DEU", "Germany", "German", "Berlin"),
        ("FRA", "France", "French", "Paris"),
        ("GBR", "Britain", "British", "London"),
        ("USA", "the United States", "American", "Washington"),
        ("CHN", "China", "Chinese", "Beijing"),
        ("IND", "India", "Indian", "New Delhi"),
        ("PAK", "Pakistan", "Pakistani", "Islamabad"),
        ("IRN", "Iran", "Iranian", "Tehran"),
        ("ISR", "Israel", "Israeli", "Jerusalem"),
        ("JPN", "Japan", "Japanese", "Tokyo"),
        ("KOR", "South Korea", "South Korean", "Seoul"),
        ("PRK", "North Korea", "North Korean", "Pyongyang"),
        ("EGY", "Egypt", "Egyptian", "Cairo"),
        ("NGA", "Nigeria", "Nigerian", "Abuja"),
        ("VEN", "Venezuela", "Venezuelan", "Caracas"),
        ("COL", "Colombia", "Colombian", "Bogota"),
    )
)

STATE = (
    "{name}", "{name}", "{name}", "{capital}", "the {adj} government", "the {adj} foreign ministry",
    "{name}'s defence ministry", "the government in {capital}", "{name}'s government",
)  # fmt: skip
COUNTERPART = ("{name}", "{name}", "{name}", "{capital}", "the {adj} government")
LEADER = (
    "the {adj} president", "{name}'s prime minister", "the {adj} government", "{name}'s president",
    "the {adj} foreign minister",
)  # fmt: skip
FORCES = (
    "{adj} troops", "the {adj} army", "{adj} forces", "the {adj} military", "{name}'s armed forces",
    "{adj} units",
)  # fmt: skip
PEOPLE = (
    "{adj} protesters", "students in {capital}", "{adj} farmers", "opposition supporters in {name}",
    "{adj} activists", "residents of {capital}",
)  # fmt: skip
CLAIMANT = (
    "the {adj} defence ministry", "{name}'s foreign ministry", "the {adj} border service",
    "officials in {capital}", "{name}", "the {adj} general staff", "{adj} state media",
)  # fmt: skip
DATES = (
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
    "on Sunday", "last week", "earlier this month", "overnight", "", "", "on 12 March",
    "on 3 June", "on 21 September", "this week",
)  # fmt: skip
NUMBERS = ("12", "25", "40", "60", "150", "300", "1,200", "5,000")
PLACES = ("Krasny Bor", "Dolina", "Zarechye", "Ozerki", "Stary Most", "Lipki", "Belaya Gora",
          "Nowa Wola", "Kamenka", "Topolino")  # fmt: skip

SLOT = re.compile(r"\{(\w+)\}")
TRIGGER = re.compile(r"\[([^\]]+)\]")
PIECE = re.compile(f"{SLOT.pattern}|{TRIGGER.pattern}")  # a slot (group 1) or the trigger (2)
RECIPIENT_SLOTS = {"R", "Rg", "Ra", "Rc", "Rm", "S"}
HOSTILE = {
    EventType.MOBILIZE, EventType.ASSAULT, EventType.COERCE, EventType.SANCTION,
    EventType.THREATEN, EventType.PROTEST,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Template:
    number: int
    line: int
    text: str
    event: EventType | None  # None: the sentence holds no codable event
    mode: str | None
    status: Status
    claimed: bool

    @property
    def held_out(self) -> bool:
        return self.number % HELD_OUT_EVERY == HELD_OUT_EVERY - 1


@dataclass
class Filled:
    parts: list[str] = field(default_factory=list)
    trigger: tuple[int, int] | None = None
    length: int = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)


def read_templates(path: Path) -> list[Template]:
    templates: list[Template] = []
    section: dict[str, Any] | None = None
    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            head, *options = line[3:].split()
            try:
                event = None if head == "NONE" else EventType(head)
                settings = dict(o.split("=", 1) for o in options)
                section = {
                    "event": event,
                    "mode": settings.get("mode"),
                    "status": Status(settings.get("status", "asserted")),
                    "claimed": settings.get("claim") == "S",
                }
            except ValueError as exc:
                raise DataFileError(str(path), f"bad section header ({exc})", number) from None
            continue
        if section is None:
            raise DataFileError(str(path), "template before any section header", number)
        if section["event"] is not None and len(TRIGGER.findall(line)) != 1:
            raise DataFileError(str(path), "an event template needs one [trigger]", number)
        templates.append(Template(len(templates), number, line, **section))
    return templates


def _forms(country: Country, forms: tuple[str, ...], rng: random.Random) -> str:
    return rng.choice(forms).format(
        name=country.name, adj=country.adjective, capital=country.capital
    )


def _fill(template: Template, cast: dict[str, Country], rng: random.Random) -> Filled:
    values = {
        "A": lambda: _forms(cast["A"], STATE, rng),
        "Am": lambda: _forms(cast["A"], FORCES, rng),
        "Ag": lambda: _forms(cast["A"], LEADER, rng),
        "Aa": lambda: cast["A"].adjective,
        "Ac": lambda: cast["A"].capital,
        "Ap": lambda: _forms(cast["A"], PEOPLE, rng),
        "A2": lambda: _forms(cast["A2"], STATE[:4], rng),
        "R": lambda: _forms(cast["R"], COUNTERPART, rng),
        "R2": lambda: cast["R2"].name,
        "Rg": lambda: _forms(cast["R"], LEADER, rng),
        "Ra": lambda: cast["R"].adjective,
        "Rc": lambda: cast["R"].capital,
        "Rm": lambda: _forms(cast["R"], FORCES, rng),
        "S": lambda: _forms(cast["R"], CLAIMANT, rng),
        "T": lambda: cast["T"].name,
        "D": lambda: rng.choice(DATES),
        "N": lambda: rng.choice(NUMBERS),
        "P": lambda: rng.choice(PLACES),
    }
    filled = Filled()
    position = 0
    text = template.text
    for match in PIECE.finditer(text):
        filled.add(text[position : match.start()])
        if match.group(1):
            filled.add(values[match.group(1)]())
        else:
            start = filled.length
            filled.add(match.group(2))
            filled.trigger = (start, filled.length)
        position = match.end()
    filled.add(text[position:])
    return filled


def _tidy(filled: Filled) -> tuple[str, tuple[int, int] | None]:
    """Join the parts, drop the gap an empty date leaves, capitalise the first letter; keep the
    trigger's offsets in step."""
    text = "".join(filled.parts)
    trigger = filled.trigger
    out: list[str] = []
    mapping: list[int] = []
    for i, ch in enumerate(text):
        if ch == " " and ((out and out[-1] == " ") or (i + 1 < len(text) and text[i + 1] in ".,")):
            continue
        mapping.append(i)
        out.append(ch)
    tidy = "".join(out)
    tidy = tidy[:1].upper() + tidy[1:]
    if trigger is None:
        return tidy, None
    start = next(j for j, i in enumerate(mapping) if i >= trigger[0])
    end = next((j for j, i in enumerate(mapping) if i >= trigger[1]), len(mapping))
    return tidy, (start, end)


def _events(
    template: Template, cast: dict[str, Country], trigger: tuple[int, int] | None
) -> list[dict[str, Any]]:
    if template.event is None:
        return []
    slots = set(SLOT.findall(template.text))
    actors = [cast["A"].code] + ([cast["A2"].code] if "A2" in slots else [])
    recipients = ([cast["R"].code] if slots & RECIPIENT_SLOTS else []) + (
        [cast["R2"].code] if "R2" in slots else []
    )
    event: dict[str, Any] = {
        "event": template.event.value,
        "mode": template.mode,
        "actor": actors,
        "recipient": recipients,
        "status": template.status.value,
        "trigger": list(trigger) if trigger else None,
    }
    if template.claimed:
        event["claimed_by"] = cast["R"].code
    out = [event]
    if template.claimed and template.status == Status.ALLEGED and template.event in HOSTILE:
        out.append(
            {
                "event": "ACCUSE",
                "mode": "allege",
                "actor": [cast["R"].code],
                "recipient": [cast["A"].code],
                "status": "asserted",
                "trigger": None,
            }
        )
    return out


def expand(
    templates: list[Template], seed: int = SEED
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, held_out) records."""
    rng = random.Random(seed)
    train: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    seen: set[str] = set()
    for template in templates:
        for variant in range(VARIANTS):
            a, r, a2, r2, t = rng.sample(COUNTRIES, 5)
            cast = {"A": a, "R": r, "A2": a2, "R2": r2, "T": t}
            text, trigger = _tidy(_fill(template, cast, rng))
            if text in seen:
                continue
            seen.add(text)
            published = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
            record = {
                "id": f"t{template.number:03d}-{variant:02d}",
                "text": text,
                "published": published.isoformat(),
                "template": template.line,
                "events": _events(template, cast, trigger),
            }
            (held if template.held_out else train).append(record)
    return train, held


def write(records: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    source, target = Path(args[0]), Path(args[1])
    train, held = expand(read_templates(source))
    write(train, target / "train.jsonl")
    write(held, target / "heldout.jsonl")
    print(f"{len(train)} training and {len(held)} held-out sentences written to {target}")


if __name__ == "__main__":
    main()
