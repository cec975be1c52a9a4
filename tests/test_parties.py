"""The parties of detected events (``nlp/parties.py``) and names that are places only sometimes
(``nlp/model.py``): hand-written sentences in the register of news, none from the corpus."""

from __future__ import annotations

import datetime as dt

import pytest

from detente import extract_text
from detente.nlp.pipeline import Resources
from detente.records import Event
from tests.helpers import codes, find

pytestmark = pytest.mark.slow
PUB = dt.date(2023, 10, 12)


def _events(text: str, res: Resources) -> list[Event]:
    return extract_text(text, res, published=PUB)


def test_parties_a_way_is_not_the_target_and_an_attack_s_place_is(res: Resources) -> None:
    events = _events(
        "Russia launched attack drones at Odesa through Moldovan airspace overnight, Kyiv said.",
        res,
    )
    assert find(events, "ASSAULT", actor="RUS", recipient="UKR"), events
    assert all("MDA" not in {m.entity.code for m in e.recipient} for e in events), events
    strike = _events("Russian missiles struck an apartment block in Odesa overnight.", res)
    assert find(strike, "ASSAULT", actor="RUS", recipient="UKR"), strike


def test_parties_a_coalition_condemns_the_story_s_other_party(res: Resources) -> None:
    text = (
        "Myanmar's junta executed four democracy activists, state media said on Monday. "
        "The United States, Britain and the European Union condemned the executions."
    )
    found = find(_events(text, res), "ACCUSE", actor={"USA", "GBR", "EUR"})
    assert found and all(codes(e["recipient"]) == {"MMR"} for e in found), found


def test_parties_police_and_courts_act_at_home(res: Resources) -> None:
    text = (
        "Zimbabwe's opposition leader met the US ambassador in Harare on Tuesday. "
        "A magistrate in Harare ordered the two activists to report to police twice a week."
    )
    events = _events(text, res)
    ordered = [e for e in find(events, "REQUEST") if codes(e["actor"]) == {"ZWE"}]
    assert ordered and all(codes(e["recipient"]) <= {"ZWE"} for e in ordered), events


def test_parties_a_weapon_is_no_party(res: Resources) -> None:
    events = _events(
        "Russia deployed kamikaze drones and cruise missiles into Ukraine through Belarusian "
        "airspace, Kyiv said.",
        res,
    )
    found = find(events, "ASSAULT", actor="RUS", recipient="UKR", mode="drone")
    assert found and all("BLR" not in codes(e["recipient"]) for e in found), events


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        ("Victoria Nuland held talks with the junta in Niamey.", {"capital:NER"}, "SYC"),
        ("Chad Wolf spoke to reporters about the border.", set(), "TCD"),
        ("Santiago Peña met Lula in Santiago on Monday.", {"capital:CHL"}, None),
        ("Jordan Valley farmers blocked the road to Jordan's capital.", {"country:JOR"}, None),
    ],
)
def test_parties_a_place_s_name_before_a_surname_is_a_given_name(
    res: Resources, text: str, kept: set[str], dropped: str | None
) -> None:
    doc = res.actors(res.nlp(text))
    keys = {e.id_ for e in doc.ents}
    assert kept <= keys, keys
    if dropped is not None:
        assert not any(k.endswith(f":{dropped}") for k in keys), keys
    if text.startswith("Santiago"):
        assert doc.ents[0].text == "Santiago Peña" and doc.ents[0].id_.startswith("person:")


def test_parties_ngos_named_by_their_kind_are_ngo(res: Resources) -> None:
    text = "Rights groups urged the authorities in Dushanbe to free the two journalists."
    assert find(_events(text, res), "REQUEST", actor="NGO", recipient="TJK")


def test_parties_a_surname_people_of_one_country_share_is_that_country(res: Resources) -> None:
    events = extract_text(
        "Sharif calls Modi, promises action over the attack on the air base.",
        res,
        published=dt.date(2016, 1, 5),
    )
    assert find(events, "CONSULT", actor="PAK", recipient="IND"), events
