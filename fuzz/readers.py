"""Coverage-guided fuzzing of the readers with atheris: ``make fuzz FUZZ_SECONDS=1800``.

One fuzz input is one input of a batch given to ``read_inputs``: its first byte picks the kind
(a file suffix, no suffix, standard input, or the ``index.jsonl`` of a folder), the rest is the
content. A good text file is read after it in the same batch. ``check_batch`` holds the readers'
contract, shared with the property tests (``tests/test_fuzz_read.py``):

- every item is a ``Document`` or an ``InputError`` (no other exception escapes);
- an error is one line that starts with the name of the input it is about;
- a document has text, and every string of it can be stored (UTF-8, no NUL);
- the fuzzed input is never silently dropped, and the good file after it is read whole.

Run ``python fuzz/readers.py fuzz/corpus -max_total_time=60`` (what ``make fuzz`` does); a
crash is written to ``fuzz/crashes/`` and becomes a regression test by staying there.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from detente.errors import InputError, one_line
from detente.read import Item, read_inputs
from detente.records import Document

KINDS = (".txt", ".md", ".html", ".xml", ".rss", ".atom", ".jsonl", ".csv", "", "-", "index.jsonl")
GOOD = "Belarus moved troops to the border with Ukraine on Monday, officials in Minsk said.\n"
MAX_BYTES = 256 * 1024  # the size limit while fuzzing: small, so that it is reached
LONGEST_REASON = 400  # characters of an error's reason (after the input's name)


def kind_of(data: bytes) -> tuple[str, bytes]:
    """The kind an atheris input stands for (its first byte) and its content (the rest)."""
    if not data:
        return KINDS[0], b""
    return KINDS[data[0] % len(KINDS)], data[1:]


def encode_input(kind: str, content: bytes) -> bytes:
    """The atheris input for ``content`` read as ``kind`` (for the seed corpus)."""
    return bytes([KINDS.index(kind)]) + content


def read_batch(
    kind: str, content: bytes, folder: Path, *, max_bytes: int = MAX_BYTES
) -> tuple[list[Item], str, str]:
    """Read ``content`` as an input of ``kind``, then a good text file, in one batch.

    Returns the items, the fuzzed input's name and the good file's name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "index.jsonl":
        root = folder / "with-index"
        root.mkdir(exist_ok=True)
        (root / "index.jsonl").write_bytes(content)
        good = root / "a.txt"
        good.write_text(GOOD, "utf-8")
        return list(read_inputs([str(root)], max_bytes=max_bytes)), str(root), str(good)
    good = folder / "good.txt"
    good.write_text(GOOD, "utf-8")
    if kind == "-":
        items = read_inputs(["-", str(good)], max_bytes=max_bytes, stdin=io.BytesIO(content))
        return list(items), "<stdin>", str(good)
    fuzzed = folder / f"input{kind}"
    fuzzed.write_bytes(content)
    return list(read_inputs([str(fuzzed), str(good)], max_bytes=max_bytes)), str(fuzzed), str(good)


def _storable(value: object, what: str) -> None:
    assert value is None or isinstance(value, str), f"{what} is a {type(value).__name__}"
    if isinstance(value, str):
        assert "\x00" not in value, f"{what} holds NUL"
        value.encode("utf-8")  # raises on an unpaired surrogate: the store could not write it


def check_items(items: Sequence[Item], names: Sequence[str]) -> None:
    """Every item is a Document or a one-line InputError naming one of ``names``."""
    for item in items:
        if isinstance(item, InputError):
            line = str(item)
            assert line.isprintable(), f"error not one printable line: {line!r}"
            assert item.source.startswith(tuple(names)), f"error names no input: {line!r}"
            assert line.startswith(one_line(item.source)), line
            assert len(item.detail) <= LONGEST_REASON, f"reason too long: {line[:200]!r}..."
            continue
        assert isinstance(item, Document), f"not a Document nor an InputError: {item!r}"
        assert isinstance(item.id, str) and item.id.strip(), f"document id {item.id!r}"
        assert isinstance(item.text, str) and item.text.strip(), "document without text"
        for what in ("id", "text", "path", "title", "source", "url", "language", "kind"):
            _storable(getattr(item, what), what)
        assert item.published is None or type(item.published) is dt.date, item.published
        assert item.path is None or item.path.startswith(tuple(names)), item.path


def about(items: Sequence[Item], name: str) -> list[Item]:
    """The items of the input named ``name`` (its documents and its errors)."""
    return [
        i
        for i in items
        if (i.source if isinstance(i, InputError) else (i.path or "<stdin>")).startswith(name)
    ]


def check_batch(kind: str, items: Sequence[Item], fuzzed: str, good: str) -> list[Item]:
    """The contract over one batch; returns the fuzzed input's items."""
    check_items(items, [fuzzed, good])
    mine = about(items, good)
    assert len(mine) == 1, f"the good file after the fuzzed input gave {mine!r}"
    if kind == "index.jsonl":  # an index may say the good file is in another language
        theirs = [i for i in items if i not in mine]
    else:
        theirs = about(items, fuzzed)
        assert items[-1] is mine[0], "the good file is not read last"
        assert len(theirs) == len(items) - 1, "an item names neither input"
        assert theirs, "the fuzzed input was silently dropped"
        assert isinstance(mine[0], Document), f"the good file was not read: {mine[0]}"
    if isinstance(mine[0], Document):
        assert mine[0].text == GOOD, "the good file was not read whole"
    return theirs


def one_input(data: bytes) -> None:
    """The atheris entry point: read one fuzz input in a batch and check the contract."""
    kind, content = kind_of(data)
    with tempfile.TemporaryDirectory(prefix="detente-fuzz-") as tmp:
        items, fuzzed, good = read_batch(kind, content, Path(tmp))
        check_batch(kind, items, fuzzed, good)


def main(argv: list[str]) -> None:
    import atheris

    logging.disable(logging.CRITICAL)  # trafilatura and feedparser warn about every bad page
    atheris.instrument_all()
    # Load what the readers load on first use (the language model: seconds on a busy machine)
    # before the 5 s limit per input starts counting: a first input is no slower than others.
    one_input(encode_input(".txt", GOOD.encode()))
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
