"""Tension analytics: unit behaviour on hand-built incidents, and the seed case end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente import Store, ingest, open_store
from detente.analysis import analyse
from detente.analysis.alerts import evaluate, load_rules
from detente.analysis.data import Point
from detente.analysis.frames import reciprocity, tension
from detente.analysis.reciprocity import lagged_response, matched_moves
from detente.analysis.series import daily, weight, window_mean
from detente.analysis.turns import turning_points
from detente.cli import cli
from detente.errors import DataFileError
from detente.nlp.pipeline import Resources

D = dt.date


def _p(ident: str, day: dt.date, source: str, target: str, event: str, intensity: float,
       status: str = "asserted", precision: str = "day", sources: int = 1, joint: bool = False) -> Point:  # fmt: skip
    quad = 4 if intensity < 0 else 2
    return Point(
        ident,
        day,
        precision,
        source,
        target,
        joint,
        event,
        None,
        quad,
        intensity,
        status,
        1,
        sources,
        "",
    )


def test_analysis_weights_follow_status_and_sources() -> None:
    assert weight(_p("a", D(2024, 1, 1), "A", "B", "MOBILIZE", -6.5)) == 1.0
    assert weight(_p("a", D(2024, 1, 1), "A", "B", "MOBILIZE", -6.5, status="alleged")) == 0.5
    assert weight(_p("a", D(2024, 1, 1), "A", "B", "MOBILIZE", -6.5, sources=4)) == 2.0


def test_analysis_month_precise_incident_is_spread_over_its_month() -> None:
    point = _p("a", D(2024, 6, 1), "A", "B", "ACCUSE", -3.0, precision="month")
    days = daily([point], D(2024, 6, 1), D(2024, 6, 30))
    assert all(abs(b.hostility - 0.1) < 1e-9 for b in days)
    assert abs(sum(b.events for b in days) - 1.0) < 1e-9


def test_analysis_index_decays_and_cooperation_lowers_it() -> None:
    points = [_p("a", D(2024, 1, 1), "A", "B", "ASSAULT", -9.0),
              _p("b", D(2024, 1, 20), "B", "A", "RETREAT", 8.0)]  # fmt: skip
    days = daily(points, D(2024, 1, 1), D(2024, 1, 31))
    assert days[0].index == 9.0
    assert abs(days[14].index - 4.5) < 1e-9  # one half-life later
    assert days[19].index < 0 < days[18].index


def test_analysis_turning_points_find_the_reversal() -> None:
    points = [
        _p(f"h{i}", D(2024, 1, 1) + dt.timedelta(days=2 * i), "A", "B", "MOBILIZE", -6.5)
        for i in range(6)
    ]
    points.append(_p("c", D(2024, 1, 20), "A", "B", "RETREAT", 8.0))
    points.append(_p("d", D(2024, 1, 20), "B", "A", "RETREAT", 8.0))
    days = daily(points, D(2024, 1, 1), D(2024, 1, 31))
    kinds = [(t.kind, t.onset) for t in turning_points(days, points)]
    assert kinds == [("escalation", D(2024, 1, 1)), ("de-escalation", D(2024, 1, 20))]


def test_analysis_reciprocity_matches_moves_in_kind() -> None:
    points = [
        _p("a", D(2024, 3, 1), "A", "B", "MOBILIZE", -6.5),
        _p("b", D(2024, 3, 5), "B", "A", "MOBILIZE", -6.5),
        _p("c", D(2024, 3, 10), "A", "B", "RETREAT", 8.0),
        _p("d", D(2024, 4, 30), "B", "A", "RETREAT", 8.0),  # too late to answer
    ]
    (match,) = matched_moves(points, ("A", "B"))
    assert (match.event, match.first_mover, match.lag_days) == ("MOBILIZE", "A", 4)


def test_analysis_lagged_response_needs_a_long_series() -> None:
    points = [_p(f"x{i}", D(2024, 1, 1) + dt.timedelta(days=7 * i), "A" if i % 2 else "B", "B" if i % 2 else "A",
                 "ACCUSE", -3.0 - (i % 3)) for i in range(30)]  # fmt: skip
    result = lagged_response(points, "B", "A")
    assert not isinstance(result, str) and result.weeks >= 12
    assert isinstance(lagged_response(points[:4], "B", "A"), str)


@pytest.fixture(scope="module")
def seeded(
    seeds: Path, res: Resources, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('seeded') / 's.db'}")
    ingest([str(seeds)], store, res)
    yield store
    store.close()


@pytest.mark.slow
def test_analysis_seed_hostility_rises_falls_and_rises_again(seeded: Store) -> None:
    analysis = analyse(seeded, ("BLR", "UKR"))
    before = window_mean(analysis.days, D(2024, 6, 15), D(2024, 7, 12))
    after = window_mean(analysis.days, D(2024, 7, 14), D(2024, 8, 9))
    relapse = window_mean(analysis.days, D(2024, 8, 10), analysis.days[-1].date)
    assert before > after < relapse, (before, after, relapse)


@pytest.mark.slow
def test_analysis_seed_de_escalation_turn_at_13_july(seeded: Store) -> None:
    turns = [t for t in analyse(seeded, ("BLR", "UKR")).turns if t.kind == "de-escalation"]
    assert any(abs((t.onset - D(2024, 7, 13)).days) <= 2 for t in turns), turns
    (turn,) = [t for t in turns if abs((t.onset - D(2024, 7, 13)).days) <= 2]
    assert {"RETREAT", "AGREE"} <= {p.event for p in turn.incidents}


@pytest.mark.slow
def test_analysis_seed_mutual_withdrawal_is_matched(seeded: Store) -> None:
    frame = reciprocity(seeded, ("BLR", "UKR"))
    withdrawals = frame[frame["event"] == "RETREAT"]
    assert not withdrawals.empty
    # the 13 July withdrawals of both sides are one mutual move
    july13 = withdrawals[
        withdrawals["first"].str.contains("2024-07-13")
        & withdrawals["answer"].str.contains("2024-07-13")
    ]
    assert not july13.empty and set(july13["first_mover"]) == {"simultaneous"}


@pytest.mark.slow
def test_analysis_dataframes_and_cli(seeded: Store) -> None:
    frame = tension(seeded, ("BLR", "UKR"), freq="week")
    assert list(frame.columns[:5]) == ["date", "events", "hostility", "cooperation", "index"]
    url = str(seeded.engine.url)
    for command in (["tension", "--dyad", "BLR-UKR", "--format", "csv"], ["turns", "--dyad", "BLR-UKR"],
                    ["reciprocity", "--dyad", "BLR-UKR", "--format", "jsonl"]):  # fmt: skip
        result = CliRunner().invoke(cli, [*command, "--db", url])
        assert result.exit_code == 0, result.output
    out = (
        CliRunner()
        .invoke(cli, ["tension", "--dyad", "BLR-UKR", "--format", "csv", "--db", url])
        .stdout
    )
    assert out.splitlines()[0] == "date,events,hostility,cooperation,index"
    directed = (
        CliRunner()
        .invoke(
            cli, ["tension", "--dyad", "BLR-UKR", "--from", "UKR", "--format", "csv", "--db", url]
        )
        .stdout
    )
    assert len(directed.splitlines()) > 1 and directed != out
    assert (
        CliRunner()
        .invoke(cli, ["tension", "--dyad", "BLR-UKR", "--from", "POL", "--db", url])
        .exit_code
        == 2
    )
    turns = CliRunner().invoke(cli, ["turns", "--dyad", "BLR-UKR", "--db", url]).stdout
    assert "de-escalation" in turns and "2024-07-13" in turns


@pytest.mark.slow
def test_analysis_alerts_fire_once(seeded: Store, tmp_path: Path) -> None:
    # the line lies between the calm before the crisis and its first day (20 June), wherever
    # the coder puts the index
    days = analyse(seeded, ("BLR", "UKR")).days
    start = next(p.index for p in days if p.date == D(2024, 6, 20))
    calm = max(p.index for p in days if p.date < D(2024, 6, 20))
    assert start > calm
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        f"  - {{name: high tension, dyad: BLR-UKR, index_above: {(start + calm) / 2:.2f}}}\n"
        "  - {name: surge, dyad: BLR-UKR, surge: true}\n"
        "  - {name: first airspace incident, dyad: RUS-BLR, first_event: {event: MOBILIZE, mode: weapons}}\n"
    )
    first = evaluate(seeded, load_rules(rules))
    assert {a.rule for a in first} >= {"high tension", "first airspace incident"}
    assert all(a.new for a in first)
    again = evaluate(seeded, load_rules(rules))
    assert again and not any(a.new for a in again)
    # each rise above the line fires once: the first on the day the crisis began
    highs = sorted((a for a in first if a.rule == "high tension"), key=lambda a: a.date)
    assert len({a.key for a in highs}) == len(highs)
    high = highs[0]
    assert high.date == D(2024, 6, 20) and high.evidence


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [{name: x}]\n", "needs 'dyad'"),
        ("rules: [{name: x, dyad: BLRUKR, surge: true}]\n", "not like BLR-UKR"),
        (
            "rules: [{name: x, dyad: BLR-UKR}]\n",
            "give index_above, surge, turn, first_event or commitment",
        ),
        (
            "rules: [{name: x, dyad: BLR-UKR, turn: sideways}]\n",
            "turn is escalation, de-escalation",
        ),
        ("rules: [{name: x, actor: BLR, turn: any}]\n", "turn need a 'dyad'"),
        ("rules: [{name: x, actor: RUS, first_event: {event: FIGHT}}]\n", "PLOVER 'event'"),
        ("nothing: here\n", "'rules' list"),
    ],
)
def test_analysis_bad_rules_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(content)
    with pytest.raises(DataFileError, match=message):
        load_rules(path)


@pytest.mark.slow
def test_analysis_dyads_agree_with_each_pair_s_series(seeded: Store) -> None:
    from detente.analysis.dyads import dyad_summaries
    from detente.analysis.frames import dyads

    days = analyse(seeded, ("BLR", "UKR")).days
    found = dyad_summaries(seeded, sort="hostility", as_of=days[-1].date)
    assert found and found[0].dyad == ("BLR", "UKR")  # the seeds' pair is the most hostile
    top = found[0]
    assert top.index == pytest.approx(days[-1].index, abs=0.01)
    month_before = next(b for b in days if b.date == top.as_of - dt.timedelta(days=30))
    assert top.change == pytest.approx(days[-1].index - month_before.index, abs=0.01)
    assert top.hostility == pytest.approx(sum(b.hostility for b in days), abs=0.01)
    assert top.incidents == len(analyse(seeded, ("BLR", "UKR")).points)
    by_events = dyad_summaries(seeded, sort="events")
    assert [s.events for s in by_events] == sorted((s.events for s in by_events), reverse=True)
    frame = dyads(seeded, sort="hostility")
    assert frame["dyad"].iloc[0] == "BLR-UKR" and str(frame["as_of"].dtype).startswith("datetime")
    url = str(seeded.engine.url)
    result = CliRunner().invoke(
        cli, ["dyads", "--db", url, "--format", "csv", "--limit", "1", "--sort", "hostility"]
    )
    assert result.exit_code == 0 and result.stdout.splitlines()[1].startswith("BLR-UKR,")
    later = CliRunner().invoke(cli, ["dyads", "--db", url, "--since", "2030-01-01"])
    assert later.exit_code == 1 and "no dated incidents" in later.stderr


def test_analysis_a_joint_move_reads_as_both_sides_acting() -> None:
    one_way = _p("a", D(2024, 7, 13), "BLR", "UKR", "RETREAT", 4.5)
    joint = _p("b", D(2024, 7, 13), "BLR", "UKR", "AGREE", 3.0, joint=True)
    assert one_way.move == "BLR RETREAT UKR"
    assert joint.move == "BLR and UKR AGREE"


def test_analysis_the_lagged_response_names_its_direction() -> None:
    from detente.analysis import DyadAnalysis
    from detente.analysis.frames import lagged_rows

    analysis = DyadAnalysis(("BLR", "UKR"), [], [], [], [], [], [], ["short", "shorter"])
    rows = lagged_rows(analysis)
    assert [(r["responder"], r["to"], r["note"]) for r in rows] == [
        ("UKR", "BLR", "short"),
        ("BLR", "UKR", "shorter"),
    ]


def test_analysis_dyads_sorts_are_the_command_s_choices() -> None:
    import click

    from detente.analysis.dyads import SORTS
    from detente.cli_analysis import dyads as command

    (sort,) = [p for p in command.params if p.name == "sort"]
    assert isinstance(sort.type, click.Choice) and tuple(sort.type.choices) == SORTS


def test_alerts_a_turn_whose_onset_moves_a_few_days_is_the_one_fired_before() -> None:
    from detente.analysis.alerts import already_fired

    fired = {("turns", "escalation:2024-06-20"), ("turns", "index:2024-06-20")}
    # the same escalation read as starting on 24 June once the 13 July report came in
    assert already_fired("turns", "escalation:2024-06-24", fired)
    # a new escalation in August, a de-escalation, another rule, another kind of key: new
    assert not already_fired("turns", "escalation:2024-08-10", fired)
    assert not already_fired("turns", "de-escalation:2024-06-21", fired)
    assert not already_fired("other", "escalation:2024-06-20", fired)
    assert not already_fired("turns", "index:2024-06-21", fired)
