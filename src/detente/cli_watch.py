"""The watcher's commands (``watch``, ``sources check``, ``sources status``): parsing and
printing only; the work is in ``detente.watch``."""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from pathlib import Path
from typing import Any

import click

from detente.cli_options import (
    budget_of,
    budget_options,
    db_option,
    model_options,
    output_options,
)
from detente.output import write_records


def _fetcher(sources: Any, max_size: float) -> Any:
    from detente.watch.fetch import Fetcher, FetchSettings

    settings = FetchSettings(
        max_bytes=int(max_size * 1_048_576),
        allow_private=sources.allow_private,
        min_interval=sources.min_interval,
    )
    if sources.user_agent:
        settings = FetchSettings(
            user_agent=sources.user_agent,
            max_bytes=settings.max_bytes,
            allow_private=settings.allow_private,
            min_interval=settings.min_interval,
        )
    return Fetcher(settings)


@click.command()
@click.option(
    "--sources",
    "sources_path",
    required=True,
    type=click.Path(path_type=Path),
    help="YAML file of the sources to watch.",
)
@click.option(
    "--rules", "rules_path", type=click.Path(path_type=Path), help="YAML file of alert rules."
)
@click.option("--once", is_flag=True, help="Run one round (poll what is due) and exit: for cron.")
@click.option(
    "--alert-file",
    type=click.Path(path_type=Path),
    help="Also append alerts to this file (JSON lines); default $DETENTE_ALERT_FILE.",
)
@db_option
@model_options
@budget_options
@click.pass_context
def watch(
    ctx: click.Context,
    sources_path: Path,
    rules_path: Path | None,
    once: bool,
    alert_file: Path | None,
    db_url: str | None,
    model: str,
    actor_files: tuple[Path, ...],
    max_size: float,
    max_chars: int,
    deadline: float,
) -> None:
    """Poll the sources when due, ingest what is new, evaluate the alert rules and deliver new
    alerts (stdout, file, webhook, email). Runs until SIGINT/SIGTERM, or one round with --once."""
    import os
    import signal

    from detente.analysis.alerts import load_rules
    from detente.watch import Watcher, load_sources
    from detente.watch.deliver import channels, settings_from_env
    from detente.watch.loop import Stop

    sources = load_sources(sources_path)
    rules = load_rules(rules_path) if rules_path is not None else []
    delivery = settings_from_env(os.environ, alert_file=alert_file)
    if not ctx.obj.get("debug"):
        logging.getLogger("detente.watch").setLevel(logging.INFO)
    running: list[Watcher] = []
    failed = False

    def stop(_signum: int, _frame: Any) -> None:
        if running:
            running[0].interrupt()
        else:  # still starting (loading the model): nothing is being written
            raise Stop

    def on_round(report: Any) -> None:
        nonlocal failed
        failed = failed or any(s.status == "failed" for s in report.sources)

    def run() -> None:
        from detente.api import LoadOptions
        from detente.store import open_store

        res = LoadOptions(model, tuple(actor_files), budget=budget_of(max_chars, deadline)).load()
        # the model lives as long as the process: the collector need not walk it again, neither
        # in the run nor at exit (where walking it took 1-2 s of the time a SIGTERM takes)
        gc.freeze()
        store = open_store(db_url)
        fetcher = _fetcher(sources, max_size)
        try:
            chosen = channels(delivery, sys.stdout)
            running.append(Watcher(store, res, sources, fetcher, rules=rules, channels=chosen,
                                   report_url=delivery.report_url))  # fmt: skip
            running[0].run(once=once, on_round=on_round)
        finally:
            fetcher.close()
            store.close()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with contextlib.suppress(Stop):
            run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not running or running[0].stopping:
        click.echo("detente: watch stopped", err=True)
    elif once and failed:
        sys.exit(1)


@click.group()
def sources() -> None:
    """Check a sources file; show how the watched sources are doing."""


@sources.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--max-size",
    type=click.FloatRange(min=0.001),
    default=10.0,
    show_default=True,
    help="Largest single response, in MB.",
)
@output_options("table")
def sources_check(path: Path, max_size: float, fmt: str) -> None:
    """Validate the sources file PATH and fetch each source once (nothing is stored)."""
    from detente.watch import load_sources
    from detente.watch.status import check_sources

    loaded = load_sources(path)
    with _fetcher(loaded, max_size) as fetcher:
        rows = check_sources(loaded, fetcher)
    write_records(rows, fmt, sys.stdout)
    failed = [r for r in rows if r["status"] != "ok"]
    click.echo(f"{len(rows)} sources valid, {len(rows) - len(failed)} reachable", err=True)
    if failed:
        sys.exit(1)


def _interval(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    from detente.watch.sources import parse_interval

    try:
        return parse_interval(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@sources.command("status")
@db_option
@click.option(
    "--quiet-after",
    default="2d",
    show_default=True,
    callback=_interval,
    help="A source with nothing new for this long is quiet (30m, 12h, 2d).",
)
@output_options("table")
def sources_status(db_url: str | None, quiet_after: float, fmt: str) -> None:
    """Per watched source: last success, failures, items and events in the last day and week,
    and whether it has gone quiet."""
    from detente.store import open_store
    from detente.watch.state import FAILED, SENDING, deliveries
    from detente.watch.status import source_status

    store = open_store(db_url, create=False)
    try:
        found = source_status(store, quiet_after)
        statuses = [status for status, _ in deliveries(store).values()]
    finally:
        store.close()
    if not found:
        click.echo("detente: no watched source in the store (run detente watch first)", err=True)
        sys.exit(1)
    write_records([s.row() for s in found], fmt, sys.stdout)
    failed, cut = statuses.count(FAILED), statuses.count(SENDING)
    if failed:
        click.echo(f"detente: {failed} alert deliveries failed so far and are pending", err=True)
    if cut:
        click.echo(f"detente: {cut} alert deliveries are being sent or were cut short mid-send "
                   "(sent again, same id, at the next start)", err=True)  # fmt: skip
