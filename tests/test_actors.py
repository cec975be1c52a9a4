from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from detente.actors import load_knowledge_base
from detente.errors import DataFileError


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load_knowledge_base()


@pytest.mark.parametrize(
    ("name", "day", "who", "role"),
    [
        ("Aleinik", "2024-06-10", "Sergei Aleinik", "Minister of Foreign Affairs of Belarus"),
        ("Aleinik", "2024-07-13", "Sergei Aleinik", "Member of the Council of the Republic of Belarus"),
        ("Ryzhenkov", "2024-06-10", "Maxim Ryzhenkov", "First Deputy Head of the Presidential Administration of Belarus"),
        ("Ryzhenkov", "2024-07-13", "Maxim Ryzhenkov", "Minister of Foreign Affairs of Belarus"),
        ("Shoigu", "2024-01-10", "Sergei Shoigu", "Minister of Defence of Russia"),
        ("Shoigu", "2024-06-10", "Sergei Shoigu", "Secretary of the Security Council of Russia"),
        ("Duda", "2024-06-23", "Andrzej Duda", "President of Poland"),
        # from officeholders.csv: one person, several offices
        ("Lecornu", "2024-01-10", "Sebastien Lecornu", "Minister of Defence of France"),
        ("Lecornu", "2025-10-01", "Sebastien Lecornu", "Prime Minister of France"),
        ("Vučić", "2016-03-01", "Aleksandar Vucic", "Prime Minister of Serbia"),
        ("Vucic", "2020-03-01", "Aleksandar Vucic", "President of Serbia"),
        ("Rinkēvičs", "2022-03-01", "Edgars Rinkevics", "Minister of Foreign Affairs of Latvia"),
        ("Baerbock", "2023-02-01", "Annalena Baerbock", "Minister of Foreign Affairs of Germany"),
        ("Tokayev", "2022-01-05", "Kassym-Jomart Tokayev", "President of Kazakhstan"),
        ("Bolojan", "2025-03-01", "Ilie Bolojan", "Acting President of Romania"),
        ("Bolojan", "2025-08-01", "Ilie Bolojan", "Prime Minister of Romania"),
        ("Babiš", "2019-05-01", "Andrej Babis", "Prime Minister of Czechia"),
        ("Babis", "2026-02-01", "Andrej Babis", "Prime Minister of Czechia"),
        ("Dendias", "2021-05-01", "Nikos Dendias", "Minister of Foreign Affairs of Greece"),
        ("Dendias", "2024-05-01", "Nikos Dendias", "Minister of Defence of Greece"),
        ("Motegi", "2025-11-01", "Toshimitsu Motegi", "Minister of Foreign Affairs of Japan"),
    ],
)  # fmt: skip
def test_actors_dated_roles(kb, name: str, day: str, who: str, role: str) -> None:  # type: ignore[no-untyped-def]
    (entity,) = kb.lookup(name, dt.date.fromisoformat(day))
    assert entity.name == who and entity.role == role


def test_actors_a_term_known_to_end_ends(kb) -> None:  # type: ignore[no-untyped-def]
    (entity,) = kb.lookup("Fiala", dt.date(2026, 1, 5))
    assert entity.code == "CZE" and entity.role is None


