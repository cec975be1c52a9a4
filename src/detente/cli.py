"""The ``detente`` command: a thin layer over the library.

Machine output goes to stdout, progress and errors to stderr. Exit codes: 0 all good, 1 some
inputs failed (each reported on one line), 2 usage error.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from detente.cli_options import (
    actors_option,
    budget_of,
    budget_options,
    db_option,
    model_options,
    open_store,
    output_options,
    private_option,
)
from detente.cli_web import review, serve, tokens
from detente.errors import ConfigError, DataFileError, DetenteError, InputError
from detente.nlp.budget import Budget
from detente.nlp.calendar import parse_iso_date
from detente.output import (
    EVENT_TABLE,
    INCIDENT_TABLE,
    timeline_rows,
    write_records,
    written,
)
from detente.records import event_json

if TYPE_CHECKING:  # the models, spaCy and the store load in the commands that need them
    from detente import api
    from detente.analysis import DyadAnalysis
    from detente.nlp.pipeline import Resources

log = logging.getLogger("detente")


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _api() -> Any:
    from detente import api

    return api


def load_knowledge_base(files: Iterable[Path] = ()) -> Any:
    from detente.actors import load_knowledge_base as loaded

    return loaded(tuple(files))


def _resources(
    model: str, actor_files: Iterable[Path], *, detector: bool = True, budget: Budget | None = None
) -> Resources:
    options = _api().LoadOptions(model, tuple(actor_files), detector=detector)
    resources: Resources = (options if budget is None else replace(options, budget=budget)).load()
    return resources


def _report(error: InputError) -> None:
    click.echo(f"detente: skipped {error}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.version_option(package_name="detente")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """detente: code reports of state actions into PLOVER events and measure tension."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not debug:
        handler.addFilter(_own_records)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])


def _own_records(record: logging.LogRecord) -> bool:
    """detente's own log lines; the libraries' (trafilatura's "empty HTML tree" for a bad
    page) only with --debug: that input already has its one line, "detente: skipped ..."."""
    return record.name.split(".")[0] == "detente" or record.levelno >= logging.CRITICAL


def _write_events(
    records: Iterable[dict[str, Any]], fmt: str, table: tuple[str, ...], incidents: bool = False
) -> int:
    """Event records on stdout: a timeline table, JSON, or the export's flat CSV columns."""
    if fmt == "csv":
        from detente.exports import write_csv

        return write_csv(records, sys.stdout, incidents)
    if fmt == "table":
        return write_records(timeline_rows(records), fmt, sys.stdout, table)
    return write_records(records, fmt, sys.stdout)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--published", callback=_date, help="Publication date for documents that have none.")
@output_options("jsonl")
@model_options
@budget_options
@private_option
def extract(
    paths: tuple[str, ...],
    published: dt.date | None,
    fmt: str,
    model: str,
    actor_files: tuple[Path, ...],
    max_size: float,
    max_chars: int,
    deadline: float,
    allow_private: bool,
) -> None:
    """Print the events coded from PATHS (files, directories, - for stdin, http(s) URLs).
    Stores nothing."""
    res = _resources(model, actor_files, budget=budget_of(max_chars, deadline))
    failed = 0

    def events() -> Iterable[dict[str, Any]]:
        nonlocal failed
        for item in _api().extract(
            paths,
            res,
            published=published,
            max_bytes=int(max_size * 1_048_576),
            allow_private=allow_private,
        ):
            if isinstance(item, InputError):
                failed += 1
                _report(item)
                continue
            for event in item.events:
                yield event_json(event)

    if not _write_events(events(), fmt, EVENT_TABLE):
        click.echo("detente: no event coded in the input", err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--published", callback=_date, help="Publication date for documents that have none.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes coding in parallel (each loads the model once).",
)
@click.option(
    "--progress/--no-progress",
    "show_progress",
    default=None,
    help="Show a progress bar on stderr (default: only when stderr is a terminal).",
)
@model_options
@budget_options
@private_option
def ingest(
    paths: tuple[str, ...],
    db_url: str | None,
    published: dt.date | None,
    workers: int,
    show_progress: bool | None,
    model: str,
    actor_files: tuple[Path, ...],
    max_size: float,
    max_chars: int,
    deadline: float,
    allow_private: bool,
) -> None:
    """Read, code and store PATHS (files, directories, - for stdin, http(s) URLs). Documents
    already stored are skipped."""
    from detente.output import progress_bar

    cores = _cores()
    if workers > cores:
        click.echo(f"detente: --workers {workers} capped at {cores}, the cores here", err=True)
        workers = cores
    store = open_store(db_url)
    shown = sys.stderr.isatty() if show_progress is None else show_progress
    try:
        with progress_bar(shown) as advance:

            def progress(summary: api.IngestSummary) -> None:
                advance(
                    summary.stored + summary.already,
                    f"{summary.stored} stored, {summary.already} already, {summary.events} events",
                )

            summary = _api().ingest(
                paths,
                store,
                options=_api().LoadOptions(
                    model, tuple(actor_files), budget=budget_of(max_chars, deadline)
                ),
                published=published,
                max_bytes=int(max_size * 1_048_576),
                workers=workers,
                progress=progress,
                allow_private=allow_private,
            )
    finally:
        store.close()
    for line in summary.errors:
        click.echo(f"detente: skipped {line}", err=True)
    click.echo(summary.line(), err=True)
    if summary.errors:
        sys.exit(1)


