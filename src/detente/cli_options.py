"""Options and helpers shared by the commands of ``detente`` (``cli``, ``cli_analysis``,
``cli_watch`` and ``cli_web``): output, store, model and budget options, and the parsers of
dates and dyads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from detente.nlp.budget import DEFAULT_MAX_CHARS, DEFAULT_SECONDS, Budget
from detente.nlp.calendar import parse_iso_date
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


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A ``--since``-like option's value as a date (YYYY-MM-DD), or a usage error."""
    if value is None:
        return None
    try:
        return parse_iso_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def load_knowledge_base(files: Iterable[Path] = ()) -> Any:
    from detente.actors import load_knowledge_base as loaded

    return loaded(tuple(files))


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


def parse_dyad(
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


def parse_dyad_required(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, str]:
    dyad = parse_dyad(ctx, param, value)
    if dyad is None:
        raise click.BadParameter("give a dyad such as BLR-UKR")
    return dyad


def dyad_option(fn: F) -> F:
    """The required ``--dyad`` of the commands about one country pair."""
    return click.option(
        "--dyad", required=True, callback=parse_dyad_required, help="Country pair, e.g. BLR-UKR."
    )(fn)
