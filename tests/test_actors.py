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
    ],
)  # fmt: skip
def test_actors_dated_roles(kb, name: str, day: str, who: str, role: str) -> None:  # type: ignore[no-untyped-def]
    (entity,) = kb.lookup(name, dt.date.fromisoformat(day))
    assert entity.name == who and entity.role == role


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