def _side(text: str, kb: Any) -> str | None:
    """A side of a dyad: a country or PLOVER code, else a country's name ("Armenia")."""
    from detente.actors.kb import NON_STATE_CODES, country_name

    code = text.strip().upper()
    if (
        len(code) == 3
        and code.isalpha()
        and (code in NON_STATE_CODES or country_name(code) != code)
    ):
        return code
    return kb.country_code(text.strip()) if kb is not None and text.strip() else None


def _dyad(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> tuple[str, str] | None:
    """Two codes or country names joined by "-" ("BLR-UKR", "Armenia-Azerbaijan"); a name
    with a hyphen of its own ("Guinea-Bissau-Senegal") is found by trying each split."""
    if value is None:
        return None
    parts = value.replace("_", "-").split("-")
    kb: Any = None
    for cut in range(1, len(parts)):
        left, right = "-".join(parts[:cut]), "-".join(parts[cut:])
        if kb is None and not all(_side(p, None) for p in (left, right)):
            kb = load_knowledge_base()
        a, b = _side(left, kb), _side(right, kb)
        if a and b:
            return a, b
    if len(parts) == 2 and all(len(p) == 3 and p.isalpha() for p in parts):
        unknown = [p.upper() for p in parts if _side(p, None) is None]
        raise click.BadParameter(
            f"{' and '.join(repr(u) for u in unknown)}: not an ISO 3166 alpha-3 or PLOVER code"
        )
    raise click.BadParameter(
        f"{value!r} is not a dyad: give two country codes or names, e.g. BLR-UKR or "
        "Armenia-Azerbaijan"
    )


@cli.command()
@db_option
@click.option("--dyad", callback=_dyad, help="Events between two actors, e.g. BLR-UKR.")
@click.option("--actor", help="Events whose actor has this code.")
@click.option("--type", "event_type", help="PLOVER event type, e.g. MOBILIZE.")
@click.option("--since", callback=_date, help="First date (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Last date (YYYY-MM-DD).")
@click.option("--incidents", is_flag=True, help="One row per incident (merged reports).")
@output_options("table")
def events(
    db_url: str | None,
    dyad: tuple[str, str] | None,
    actor: str | None,
    event_type: str | None,
    since: dt.date | None,
    until: dt.date | None,
    incidents: bool,
    fmt: str,
) -> None:
    """Print stored events as a timeline, oldest first."""
    store = open_store(db_url, create=False)
    try:
        found = store.events(
            dyad=dyad,
            actor=actor.upper() if actor else None,
            event_type=event_type,
            since=since,
            until=until,
            incidents_only=incidents,
        )
        table = INCIDENT_TABLE if incidents else EVENT_TABLE
        if not _write_events(found, fmt, table, incidents):
            asked = {"dyad": "-".join(dyad) if dyad else None, "actor": actor,
                     "type": event_type, "since": since, "until": until}  # fmt: skip
            given = ", ".join(f"{k} {v}" for k, v in asked.items() if v) or "any"
            total = store.counts()["events"]
            click.echo(f"detente: no stored event matches ({given}); the store holds {total}",
                       err=True)  # fmt: skip
    finally:
        store.close()


@cli.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    default="jsonl",
    show_default=True,
    help="Export format.",
)
@click.option("--plover", is_flag=True, help="PLOVER JSON field names (jsonl only).")
@click.option("--incidents", is_flag=True, help="One record per incident.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="File to write (stdout if absent; parquet needs one).",
)
def export(
    db_url: str | None, fmt: str, plover: bool, incidents: bool, output: Path | None
) -> None:
    """Export every stored event, streamed (constant memory)."""
    from detente import exports

    if fmt == "parquet" and output is None:
        raise click.UsageError("--format parquet needs -o FILE")
    if plover and fmt != "jsonl":
        raise click.UsageError("--plover goes with --format jsonl")
    store = open_store(db_url, create=False)
    try:
        records = store.events(incidents_only=incidents)
        if fmt == "parquet":
            assert output is not None
            count = exports.write_parquet(records, output, incidents)
        elif output is not None:
            with written(output) as handle:
                count = exports.write_text(records, fmt, handle, plover, incidents)
        else:
            count = exports.write_text(records, fmt, sys.stdout, plover, incidents)
    finally:
        store.close()
    click.echo(f"{count} records exported", err=True)


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


def _dyad_required(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, str]:
    dyad = _dyad(ctx, param, value)
    if dyad is None:
        raise click.BadParameter("give a dyad such as BLR-UKR")
    return dyad


