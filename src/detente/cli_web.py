"""The ``serve``, ``tokens`` and ``review`` commands of ``detente``: the web app, its tokens,
analysts' reviews."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from detente.cli_options import F, db_option, open_store, output_options
from detente.output import write_records


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--read-public/--read-private",
    "read_public",
    default=None,
    help="Whether reads need no token (default: public on a loopback host only).",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="YAML file of alert rules for /api/v1/alerts.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="An origin allowed to call the API from a browser (repeatable; none by default).",
)
@click.option(
    "--max-body",
    type=click.FloatRange(min=0.001),
    default=2.0,
    show_default=True,
    help="Largest request body, in MB.",
)
@click.option(
    "--writes-per-minute",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Writes each token may make a minute.",
)
def serve(
    db_url: str | None,
    host: str,
    port: int,
    read_public: bool | None,
    rules_path: Path | None,
    cors_origins: tuple[str, ...],
    max_body: float,
    writes_per_minute: int,
) -> None:
    """Serve the REST API (/api/v1, docs at /api/docs) over the store."""
    import uvicorn

    from detente.analysis.alerts import load_rules
    from detente.web import Settings, create_app
    from detente.web.app import is_loopback

    if rules_path is not None:
        load_rules(rules_path)  # a malformed file is refused now, not at the first request
    public = is_loopback(host) if read_public is None else read_public
    settings = Settings(
        read_public=public,
        max_body=int(max_body * 1_048_576),
        writes_per_minute=writes_per_minute,
        cors_origins=cors_origins,
        rules=rules_path,
    )
    store = open_store(db_url, create=False)
    click.echo(
        f"detente serving http://{host}:{port}/ (API /api/v1, docs /api/docs; reads "
        + ("open to anyone" if public else "need a token")
        + ")",
        err=True,
    )
    try:
        uvicorn.run(create_app(store, settings), host=host, port=port, log_level="warning")
    finally:
        store.close()


@click.group()
def tokens() -> None:
    """Create, list and revoke the tokens of detente serve."""


@tokens.command("create")
@db_option
@click.option("--name", required=True, help="Who or what the token is for (unique).")
@click.option(
    "--scope",
    type=click.Choice(["read", "review", "ingest"]),
    default="read",
    show_default=True,
    help="read; review (read and review events); ingest (read and add documents).",
)
def tokens_create(db_url: str | None, name: str, scope: str) -> None:
    """Create a token and print it once (only its hash is stored)."""
    from detente.store.tokens import create_token

    store = open_store(db_url, create=False)
    try:
        secret = create_token(store, name, scope)
    finally:
        store.close()
    click.echo(secret)
    click.echo(f"token {name!r} ({scope}) created; it is shown this once", err=True)


@tokens.command("list")
@db_option
@output_options("table")
def tokens_list(db_url: str | None, fmt: str) -> None:
    """Print the tokens' names, scopes and creation times (never the tokens)."""
    from detente.store.tokens import list_tokens

    store = open_store(db_url, create=False)
    try:
        rows = [
            {"name": t.name, "scope": t.scope, "created_at": t.created_at}
            for t in list_tokens(store)
        ]
    finally:
        store.close()
    if not write_records(rows, fmt, sys.stdout):
        click.echo("detente: no token (detente tokens create --name NAME)", err=True)


@tokens.command("revoke")
@db_option
@click.option("--name", required=True, help="The token to delete.")
def tokens_revoke(db_url: str | None, name: str) -> None:
    """Delete a token: requests with it get 401 from then on."""
    from detente.store.tokens import revoke_token

    store = open_store(db_url, create=False)
    try:
        revoke_token(store, name)
    finally:
        store.close()
    click.echo(f"token {name!r} revoked", err=True)


@click.group()
def review() -> None:
    """List analysts' reviews, or review events and incidents from the command line."""


def _reviewer(fn: F) -> F:
    fn = click.option("--comment", required=True, help="Why (stored with the review).")(fn)
    return click.option(
        "--reviewer",
        envvar="USER",
        default="cli",
        show_default=True,
        help="Who reviews (default $USER).",
    )(fn)


def _print_review(found: Any) -> None:
    write_records([found.row()], "jsonl", sys.stdout)


@review.command("list")
@db_option
@click.option("--target", help="Only the reviews of this event or incident.")
@output_options("table")
def review_list(db_url: str | None, target: str | None, fmt: str) -> None:
    """Print the reviews table, oldest first (id, action, target, before, after, comment,
    reviewer, created_at)."""
    from detente.store.reviews import list_reviews

    store = open_store(db_url, create=False)
    try:
        rows = [r.row() for r in list_reviews(store, target=target)]
    finally:
        store.close()
    columns = ["id", "action", "target", "before", "after", "comment", "reviewer", "created_at"]
    if not write_records(rows, fmt, sys.stdout, columns if fmt in ("table", "csv") else None):
        click.echo("detente: no review in the store", err=True)


@review.command("event")
@db_option
@click.argument("event_id")
@click.option("--wrong", is_flag=True, help="The coder was wrong: the event did not happen.")
@click.option("--type", "event_type", help="The right PLOVER type.")
@click.option("--mode", help="The right mode.")
@click.option("--actor", "actors", multiple=True, help="The right actor code (repeatable).")
@click.option("--recipient", "recipients", multiple=True, help="The right recipient code.")
@click.option("--status", help="The right status (asserted, alleged, ...).")
@click.option("--date", "when", help="The right date: YYYY-MM-DD, YYYY-MM or YYYY.")
@_reviewer
def review_event_command(
    db_url: str | None,
    event_id: str,
    wrong: bool,
    event_type: str | None,
    mode: str | None,
    actors: tuple[str, ...],
    recipients: tuple[str, ...],
    status: str | None,
    when: str | None,
    comment: str,
    reviewer: str,
) -> None:
    """Mark an event wrong or correct some of its fields; prints the stored review."""
    from detente.store.reviews import review_event

    given = {"event": event_type.upper() if event_type else None, "mode": mode,
             "actor": list(actors) or None, "recipient": list(recipients) or None,
             "status": status, "date": when}  # fmt: skip
    changes = {k: v for k, v in given.items() if v is not None}
    store = open_store(db_url, create=False)
    try:
        _print_review(
            review_event(store, event_id, wrong=wrong, changes=changes, comment=comment,
                         reviewer=reviewer)
        )  # fmt: skip
    finally:
        store.close()


@review.command("merge")
@db_option
@click.argument("first")
@click.argument("second")
@_reviewer
def review_merge(db_url: str | None, first: str, second: str, comment: str, reviewer: str) -> None:
    """Make incidents FIRST and SECOND one incident."""
    from detente.store.reviews import merge_incidents

    store = open_store(db_url, create=False)
    try:
        _print_review(merge_incidents(store, first, second, comment=comment, reviewer=reviewer))
    finally:
        store.close()


@review.command("split")
@db_option
@click.argument("incident")
@click.argument("event_ids", nargs=-1, required=True)
@_reviewer
def review_split(
    db_url: str | None, incident: str, event_ids: tuple[str, ...], comment: str, reviewer: str
) -> None:
    """Take EVENT_IDS out of INCIDENT: they become an incident of their own."""
    from detente.store.reviews import split_incident

    store = open_store(db_url, create=False)
    try:
        _print_review(
            split_incident(store, incident, list(event_ids), comment=comment, reviewer=reviewer)
        )
    finally:
        store.close()
