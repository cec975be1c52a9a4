from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from detente.errors import (
    DecodeError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    UnsupportedLanguageError,
)
from detente.nlp.pipeline import Resources
from detente.read import read_inputs
from detente.read.text import find_date_line, find_title, mask_markdown
from detente.records import Document, event_json

TEXT = "Belarus moved troops to the border with Ukraine on Monday, officials in Minsk said.\n"


def _read(*paths: Path | str, stdin: bytes | None = None) -> list[Document | InputError]:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(read_inputs([str(p) for p in paths], stdin=stream))


def test_read_text_keeps_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TEXT, "utf-8")
    (doc,) = _read(path)
    assert isinstance(doc, Document)
    assert doc.text == TEXT and doc.path == str(path) and doc.language == "en"


@pytest.mark.parametrize(
    ("head", "title", "published"),
    [
        ("01.08.2024\n\n## Belarus and Ukraine pull back\n\n", "Belarus and Ukraine pull back", dt.date(2024, 8, 1)),
        ("Troops leave the border area on both sides\n\nAugust 1, 2024\n\n", "Troops leave the border area on both sides", dt.date(2024, 8, 1)),
        ("*1 August 2024*\n\n", None, dt.date(2024, 8, 1)),
        ("", None, None),
    ],
)  # fmt: skip
def test_read_text_finds_title_and_printed_date(
    head: str, title: str | None, published: dt.date | None
) -> None:
    text = head + TEXT
    assert find_title(text) == title
    assert find_date_line(text) == published


def test_read_markdown_mask_keeps_offsets() -> None:
    raw = "## Title\n\nLukashenka [announced](#) that *Minsk* agreed.\n\n---\n\nNext."
    masked = mask_markdown(raw)
    assert len(masked) == len(raw)
    assert masked.index("announced") == raw.index("announced")
    assert "[" not in masked and "*" not in masked and "#" not in masked
    assert masked.count("\n") == raw.count("\n")


def test_read_html_extracts_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><meta name='date' content='2024-07-14'></head><body>"
        "<nav>Home</nav><article><h1>Belarus pulls troops back</h1><p>" + TEXT + "</p>"
        "<p>The move followed weeks of tension between the two neighbours.</p></article></body></html>",
        "utf-8",
    )
    (doc,) = _read(path)
    assert isinstance(doc, Document)
    assert "officials in Minsk said" in doc.text and "Home" not in doc.text
    assert doc.published == dt.date(2024, 7, 14)
    assert doc.kind == "html"


def test_read_feed_gives_one_document_per_entry(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    items = "".join(
        f"<item><title>Item {i}</title><link>https://example.org/{i}</link><guid>g{i}</guid>"
        f"<pubDate>Sat, 10 Aug 2024 18:00:00 GMT</pubDate><description>{TEXT}</description></item>"
        for i in range(2)
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    )
    docs = _read(path)
    assert [d.id for d in docs if isinstance(d, Document)] == ["g0", "g1"]
    first = docs[0]
    assert isinstance(first, Document)
    assert first.published == dt.date(2024, 8, 10) and first.url == "https://example.org/0"


def test_read_jsonl_reports_a_broken_line_and_reads_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = {"id": "r1", "text": TEXT, "published": "2024-06-24", "source": "wire", "title": "T"}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({**good, "id": "r2"}) + "\n")
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["r1", "r2"]
    (error,) = [i for i in items if isinstance(i, InputError)]
    assert str(error).startswith(f"{path}:2: broken JSON line")
    assert items[0].published == dt.date(2024, 6, 24)  # type: ignore[union-attr]


def test_read_csv_field_over_128_kib_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    long = "Belarus moved troops to the border with Ukraine. " * 4000  # 200 KB in one field
    path.write_text(f'id,text\nbig,"{long}"\nsmall,"{TEXT.strip()}"\n')
    items = _read(path)
    assert [d.id for d in items if isinstance(d, Document)] == ["big", "small"]