@cli.command()
@db_option
@click.option("--since", callback=_date, help="Only incidents from this date (YYYY-MM-DD).")
@click.option(
    "--as-of",
    "as_of",
    callback=_date,
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


@cli.command()
@db_option
@click.option("--dyad", required=True, callback=_dyad_required, help="Country pair, e.g. BLR-UKR.")
@click.option(
    "--freq",
    type=click.Choice(["day", "week"]),
    default="day",
    show_default=True,
    help="One row per day, or per week (Monday to Sunday; the index at the week's end).",
)
@click.option("--since", callback=_date, help="First date (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Last date (YYYY-MM-DD).")
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


@cli.command()
@db_option
@click.option("--dyad", required=True, callback=_dyad_required, help="Country pair, e.g. BLR-UKR.")
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


@cli.command()
@db_option
@click.option("--dyad", required=True, callback=_dyad_required, help="Country pair, e.g. BLR-UKR.")
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


@cli.command()
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


@cli.command()
@db_option
@click.option("--dyad", callback=_dyad, help="Only this pair's commitments, e.g. BLR-UKR.")
@click.option(
    "--status",
    type=click.Choice(["abandoned", "reversed", "violated", "alleged-violation", "reciprocated",
                       "fulfilled", "expired", "pending"]),
    help="Only commitments in this state.",
)  # fmt: skip
@click.option("--since", callback=_date, help="Commitments made from this date (YYYY-MM-DD).")
@click.option("--until", callback=_date, help="Commitments made up to this date (YYYY-MM-DD).")
@click.option("--as-of", "as_of", callback=_date, help="Judge on the incidents up to this date.")
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


@cli.command()
@db_option
@click.option("--dyad", required=True, callback=_dyad_required, help="Country pair, e.g. BLR-UKR.")
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


@cli.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--rules-only",
    is_flag=True,
    help="Score the rule-based coder alone (lexicon rules, no learned detector).",
)
@click.option(
    "--split",
    type=click.Choice(["test", "dev", "train", "all"]),
    default="test",
    show_default=True,
    help="Which documents of a news corpus (corpus/docs) to score.",
)
@model_options
def evaluate_gold(
    gold: tuple[Path, ...],
    fmt: str,
    rules_only: bool,
    split: str,
    model: str,
    actor_files: tuple[Path, ...],
    max_size: float,
) -> None:
    """Score the coder against gold files: PLOVER JSON, PETRARCH XML, detente JSONL records, or
    a folder or file of detente's news corpus (whole documents, scored on --split)."""
    import json as jsonlib

    from detente.evaluation import Score, read_gold, score
    from detente.evaluation.documents import score_documents
    from detente.training.documents import is_corpus, read_corpus

    res = _resources(model, actor_files, detector=not rules_only)
    overall = Score()
    reports: dict[str, Any] = {}
    for path in gold:
        if is_corpus(path):
            docs, problems = read_corpus(path)
            for problem in problems:
                click.echo(f"detente: {problem}", err=True)
            chosen = [d for d in docs if split in ("all", d.split)]
            single = score_documents(chosen, res)
        else:
            single = score(read_gold(path), res)
        overall.add(single)
        reports[path.name] = {**single.report(), "confusion": single.matrix()}
    reports["overall"] = {**overall.report(), "confusion": overall.matrix()}
    if fmt == "json":
        click.echo(jsonlib.dumps(reports, indent=2))
        return
    metrics = [k for k in overall.report() if k != "texts"]
    rows = [{"metric": m, **{name: r.get(m) for name, r in reports.items()}} for m in metrics]
    write_records(rows, "table", sys.stdout)


@cli.group()
def actors() -> None:
    """Inspect the actor knowledge base."""


@actors.command("lookup")
@click.argument("name")
@click.option("--date", "on", callback=_date, help="Resolve roles held on this date.")
@actors_option
@output_options("table")
def actors_lookup(name: str, on: dt.date | None, actor_files: tuple[Path, ...], fmt: str) -> None:
    """Print the entities NAME resolves to (country, sector, role on --date)."""
    kb = load_knowledge_base(actor_files)
    found = kb.lookup(name, on)
    if not found:
        from rapidfuzz import fuzz, process

        match = process.extractOne(
            name.lower(), list(kb.surnames()), scorer=fuzz.ratio, score_cutoff=80
        )
        if match is not None:
            found = [kb.get(kb.surnames()[match[0]]).entity(on)]
    if not found:
        click.echo(f"detente: no actor known as {name!r}", err=True)
        sys.exit(1)
    rows = [
        {
            "name": e.name,
            "code": e.code,
            "sector": e.sector,
            "role": e.role,
            "entity_id": e.entity_id,
        }
        for e in found
    ]
    write_records(rows, fmt, sys.stdout)


def _add_watch_commands() -> None:
    from detente.cli_watch import sources, watch

    cli.add_command(watch)
    cli.add_command(sources)


_add_watch_commands()


def main() -> None:
    debug = "--debug" in sys.argv
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except ConfigError as exc:
        if debug:
            raise
        click.echo(f"detente: error: {exc}", err=True)
        sys.exit(2)
    except DetenteError as exc:
        if debug:
            raise
        click.echo(f"detente: error: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(0)


cli.add_command(review)
cli.add_command(serve)
cli.add_command(tokens)

if __name__ == "__main__":
    main()
