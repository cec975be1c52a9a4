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

from detente.cli_analysis import (
    alerts,
    commitments,
    dyads,
    reciprocity,
    report,
    tension,
    turns,
)
from detente.cli_options import (
    actors_option,
    budget_of,
    budget_options,
    db_option,
    load_knowledge_base,
    model_options,
    open_store,
    output_options,
    parse_date,
    parse_dyad,
    private_option,
)
from detente.cli_web import review, serve, tokens
from detente.errors import ConfigError, DetenteError, InputError
from detente.nlp.budget import Budget
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
    from detente.nlp.pipeline import Resources

log = logging.getLogger("detente")


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
@click.option(
    "--published", callback=parse_date, help="Publication date for documents that have none."
)
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
@click.option(
    "--published", callback=parse_date, help="Publication date for documents that have none."
)
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


@cli.command()
@db_option
@click.option("--dyad", callback=parse_dyad, help="Events between two actors, e.g. BLR-UKR.")
@click.option("--actor", help="Events whose actor has this code.")
@click.option("--type", "event_type", help="PLOVER event type, e.g. MOBILIZE.")
@click.option("--since", callback=parse_date, help="First date (YYYY-MM-DD).")
@click.option("--until", callback=parse_date, help="Last date (YYYY-MM-DD).")
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
@click.option("--date", "on", callback=parse_date, help="Resolve roles held on this date.")
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


for command in (dyads, tension, turns, reciprocity, alerts, commitments, report):
    cli.add_command(command)
cli.add_command(review)
cli.add_command(serve)
cli.add_command(tokens)

if __name__ == "__main__":
    main()
