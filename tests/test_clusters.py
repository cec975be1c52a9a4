"""Grouping events into incidents (store/clusters.py): the rules, and that the grouping is a
function of the set of events, never of the order they arrive in."""

from __future__ import annotations

import datetime as dt
import random

from detente.store.clusters import Member, group, runs


def _m(ident: str, day: str | None, precision: str = "day", *, doc: str = "d1",
       sentence: int = 5, mode: str | None = None) -> Member:  # fmt: skip
    start = dt.date.fromisoformat(day) if day else None
    return Member(ident, doc, sentence, mode, start, precision if day else "unknown")


def _partition(members: list[Member]) -> set[frozenset[str]]:
    return {frozenset(m.id for m in g.members) for g in group(members)}


def test_days_within_the_window_of_an_incident_start_join_it() -> None:
    found = _partition([_m("a", "2024-07-13", doc="x"), _m("b", "2024-07-15", doc="y"),
                        _m("c", "2024-07-17", doc="z")])  # fmt: skip
    # c is four days after the incident's first day: a new happening
    assert found == {frozenset({"a", "b"}), frozenset({"c"})}


def test_a_month_joins_the_day_incident_of_its_month_else_its_own() -> None:
    found = _partition([_m("a", "2024-07-13", doc="x"), _m("m", "2024-07-01", "month", doc="y"),
                        _m("n", "2024-09-01", "month", doc="z")])  # fmt: skip
    assert found == {frozenset({"a", "m"}), frozenset({"n"})}


def test_undated_joins_its_documents_report_and_nothing_else() -> None:
    found = _partition([_m("a", "2024-07-13", doc="x", sentence=0), _m("u", None, doc="x"),
                        _m("v", None, doc="y")])  # fmt: skip
    assert found == {frozenset({"a", "u"}), frozenset({"v"})}


def test_modes_keep_reports_of_different_documents_apart() -> None:
    found = _partition([_m("a", "2024-07-13", doc="x", mode="troops"),
                        _m("b", "2024-07-13", doc="y", mode="weapons"),
                        _m("h", "2024-07-14", doc="z", sentence=0, mode="troops"),
                        _m("l", "2024-07-14", doc="z", sentence=1)])  # fmt: skip
    # x and y tell different moves; z's headline and lede tell x's
    assert found == {frozenset({"a", "h", "l"}), frozenset({"b"})}


def test_one_document_tells_one_happening_of_a_kind_in_the_window() -> None:
    found = _partition([_m("a", "2024-06-29", doc="x", sentence=2, mode="troops"),
                        _m("b", "2024-06-29", doc="x", sentence=5, mode="weapons"),
                        _m("c", "2024-07-01", doc="x", sentence=7),
                        _m("d", "2024-07-05", doc="x", sentence=9)])  # fmt: skip
    # whatever the words or modes, one story's acts of a kind in the window are one incident
    # (they were two or three, doubling the story's hostility); 5 July is past the window
    assert found == {frozenset({"a", "b", "c"}), frozenset({"d"})}


def test_runs_split_where_dates_are_more_than_the_window_apart() -> None:
    days = [dt.date(2024, 7, d) for d in (1, 3, 6, 10, 11)]
    assert runs(days) == [(days[0], days[2]), (days[3], days[4])]


def test_the_grouping_does_not_depend_on_the_order_of_the_events() -> None:
    rng = random.Random(7)
    members = []
    for n in range(120):
        roll = rng.random()
        day = dt.date(2024, 6, 1) + dt.timedelta(days=rng.randrange(60))
        if roll < 0.6:
            members.append(_m(f"e{n}", day.isoformat(), doc=f"d{rng.randrange(30)}",
                              sentence=rng.randrange(6), mode=rng.choice([None, "troops"])))  # fmt: skip
        elif roll < 0.85:
            members.append(_m(f"e{n}", day.replace(day=1).isoformat(), "month",
                              doc=f"d{rng.randrange(30)}"))  # fmt: skip
        else:
            members.append(_m(f"e{n}", None, doc=f"d{rng.randrange(30)}"))
    expected = _partition(members)
    assert sum(len(g) for g in expected) == len(members)
    for _ in range(20):
        rng.shuffle(members)
        assert _partition(members) == expected


def test_a_headline_joins_its_storys_report() -> None:
    found = _partition([_m("h", "2024-06-21", doc="x", sentence=0),
                        _m("s", "2024-06-20", doc="x", sentence=2),
                        _m("t", "2024-06-20", doc="y", sentence=4, mode="allege")])  # fmt: skip
    assert found == {frozenset({"h", "s", "t"})}


def test_mutual_acts_are_one_kind_whoever_is_named_first() -> None:
    from detente.store.incidents import _sides, kind

    def row(event: str, actors: str, recipients: str) -> dict[str, str]:
        return {"event": event, "actor_codes": actors, "recipient_codes": recipients}

    joint, one, other = (kind(row("AGREE", "ARM;AZE", "")), kind(row("AGREE", "AZE", "ARM")),
                         kind(row("AGREE", "ARM", "AZE")))  # fmt: skip
    assert joint == one == other
    assert {("ARM;AZE", ""), ("AZE", "ARM"), ("ARM", "AZE")} == set(_sides(joint))
    # directed acts keep their direction; a party on both sides keeps its own kind
    assert kind(row("ASSAULT", "AZE", "ARM")) != kind(row("ASSAULT", "ARM", "AZE"))
    assert kind(row("CONSULT", "UKR", "UKR")) == ("CONSULT", "UKR", "UKR")
