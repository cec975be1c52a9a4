"""Options and helpers shared by the commands of ``detente`` (``cli`` and ``cli_web``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

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
