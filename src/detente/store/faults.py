"""Database errors that mean the store itself cannot serve: its file is damaged, it is read-only,
its disk is full. Whatever query meets one (opening the store, reading events for an export or
a report, recording an alert), it is raised as one ``StoreError`` line saying what is wrong with
the store and what to do, instead of the driver's traceback.

Only these faults are turned into errors here: a busy or locked database is what concurrent
writers wait for (the write lock), and any other error stays as it is.
"""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

from detente.errors import StoreError

DAMAGED = "is damaged (restore it from a copy, or ingest again into a new --db)"
READ_ONLY = "is read-only (this command writes to it: give it a store it may write)"
FULL = "cannot grow: the disk is full (free some space, then run the command again)"
IO_ERROR = "cannot be read or written (an I/O error: check the disk)"

# SQLite's result codes (by name: their extended forms start with these), and PostgreSQL's
# SQLSTATE codes.
SQLITE_FAULTS = {
    "SQLITE_CORRUPT": DAMAGED,
    "SQLITE_NOTADB": "is not a SQLite database (is --db the right file?)",
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_FULL": FULL,
    "SQLITE_IOERR": IO_ERROR,
}
POSTGRESQL_FAULTS = {
    "25006": READ_ONLY,  # read_only_sql_transaction: a standby, or default_transaction_read_only
    "XX001": DAMAGED,  # data_corrupted
    "XX002": DAMAGED,  # index_corrupted
    "53100": FULL,  # disk_full
}


def fault_of(error: BaseException) -> str | None:
    """What a driver's exception says is wrong with the store, or None if it is not a fault."""
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str):
        return next((what for code, what in SQLITE_FAULTS.items() if name.startswith(code)), None)
    state = getattr(error, "sqlstate", None)
    return POSTGRESQL_FAULTS.get(state) if isinstance(state, str) else None


def first_line(error: BaseException) -> str:
    """The driver's own message, on one line (without SQLAlchemy's statement and link)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return "; ".join(lines[:2]) if lines else type(error).__name__


def _raise_fault(context: ExceptionContext) -> None:
    error = context.original_exception
    what = fault_of(error)
    if what is None:
        return  # not a fault of the store: left to the caller (or its retries)
    engine = context.engine
    where = "" if engine is None else f" at {_where(engine)}"
    raise StoreError(f"the store{where} {what}: {first_line(error)}") from None


def _where(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def watch_faults(engine: Engine) -> None:
    """Raise the store's faults met by any statement on ``engine`` as ``StoreError``."""
    event.listen(engine, "handle_error", _raise_fault)


__all__ = ["fault_of", "first_line", "watch_faults"]