def test_read_csv_corpus(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id,text,published\nx1,"' + TEXT.strip() + '",2024-06-24\nx2,,\n')
    items = _read(path)
    assert isinstance(items[0], Document) and items[0].id == "x1"
    assert isinstance(items[1], EmptyInputError) and ":3" in str(items[1])


@pytest.mark.slow
def test_read_detente_s_own_output_is_not_a_document(tmp_path: Path, res: Resources) -> None:
    from detente import extract_text
    from detente.exports import write_text

    events = extract_text(TEXT, res, published=dt.date(2024, 6, 24))
    assert events
    for fmt, plover in (("jsonl", False), ("csv", False), ("jsonl", True)):
        path = tmp_path / f"saved{'-plover' * plover}.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_text((event_json(e) for e in events), fmt, handle, plover)
        (item,) = _read(path)
        assert isinstance(item, InputError)
        assert (
            str(item)
            == f"{path}: detente's own event records (extract or export output), not documents"
        )


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", EmptyInputError, "empty input"),
        (b"   \n\n", EmptyInputError, "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", DecodeError, "binary content"),
        (b"Minsk said \xff\xfe troops moved", DecodeError, "invalid UTF-8 at byte 11"),
    ],
)
def test_read_bad_text_input_gets_one_clear_reason(
    tmp_path: Path, content: bytes, error: type[InputError], message: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    (item,) = _read(path)
    assert isinstance(item, error)
    assert message in str(item) and "\n" not in str(item)


def test_read_truncated_html_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.html"
    path.write_text("<html><body><article><p>" + TEXT + "</p><p>The move foll")
    (item,) = _read(path)
    assert isinstance(item, InputError) and "truncated HTML" in str(item)
    path.write_text("<html><body><article><p>" + TEXT + "</p><p class='x")  # cut in a tag
    (item,) = _read(path)
    assert isinstance(item, InputError) and "truncated HTML" in str(item)


def test_read_html5_page_may_omit_its_closing_body_and_html(tmp_path: Path) -> None:
    path = tmp_path / "whole.html"
    path.write_text(
        "<!doctype html><html lang=en><head><title>Border</title></head><body>"
        f"<article><p>{TEXT}</p><p>Ukraine said it was watching the area.</p></article>\n"
        "<footer><p>Wire report</p></footer>\n"
    )
    (item,) = _read(path)
    assert isinstance(item, Document) and "Belarus moved troops" in item.text


def test_read_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (item,) = _read(path)
    assert isinstance(item, InputTooLargeError) and "50.0 MB" in str(item)


def test_read_missing_path_and_batch_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(TEXT)
    items = _read(tmp_path / "nope.txt", good)
    assert isinstance(items[0], InputError) and "no such file" in str(items[0])
    assert isinstance(items[1], Document)


def test_read_non_english_is_skipped_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_text("Беларусь и Украина договорились отвести войска от общей границы.", "utf-8")
    (item,) = _read(path)
    assert isinstance(item, UnsupportedLanguageError) and "'ru'" in str(item)


@pytest.mark.parametrize(
    "text",
    [
        "Police fire tear gas at protesters in Nairobi",
        "Belarus accused Ukraine of massing troops.",
        "Moscow says it was not involved.",
        "Kyiv hits back at Minsk over drone claims",
    ],
)
def test_read_short_english_is_english(tmp_path: Path, text: str) -> None:
    path = tmp_path / "short.jsonl"
    path.write_text(json.dumps({"id": "r1", "text": text}) + "\n", "utf-8")
    (doc,) = _read(path)
    assert isinstance(doc, Document) and doc.language == "en"


def test_read_a_skipped_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    records = [{"id": "fr-7", "text": "Le gouvernement a annoncé le retrait des troupes de la frontière."},
               {"id": "en-1", "text": TEXT}]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    skipped, doc = _read(path)
    assert isinstance(skipped, UnsupportedLanguageError) and "(record fr-7)" in str(skipped)
    assert isinstance(doc, Document) and doc.id == "en-1"


def test_read_stdin_sniffs_the_format() -> None:
    record = json.dumps({"id": "s1", "text": TEXT})
    (doc,) = _read("-", stdin=record.encode())
    assert isinstance(doc, Document) and doc.id == "s1"
    (doc,) = _read("-", stdin=TEXT.encode())
    assert isinstance(doc, Document) and doc.kind == "text"


def test_read_directory_recursively_with_sidecar_metadata(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(TEXT)
    (tmp_path / "b.md").write_text("# Heading here for b\n\n" + TEXT)
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")
    (tmp_path / "index.jsonl").write_text(
        json.dumps({"path": "sub/a.txt", "title": "From index", "published": "2024-06-01"}) + "\n"
    )
    docs = [d for d in _read(tmp_path) if isinstance(d, Document)]
    assert sorted(Path(d.path or "").name for d in docs) == ["a.txt", "b.md"]
    a = next(d for d in docs if (d.path or "").endswith("a.txt"))
    assert a.title == "From index" and a.published == dt.date(2024, 6, 1)


def test_read_nul_in_a_corpus_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "n1", "text": "Minsk said\u0000 troops moved."}) + "\n")
    (item,) = _read(path)
    assert isinstance(item, DecodeError) and "NUL" in str(item)


def test_read_unpaired_surrogate_in_a_corpus_record_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "s1", "text": "Minsk said \\ud800 troops moved."}\n')
    (item,) = _read(path)
    assert isinstance(item, DecodeError) and "surrogate" in str(item)


def test_read_deeply_nested_html_keeps_its_text(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    depth = 400
    body = "<div>" * depth + f"<p>{TEXT}</p><p>Ukraine said it was watching.</p>" + "</div>" * depth
    path.write_text(f"<html><body>{body}</body></html>")
    (item,) = _read(path)
    assert isinstance(item, Document) and "Belarus moved troops" in item.text
