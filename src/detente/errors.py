"""The one exception tree of detente.

    DetenteError                  root: catch this to catch everything detente raises
    ├── ConfigError               a setting, option or model name that cannot be used
    ├── DataFileError             a packaged or user data file (actors, lexicon) is malformed
    ├── InputError                one input document cannot be read; the batch goes on
    │   ├── EmptyInputError       nothing to code (empty file, no text after extraction)
    │   ├── DecodeError           not text: binary content or invalid UTF-8
    │   ├── InputTooLargeError    above the configured size limit
    │   ├── UnsupportedLanguageError  text detected in a language detente does not code yet
    │   ├── OverBudgetError       above the coding budget (text too long, deadline passed)
    │   └── FetchError            a URL could not be fetched (refused, failed, too large, ...)
    ├── StoreError                the event store cannot be opened or written
    ├── DeliveryError             an alert could not be delivered on a channel (after retries)
    ├── OutputError               a report or export file cannot be written (nothing half-written)
    └── RequestError              a web request that cannot be answered; carries its HTTP status

Every error carries a one-line message meant for the person at the terminal.
"""

from __future__ import annotations


class DetenteError(Exception):
    """Root of every error detente raises on purpose."""


class ConfigError(DetenteError):
    """A setting, option or model name that cannot be used."""


class DataFileError(DetenteError):
    """A data file is malformed; the message names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message


def one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters (a file name may hold any)
    written as escapes, so that it prints as one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class InputError(DetenteError):
    """One input cannot be read. ``source`` names it (a path, a URL or a record id); the
    message is one printable line whatever the name holds."""

    reason = "unreadable"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{one_line(source)}: {one_line(message)}")
        self.source = source
        self.detail = message


class EmptyInputError(InputError):
    reason = "empty"


class DecodeError(InputError):
    reason = "not-text"


class InputTooLargeError(InputError):
    reason = "too-large"


class UnsupportedLanguageError(InputError):
    reason = "language"


class OverBudgetError(InputError):
    """A document refused by the coding budget (``nlp/budget.py``): its text is too long, or
    coding it took longer than the deadline. Nothing of it is stored."""

    reason = "over-budget"

    def __reduce__(self) -> tuple[type[OverBudgetError], tuple[str, str]]:
        return (type(self), (self.source, self.detail))  # it crosses from a coding worker


class FetchError(InputError):
    """A URL could not be fetched. ``retry_after`` (seconds) is the server's own wait, if any;
    ``transient`` says a later try may succeed (a timeout, a 5xx, a 429)."""

    reason = "fetch"

    def __init__(
        self,
        source: str,
        message: str,
        retry_after: float | None = None,
        *,
        transient: bool = False,
    ) -> None:
        super().__init__(source, message)
        self.retry_after = retry_after
        self.transient = transient or retry_after is not None


class StoreError(DetenteError):
    """The event store cannot be opened, migrated or written."""


class DeliveryError(DetenteError):
    """An alert could not be delivered on one channel; it stays pending and is retried."""


class OutputError(DetenteError):
    """An output file cannot be written; no partial file is left behind."""


class RequestError(DetenteError):
    """A request to ``detente serve`` that cannot be answered: its HTTP ``status`` and a line
    saying why (the web app renders every one as the same JSON error body)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