def test_actors_out_of_office_is_a_former_official(kb) -> None:  # type: ignore[no-untyped-def]
    (entity,) = kb.lookup("Duda", dt.date(2026, 1, 1))
    assert entity.sector == "ELI" and entity.role is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Lukashenka", "BLR"), ("Lukashenko", "BLR"), ("Zelenskyy", "UKR"), ("Zelensky", "UKR"),
        ("Zelenskiy", "UKR"), ("Kyiv", "UKR"), ("Kiev", "UKR"), ("the Kremlin", "RUS"),
        ("Warsaw", "POL"), ("Beijing", "CHN"), ("the White House", "USA"), ("Downing Street", "GBR"),
        ("NATO", "IGO"), ("European Union", "EUR"), ("Russian Volunteer Corps", "UKR"),
    ],
)  # fmt: skip
def test_actors_spellings_and_metonyms(kb, text: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert {e.code for e in kb.lookup(text)} == {code}


@pytest.mark.parametrize(
    ("text", "code"),
    [("Belarusian", "BLR"), ("Ukrainian", "UKR"), ("Polish", "POL"), ("Chinese", "CHN")],
)
def test_actors_adjectives_name_countries(kb, text: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert kb.country_code(text) == code


def test_actors_every_iso_country_is_known(kb) -> None:  # type: ignore[no-untyped-def]
    assert kb.country("FJI") is not None and kb.country("BLR") is not None
    assert kb.country_code("Fiji") == "FJI"


def test_actors_capitals_resolve_to_government(kb) -> None:  # type: ignore[no-untyped-def]
    (entity,) = kb.lookup("Minsk")
    assert (entity.code, entity.sector) == ("BLR", "GOV")


def test_actors_loading_is_fast() -> None:
    start = time.perf_counter()
    load_knowledge_base()
    assert time.perf_counter() - start < 2.0


def test_actors_user_file_adds_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "people:\n"
        "  - id: testperson\n    name: Ivan Testovich\n    variants: [Testovich]\n    country: BLR\n"
        "    roles:\n      - {title: Border chief, titles: [border chief], sector: COP, start: 2020-01-01}\n"
    )
    kb = load_knowledge_base([path])
    (entity,) = kb.lookup("Testovich", dt.date(2024, 1, 1))
    assert (entity.code, entity.sector, entity.role) == ("BLR", "COP", "Border chief")


def test_actors_a_surname_alone_is_no_given_name_patronymic_or_weekday(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    people = [
        ("atuesday", "Amos Tuesday", "VCT"),  # a weekday
        ("jquds", "Jafar Qudsiyeh", "JOR"),  # also the given name below
        ("qramazanov", "Qudsiyeh Ramazanov", "IRN"),
        ("abinz", "Ahmed bin Zarqawiyy", "YEM"),  # a patronymic
        ("testovich", "Ivan Testovich", "BLR"),
    ]
    path.write_text(
        "people:\n"
        + "".join(f"  - id: {i}\n    name: {n}\n    country: {c}\n" for i, n, c in people)
    )
    surnames = load_knowledge_base([path]).surnames()
    assert surnames["testovich"] == "person:testovich"
    assert surnames["ramazanov"] == "person:qramazanov"
    assert not {"tuesday", "qudsiyeh", "zarqawiyy"} & set(surnames)


def test_actors_regions_stand_for_their_country_where_the_name_means_one_place() -> None:
    kb = load_knowledge_base()

    def kinds(name: str) -> list[tuple[str, str | None]]:
        return [(e.kind, e.country) for e in kb.by_alias(name)]

    assert kinds("Wisconsin") == [("region", "USA")]  # ISO 3166-2
    assert kinds("Tigray") == [("region", "ETH")]  # regions.yaml's English name (ISO: Tigrai)
    assert kinds("Kandahar") == [("region", "AFG")]  # ISO's "Kandahār" without diacritics
    assert kinds("Georgia") == [("country", "GEO")]  # the US state gives way to the country
    assert kinds("Punjab") == []  # a province of India and of Pakistan
    assert kinds("Unity") == kinds("Red Sea") == []  # South Sudan's and Sudan's, but words


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("people:\n  - id: x\n    name: X\n    country: XXX\n", "not an ISO 3166"),
        (
            "people:\n  - id: x\n    name: X\n    roles:\n      - {sector: ABC}\n",
            "unknown PLOVER sector",
        ),
        (
            "people:\n  - id: x\n    name: X\n    roles:\n      - {start: 2024-13-01}\n",
            "is not YYYY-MM-DD",
        ),
        ("people:\n  - id: x\n   name: [unclosed\n", ":3: not valid YAML"),
        ("nothing: here\n", "no 'people', 'organizations' or 'agents'"),
    ],
)
def test_actors_malformed_user_file_names_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(DataFileError, match=message) as info:
        load_knowledge_base([path])
    assert str(path) in str(info.value)


def test_actors_officeholders_table_is_checked_and_distinct_from_people_yaml(
    tmp_path: Path,
) -> None:
    from importlib import resources

    from detente.actors.kb import parse_officeholders, parse_people
    from detente.datafiles import load_yaml

    data = resources.files("detente.actors") / "data"
    table = parse_officeholders(
        (data / "officeholders.csv").read_text("utf-8"), "officeholders.csv"
    )
    people = parse_people(
        load_yaml((data / "people.yaml").read_text("utf-8"), "people.yaml"), "people.yaml"
    )
    assert len(table) >= 200 and not {e.id for e in table} & {e.id for e in people}
    countries = {r.country for e in table for r in e.roles}
    assert countries >= {
        "DEU",
        "FRA",
        "GBR",
        "USA",
        "CHN",
        "POL",
        "LTU",
        "LVA",
        "EST",
        "MDA",
        "GEO",
        "ARM",
        "AZE",
        "KAZ",
        "UZB",
        "KGZ",
        "TJK",
        "TKM",
        "JPN",
        "IND",
        "BRA",
        "TUR",
        "NGA",
        "ETH",
        "KEN",
        "SDN",
        "PAK",
        "AFG",
        "IRQ",
        "VEN",
        "COL",
        "PAN",
        "KHM",
        "THA",
        "NZL",
    }
    header = "# comment\nid,name,variants,country,role,title,start,end,wikidata\n"
    with pytest.raises(DataFileError, match=r"x.csv:4: .*not YYYY-MM-DD"):
        parse_officeholders(
            header + "a,A,,POL,pm,,2020-01-01,,\nb,B,,POL,pm,,2020-13-01,,\n", "x.csv"
        )
    with pytest.raises(DataFileError, match=r"x.csv:3: .*role of"):
        parse_officeholders(header + "a,A,,POL,emperor,,2020-01-01,,\n", "x.csv")
