"""The analysis commands (``dyads``, ``tension``, ``turns``, ``reciprocity``, ``alerts``,
``commitments``, ``report``): parsing and printing only; the work is in ``detente.analysis``
and ``detente.report``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from detente.cli_options import (
    db_option,
    dyad_option,
    open_store,
    output_options,
    parse_date,
    parse_dyad,
)
from detente.errors import DataFileError
from detente.output import write_records

if TYPE_CHECKING:
    from detente.analysis import DyadAnalysis


def _analyse(db_url: str | None, dyad: tuple[str, str], **options: Any) -> DyadAnalysis:
    """The dyad's analysis; with no dated incident to analyse, a line that says so (and which
    pairs the store does hold) and exit 1."""
    from detente.analysis import analyse
    from detente.analysis.dyads import dyad_summaries

    store = open_store(db_url, create=False)
    try:
        analysis = analyse(store, dyad, **options)
        if analysis.points:
            return analysis
        pairs = dyad_summaries(store, sort="incidents")
    finally:
        store.close()
    where = " ".join(f"{k} {v}" for k, v in options.items() if v)
    held = ", ".join(f"{'-'.join(p.dyad)} ({p.incidents})" for p in pairs[:8])
    click.echo(
        f"detente: no dated incident between {dyad[0]} and {dyad[1]}"
        + (f" ({where})" if where else "")
        + " in the store; "
        + (f"pairs with incidents: {held}" if held else "the store has no dated incident"),
        err=True,
    )
    sys.exit(1)


@click.command()
@db_option
@click.option("--since", callback=parse_date, help="Only incidents from this date (YYYY-MM-DD).")
@click.option(
    "--as-of",
    "as_of",
    callback=parse_date,
    help="Day of the index and its change (default: the store's latest incident date).",
)
@click.option(
    "--sort",
    type=click.Choice(["index", "change", "hostility", "cooperation", "incidents", "events"]),
    default="index",
    show_default=True,
    help="Largest first.",
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Pairs to show."
)
@output_options("table")
def dyads(
    db_url: str | None,
    since: dt.date | None,
    as_of: dt.date | None,
    sort: str,
    limit: int,
    fmt: str,
) -> None:
    """Print the most active country pairs: incidents, events, hostility, cooperation, the
    tension index and its change over the last 30 days."""
    from detente.analysis.dyads import dyad_summaries

    store = open_store(db_url, create=False)
    try:
        found = dyad_summaries(store, since=since, as_of=as_of, sort=sort)
    finally:
        store.close()
    if not found:
        click.echo("detente: no dated incidents between two countries in the store", err=True)
        sys.exit(1)
    write_records([s.row() for s in found[:limit]], fmt, sys.stdout)
    if len(found) > limit:
        click.echo(f"{len(found)} pairs; the first {limit} by {sort} shown (--limit)", err=True)


@click.command()
@db_option
@dyad_option
@click.option(
    "--freq",
    type=click.Choice(["day", "week"]),
    default="day",
    show_default=True,
    help="One row per day, or per week (Monday to Sunday; the index at the week's end).",
)
@click.option("--since", callback=parse_date, help="First date (YYYY-MM-DD).")
@click.option("--until", callback=parse_date, help="Last date (YYYY-MM-DD).")
@click.option("--from", "direction", help="Only the moves of this side of the dyad (directed).")
@output_options("table")
def tension(
    db_url: str | None,
    dyad: tuple[str, str],
    freq: str,
    since: dt.date | None,
    until: dt.date | None,
    direction: str | None,
    fmt: str,
) -> None:
    """Print the dyad's series: incidents, hostility, cooperation and the tension index."""
    from detente.analysis.frames import TENSION_COLUMNS, tension_rows

    side = direction.upper() if direction else None
    if side is not None and side not in dyad:
        raise click.BadParameter(f"{direction!r} is not a side of {'-'.join(dyad)}")
    rows = tension_rows(_analyse(db_url, dyad, since=since, until=until, direction=side), freq)
    columns = TENSION_COLUMNS if fmt in ("table", "csv") else None
    write_records(rows, fmt, sys.stdout, columns)


@click.command()
@db_option
@dyad_option
@output_options("table")
def turns(db_url: str | None, dyad: tuple[str, str], fmt: str) -> None:
    """Print escalation and de-escalation onsets and surges, with the incidents driving them."""
    from detente.analysis.frames import turn_rows

    analysis = _analyse(db_url, dyad)
    if not write_records(turn_rows(analysis), fmt, sys.stdout):
        low, high = min(b.index for b in analysis.days), max(b.index for b in analysis.days)
        click.echo(
            f"detente: no turning point or surge in {len(analysis.days)} days of "
            f"{len(analysis.points)} incidents between {dyad[0]} and {dyad[1]} "
            f"({analysis.days[0].date} to {analysis.days[-1].date}; the index stayed between "
            f"{low:.1f} and {high:.1f})",
            err=True,
        )


