"""What the fuzzing of the readers found (tests/test_fuzz_read.py, fuzz/readers.py), one test
each: before its fix, every one of these inputs raised a traceback, lost good records, or gave
a misleading or broken reason."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pytest

from detente.errors import (
    DecodeError,
    EmptyInputError,
    InputError,
    UnsupportedLanguageError,
)
from detente.read import read_inputs
from detente.records import Document

TEXT = "Belarus moved troops to the border with Ukraine on Monday, officials in Minsk said.\n"


def _read(*paths: Path | str, stdin: bytes | None = None) -> list[Document | InputError]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(read_inputs([str(p) for p in paths], stdin=stream))


def _feed(items: str, head: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{head}{items}'
        "</channel></rss>"
    ).encode()


def _item(body: str = TEXT, extra: str = "") -> str:
    return f"<item><title>T</title>{extra}<description>{body}</description></item>"


def _storable(doc: Document) -> None:
    for value in (doc.id, doc.text, doc.title, doc.source, doc.url, doc.language, doc.path):
        assert value is None or ("\x00" not in value and value.encode("utf-8"))


@pytest.mark.parametrize("content", [b"\x1c", "\u3000\n\u2028".encode(), codecs.BOM_UTF8])
def test_read_white_space_of_any_kind_is_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    (item,) = _read(path)
    assert isinstance(item, EmptyInputError)  # was a document without text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
@pytest.mark.parametrize("suffix", [".txt", ".jsonl"])
def test_read_utf16_and_utf32_with_a_byte_order_mark_are_read(
    tmp_path: Path, encoding: str, suffix: str
) -> None:
    path = tmp_path / f"wide{suffix}"
    text = TEXT if suffix == ".txt" else json.dumps({"id": "w1", "text": TEXT}) + "\n"
    path.write_bytes(text.encode(encoding))  # was "binary content (NUL bytes)"
    (doc,) = _read(path)
    assert isinstance(doc, Document) and doc.text == TEXT


def test_read_utf16_without_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes(TEXT.encode("utf-16-le"))
    (item,) = _read(path)
    assert isinstance(item, DecodeError) and "UTF-16 without a byte-order mark" in str(item)


def test_read_jsonl_line_not_utf8_is_one_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = "".join(json.dumps({"id": f"r{i}", "text": TEXT}) + "\n" for i in range(300))
    last = json.dumps({"id": "last", "text": TEXT}) + "\n"
    path.write_bytes(good.encode() + b'{"id": "bad", "text": "caf\xe9"}\r\n' + last.encode())
    items = _read(path)
    # the records decoded in the same block before it were lost, and all after it; the
    # reason gave the offset inside that block ("near byte 3262")
    assert [i.id for i in items if isinstance(i, Document)] == [f"r{i}" for i in range(300)] + [
        "last"
    ]
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert str(error) == f"{path}:301: invalid UTF-8 at byte 26 of the line"


def test_read_csv_with_a_header_and_no_rows_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,text\n")
    (item,) = _read(path)  # was nothing at all
    assert isinstance(item, EmptyInputError) and "no rows" in str(item)


def test_read_csv_nul_in_one_record_leaves_the_others(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(f'id,text\nr1,"{TEXT.strip()}"\nr2,"Minsk\x00 said."\n'.encode())
    first, second = _read(path)  # was the whole file refused as binary
    assert isinstance(first, Document) and first.id == "r1"
    assert isinstance(second, DecodeError) and ":3" in str(second)


def test_read_index_metadata_of_any_type(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text(TEXT.replace("Monday", "Tuesday"))
    records = [{"path": "a.txt", "language": 5, "title": ["x"]},  # language.lower() failed
               {"path": "b\u0000.txt", "title": "NUL"}]  # resolving the path failed  # fmt: skip
    (tmp_path / "index.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    a, b = _read(tmp_path)
    assert isinstance(a, UnsupportedLanguageError) and "language '5'" in str(a)
    assert isinstance(b, Document) and b.title is None


def test_read_two_indexes_in_one_folder_both_apply(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text(TEXT.replace("Monday", "Tuesday"))
    (tmp_path / "index.jsonl").write_text(json.dumps({"path": "a.txt", "title": "A"}) + "\n")
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"path": "b.txt", "title": "B"}) + "\n")
    docs = _read(tmp_path)  # index.jsonl was passed over, its titles unused
    assert [d.title for d in docs if isinstance(d, Document)] == ["A", "B"]


@pytest.mark.parametrize(
    "date", ["0000-00-00", "0000-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]
)
def test_read_feed_date_no_calendar_has_is_no_date(date: str) -> None:
    (doc,) = _read("-", stdin=_feed(_item(extra=f"<pubDate>{date}</pubDate>")))
    assert isinstance(doc, Document) and doc.published is None  # "year 0 is out of range"


@pytest.mark.parametrize("ref", ["&#xD800;", "&#0;", "&#1114112;", "&#x110000;"])
def test_read_feed_character_reference_to_no_character(ref: str) -> None:
    data = _feed(_item(f"Belarus {ref} moved troops to the border.", f"<guid>g{ref}</guid>"))
    (doc,) = _read("-", stdin=data)  # feedparser raised UnicodeEncodeError, ValueError
    assert isinstance(doc, Document) and "Belarus \ufffd moved" in doc.text
    _storable(doc)


def test_read_feed_whose_content_names_a_file_is_not_that_file(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_bytes(_feed(_item()))
    pointer = tmp_path / "pointer.xml"
    pointer.write_text(str(other))  # feedparser opened the file named by the bytes it was given
    (item,) = _read(pointer)
    assert isinstance(item, InputError) and "not a readable feed" in str(item)


def test_read_feed_entry_with_a_blank_id() -> None:
    (doc,) = _read("-", stdin=_feed(_item(extra="<link>\x0b</link>")))
    assert isinstance(doc, Document) and doc.id.strip() and doc.url is None  # the id was "\x0b"


def test_read_feed_from_stdin_in_another_language_names_stdin() -> None:
    (item,) = _read("-", stdin=_feed(_item(), "<language>fr</language>"))
    assert isinstance(item, UnsupportedLanguageError)
    assert str(item).startswith("<stdin> (record ")  # was named by a content hash alone


def test_read_html_whose_body_is_an_svg(tmp_path: Path) -> None:
    path = tmp_path / "svg.html"
    path.write_text("<body><SVG></body></html>")  # lxml's AssertionError through htmldate
    (item,) = _read(path)
    assert isinstance(item, EmptyInputError)


def test_read_reason_quoting_a_value_stays_short(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    records = [{"id": "r1", "text": TEXT, "published": "x" * 5000},
               {"id": "r2", "text": TEXT, "language": "y" * 5000}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    for item in _read(path):
        assert isinstance(item, InputError) and len(str(item)) < len(str(path)) + 120


def test_read_error_about_a_name_with_a_line_break_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "two\nlines.txt").write_bytes(b"")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "0\r", "text": TEXT, "language": "fr"}) + "\n")
    for item in _read(tmp_path):
        assert isinstance(item, InputError) and str(item).isprintable(), str(item)


def test_read_file_name_not_utf8_gives_a_storable_path(tmp_path: Path) -> None:
    root = Path(bytes(tmp_path).decode("utf-8", "surrogateescape"))
    name = b"caf\xe9.txt".decode("utf-8", "surrogateescape")
    (root / name).write_text(TEXT)
    (doc,) = _read(root)
    assert isinstance(doc, Document) and doc.path == str(root / "caf\ufffd.txt")
    _storable(doc)  # SQLite refused the path's surrogate: ingest stopped with a traceback


def test_read_feed_metadata_are_storable() -> None:
    item = _item(extra="<guid>a&#0;b</guid>").replace(
        "<title>T</title>", "<title>T&#xD800;</title>"
    )
    (doc,) = _read("-", stdin=_feed(item))
    assert isinstance(doc, Document) and doc.title == "T\ufffd" and doc.id == "a\ufffdb"
    _storable(doc)
