"""Grouping events into incidents (store/clusters.py): the rules, and that the grouping is a
function of the set of events, never of the order they arrive in."""

from __future__ import annotations

import datetime as dt
import random

from detente.store.clusters import Member, group, runs


def _m(ident: str, day: str | None, precision: str = "day", *, doc: str = "d1",
       sentence: int = 5, mode: str | None = None, trigger: str = "moved") -> Member:  # fmt: skip
    start = dt.date.fromisoformat(day) if day else None
    return Member(ident, doc, sentence, mode, trigger, start, precision if day else "unknown")


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


def test_modes_and_wording_keep_happenings_apart() -> None:
    found = _partition([_m("a", "2024-07-13", doc="x", mode="troops"),
                        _m("b", "2024-07-13", doc="y", mode="weapons"),
                        _m("c", "2024-07-16", doc="x", mode="troops", trigger="deplo"),
                        _m("h", "2024-07-14", doc="z", sentence=0, mode="troops", trigger="sent"),
                        _m("l", "2024-07-14", doc="z", sentence=1, trigger="moved")])  # fmt: skip
    # different modes: two; doc x's other wording: another; z's headline and lede: one, with a
    assert found == {frozenset({"a", "h", "l"}), frozenset({"b"}), frozenset({"c"})}


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
                              sentence=rng.randrange(6), trigger=rng.choice(["moved", "sent"])))  # fmt: skip
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


def test_a_headline_joins_its_storys_report_whatever_its_words() -> None:
    found = _partition([_m("h", "2024-06-21", doc="x", sentence=0, trigger="repor"),
                        _m("s", "2024-06-20", doc="x", sentence=2, trigger="said"),
                        _m("t", "2024-06-20", doc="x", sentence=4, trigger="claim")])  # fmt: skip
    # the headline joins the story's act; a later act told in other words is another one
    assert found == {frozenset({"h", "s"}), frozenset({"t"})}