@click.command()
@db_option
@dyad_option
@output_options("table")
def reciprocity(db_url: str | None, dyad: tuple[str, str], fmt: str) -> None:
    """Print matched moves (who moved first, who answered in kind) and the lagged response."""
    from detente.analysis.frames import lagged_lines, match_rows

    analysis = _analyse(db_url, dyad)
    if not write_records(
        match_rows(analysis),
        fmt,
        sys.stdout,
        ["event", "first_mover", "first", "answer", "lag_days"] if fmt == "table" else None,
    ):
        click.echo(
            f"detente: no move of one side answered in kind by the other among "
            f"{len(analysis.points)} incidents between {dyad[0]} and {dyad[1]}",
            err=True,
        )
    for line in lagged_lines(analysis):
        click.echo(f"lagged response, {line}", err=True)


@click.command()
@db_option
@click.option(
    "--rules",
    "rules_path",
    required=True,
    type=click.Path(path_type=Path),
    help="YAML file of alert rules.",
)
@click.option("--all", "show_all", is_flag=True, help="Also print alerts fired before.")
@output_options("table")
def alerts(db_url: str | None, rules_path: Path, show_all: bool, fmt: str) -> None:
    """Evaluate alert rules over the store; print new alerts with their evidence."""
    from detente.analysis.alerts import evaluate, load_rules

    try:
        rules = load_rules(rules_path)
    except DataFileError as exc:  # a broken rule file is a usage error, like a bad option
        raise click.BadParameter(str(exc), param_hint="--rules") from None
    store = open_store(db_url, create=False)
    try:
        fired = evaluate(store, rules)
    finally:
        store.close()
    rows = [
        {
            "rule": a.rule,
            "date": a.date.isoformat(),
            "new": a.new,
            "message": a.message,
            "evidence": [f"{p.date} {p.move}" for p in a.evidence],
        }
        for a in fired
        if show_all or a.new
    ]
    write_records(rows, fmt, sys.stdout)


@click.command()
@db_option
@click.option("--dyad", callback=parse_dyad, help="Only this pair's commitments, e.g. BLR-UKR.")
@click.option(
    "--status",
    type=click.Choice(["abandoned", "reversed", "violated", "alleged-violation", "reciprocated",
                       "fulfilled", "expired", "pending"]),
    help="Only commitments in this state.",
)  # fmt: skip
@click.option("--since", callback=parse_date, help="Commitments made from this date (YYYY-MM-DD).")
@click.option("--until", callback=parse_date, help="Commitments made up to this date (YYYY-MM-DD).")
@click.option(
    "--as-of", "as_of", callback=parse_date, help="Judge on the incidents up to this date."
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    help="YAML file extending the compliance table (same shape as the packaged one).",
)
@output_options("table")
def commitments(
    db_url: str | None,
    dyad: tuple[str, str] | None,
    status: str | None,
    since: dt.date | None,
    until: dt.date | None,
    as_of: dt.date | None,
    rules_path: Path | None,
    fmt: str,
) -> None:
    """Print agreements and promises and what became of them (kept, broken, left, pending)."""
    from detente.analysis.commitments import commitments as find
    from detente.analysis.frames import COMMITMENT_TABLE, commitment_rows
    from detente.analysis.promises import load_table

    table = load_table(rules_path)
    store = open_store(db_url, create=False)
    try:
        found = find(store, dyad, since=since, until=until, as_of=as_of, status=status, table=table)
    finally:
        store.close()
    columns = COMMITMENT_TABLE if fmt == "table" else None
    if not write_records(commitment_rows(found), fmt, sys.stdout, columns):
        where = f" between {dyad[0]} and {dyad[1]}" if dyad else ""
        click.echo(
            f"detente: no commitment{where}"
            + (f" with status {status}" if status else "")
            + " in the store (an agreement, or a promise coded as a planned CONCEDE or RETREAT,"
            " makes one)",
            err=True,
        )


@click.command()
@db_option
@dyad_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML file to write.",
)
def report(db_url: str | None, dyad: tuple[str, str], output: Path) -> None:
    """Write a self-contained HTML report on the dyad (charts, turns, reciprocity, incidents)."""
    from detente.report import write_report

    analysis = _analyse(db_url, dyad)  # a pair with nothing to show: a reason, exit 1, no file
    store = open_store(db_url, create=False)
    try:
        write_report(store, dyad, output, analysis)
    finally:
        store.close()
    click.echo(f"report written to {output}", err=True)
