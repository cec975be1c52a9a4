"""Options and helpers shared by the commands of ``detente`` (``cli`` and ``cli_web``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from detente.nlp.budget import DEFAULT_MAX_CHARS, DEFAULT_SECONDS, Budget
from detente.nlp.defaults import DEFAULT_MODEL
from detente.output import FORMATS

if TYPE_CHECKING:
    from detente.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def output_options(default: str = "jsonl") -> Callable[[F], F]:
    def wrap(fn: F) -> F:
        return click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=default,
            show_default=True,
            help="Output format.",
        )(fn)

    return wrap


def actors_option(fn: F) -> F:
    return click.option(
        "--actors",
        "actor_files",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Extra actor file (YAML) adding or overriding actors; repeatable.",
    )(fn)


def model_options(fn: F) -> F:
    fn = click.option(
        "--model",
        default=DEFAULT_MODEL,
        show_default=True,
        help="Installed spaCy pipeline to parse with.",
    )(fn)
    fn = actors_option(fn)
    return click.option(
        "--max-size",
        type=click.FloatRange(min=0.001),
        default=10.0,
        show_default=True,
        help="Largest single document, in MB.",
    )(fn)


def budget_options(fn: F) -> F:
    """``--max-chars`` and ``--deadline``: the coding budget of one document (a refused
    document is skipped with one line, the batch goes on); read with ``budget_of``."""
    fn = click.option(
        "--max-chars",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_CHARS,
        show_default=True,
        help="Longest text coded in one document, in characters; a longer one is skipped.",
    )(fn)
    return click.option(
        "--deadline",
        type=click.FloatRange(min=0.0, min_open=True),
        default=DEFAULT_SECONDS,
        show_default=True,
        help="CPU seconds one document's coding may take, checked between sentences; "
        "a slower one is skipped.",
    )(fn)


def budget_of(max_chars: int, deadline: float) -> Budget:
    return Budget(max_chars=max_chars, seconds=deadline)


def private_option(fn: F) -> F:
    return click.option(
        "--allow-private",
        is_flag=True,
        help="Let URLs reach private, loopback and link-local addresses (refused by default).",
    )(fn)


def db_option(fn: F) -> F:
    return click.option(
        "--db",
        "db_url",
        envvar="DETENTE_DB",
        default=None,
        help="Store URL (sqlite:///file.db or postgresql://...); "
        "default $DETENTE_DB, else sqlite:///detente.db.",
    )(fn)


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    from detente.store import open_store as opened

    return opened(url, create=create)
