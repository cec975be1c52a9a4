"""Turning bytes into text, with a clear reason when that is not possible."""

from __future__ import annotations

import codecs
import re

from detente.errors import DecodeError, EmptyInputError, InputTooLargeError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Byte-order marks and the encoding each one names; UTF-32's come first (UTF-32-LE's starts
# with UTF-16-LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def check_size(source: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputTooLargeError(
            source,
            f"{size / 1_048_576:.1f} MB is above the {max_bytes / 1_048_576:.0f} MB limit "
            "for one document (raise it with --max-size)",
        )


def encoding_of(head: bytes) -> tuple[str, str]:
    """The codec and the name of the encoding the first bytes of a file name by their
    byte-order mark; UTF-8 without one."""
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            return codec, name
    return "utf-8-sig", "UTF-8"


def _utf16_without_bom(data: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: NUL in every other byte of mostly ASCII text."""
    head = data[:2000]
    pairs = len(head) // 2
    if pairs < 2:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) >= 0.6 * pairs and min(even, odd) <= 0.1 * max(even, odd)


def decode(source: str, data: bytes, *, records: bool = False) -> str:
    """Decode UTF-8 (with or without BOM), or UTF-16/UTF-32 with a BOM; refuse binary data,
    invalid sequences and text that is only white space, each with its reason.

    With ``records`` (a corpus) a NUL is left for the record holding it to be refused, so one
    bad record does not lose the others.
    """
    codec, name = encoding_of(data[:4])
    if codec == "utf-8-sig" and b"\x00" in data:
        if _utf16_without_bom(data):
            raise DecodeError(
                source, "looks like UTF-16 without a byte-order mark (convert the file to UTF-8)"
            )
        if not records:
            raise DecodeError(source, "binary content (NUL bytes), not text")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            source, f"invalid {name} at byte {exc.start} (convert the file to UTF-8)"
        ) from None
    if not text.strip():
        raise EmptyInputError(source, "empty input")
    if "\x00" in text and not records:
        raise DecodeError(source, "binary content (NUL characters), not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with what no store can hold (NUL, unpaired surrogates, which markup's character
    references can make) replaced by U+FFFD, as an HTML parser does."""
    return _UNSTORABLE.sub("\ufffd", text)


def field(value: object) -> str | None:
    """A metadata field (title, source, url, language, a feed entry's id) as a storable
    string without white space around it; None when there is nothing."""
    if value is None:
        return None
    return storable(str(value).strip()) or None


def quoted(value: object, limit: int = 60) -> str:
    """``value`` as quoted in a one-line error, cut to ``limit`` characters."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
