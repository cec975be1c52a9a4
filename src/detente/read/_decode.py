"""Turning bytes into text, with a clear reason when that is not possible."""

from __future__ import annotations

from detente.errors import DecodeError, EmptyInputError, InputTooLargeError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def check_size(source: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputTooLargeError(
            source,
            f"{size / 1_048_576:.1f} MB is above the {max_bytes / 1_048_576:.0f} MB limit "
            "for one document (raise it with --max-size)",
        )


def decode(source: str, data: bytes) -> str:
    """Decode UTF-8 (with or without BOM); refuse binary data and invalid UTF-8."""
    if not data.strip():
        raise EmptyInputError(source, "empty input")
    if b"\x00" in data:
        raise DecodeError(source, "binary content (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DecodeError(
            source, f"invalid UTF-8 at byte {exc.start} (convert the file to UTF-8)"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
