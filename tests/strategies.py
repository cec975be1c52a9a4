"""Hypothesis strategies for the inputs detente reads: text in many encodings, HTML pages,
RSS/Atom feeds, JSONL and CSV corpora, good and broken. Sizes are bounded so that an example
reads in well under a second; "huge" fields are made by repetition, above the size limits the
fuzz tests read with."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import strategies as st

SENTENCES = (
    "Belarus moved troops to the border with Ukraine on Monday, officials in Minsk said.",
    "The foreign minister said that the talks in Vienna had been useful and would go on.",
    "Protesters gathered in the capital after the vote, and police used tear gas.",
    "Russia accused the United States of arming the rebels in the east of the country.",
    "It was the first visit of a head of state to the region since the war.",
)
DATE_LINES = ("01.08.2024", "August 1, 2024", "1 August 2024", "2024-08-01", "31.02.2024",
              "0000-00-00", "9999-12-31", "February 30, 2023")  # fmt: skip
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1",
             "cp1252")  # fmt: skip
# encodings whose bytes say which they are (none, or a byte-order mark): read as the text
SELF_EVIDENT = ("utf-8", "utf-8-sig", "utf-16", "utf-32")

english = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6).map(" ".join)
# any text at all, control characters and surrogates excluded only where a format needs it
noise = st.text(max_size=200)
printable = st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=120)


@st.composite
def plain_text(draw: st.DrawFn) -> str:
    """A text or Markdown document: English paragraphs, perhaps a heading, a date line, noise."""
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(("# ", "## ", "", "**"))) + draw(english)[:80])
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(DATE_LINES)))
    parts.extend(draw(st.lists(english | noise, min_size=1, max_size=5)))
    return draw(st.sampled_from(("\n\n", "\n", "\r\n", "\r"))).join(parts)


def invalid_utf8(data: bytes, cut: int, junk: bytes) -> bytes:
    """``data`` with bytes that are no UTF-8 put in at ``cut``."""
    cut = min(cut, len(data))
    return data[:cut] + junk + data[cut:]


JUNK = st.sampled_from((b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
                        b"\xc0\xaf", b"\x80\x80", b"\xfe\xff", b"\x00"))  # fmt: skip


@st.composite
def encoded_text(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """(text, encoding, bytes): a text document in one of ENCODINGS, perhaps spoilt."""
    text = draw(plain_text())
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:
        data = invalid_utf8(data, draw(st.integers(0, len(data))), draw(JUNK))
        encoding = "spoilt"
    return text, encoding, data


# --- HTML ---------------------------------------------------------------------------------

TAGS = ("div", "p", "span", "article", "section", "main", "b", "i", "a", "ul", "li", "table",
        "tr", "td", "h1", "h2", "font", "blockquote", "x-widget", "svg", "form", "br", "img")  # fmt: skip
ENTITIES = ("&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#39;", "&#x2014;", "&#0;", "&#xD800;",
            "&#1114112;", "&#99999999999;", "&bogus;", "&", "&#;", "&#x;", "&eacute")  # fmt: skip
RAW = ("<script>var a = '<p>' + 1 < 2 && 3 > 1;</script>", "<style>p { color: red }</style>",
       "<!-- a comment -->", "<!-- unclosed comment", "<![CDATA[ x < y ]]>", "<?php echo 1; ?>",
       "</p>", "</div></div>", "<p", "<a href='x", "<!doctype html>", "<title>Page</title>",
       "<meta name='date' content='2024-07-14'>", "<meta name='date' content='0000-13-45'>",
       "<html lang='fr'>", "<body>")  # fmt: skip


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def element(draw: st.DrawFn) -> str:
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(st.sampled_from(("", " class='story'", ' id="a&amp;b"', " href=x y=z",
                                      " data-x='<>'", ' style="x"' * 3)))  # fmt: skip
        inner = "".join(draw(st.lists(children, max_size=4)))
        close = "" if draw(st.integers(0, 4)) == 0 else f"</{tag}>"  # sometimes left open
        return f"<{tag}{attrs}>{inner}{close}"

    return element()


html_leaf = english | printable | st.sampled_from(ENTITIES) | st.sampled_from(RAW)
html_fragment = st.recursive(html_leaf, _element, max_leaves=25)


@st.composite
def html_page(draw: st.DrawFn) -> str:
    """An HTML page or fragment: nested, unclosed, scripts, entities, perhaps cut short."""
    body = "".join(draw(st.lists(html_fragment, min_size=1, max_size=6)))
    depth = draw(st.sampled_from((0, 0, 3, 260, 600)))
    tag = draw(st.sampled_from(("div", "span", "section", "p", "blockquote")))
    body = f"<{tag}>" * depth + body + f"</{tag}>" * draw(st.sampled_from((depth, 0)))
    head = draw(st.sampled_from(("", "<!doctype html>", "<html>", "<!DOCTYPE html><html>")))
    page = head + draw(st.sampled_from(("", "<head><title>T</title></head>"))) + "<body>" + body
    page += draw(st.sampled_from(("</body></html>", "", "</body>", "\n", "<!-- end -->")))
    if draw(st.integers(0, 4)) == 0:  # a truncated download
        page = page[: draw(st.integers(0, len(page)))]
    return page


# --- feeds --------------------------------------------------------------------------------

FEED_DATES = ("Mon, 24 Jun 2024 10:00:00 GMT", "2024-06-24T10:00:00Z", "Mon, 01 Jan 0000 00:00:00 GMT", "0000-01-01",
              "Fri, 31 Dec 9999 23:59:59 -1200", "0001-01-01T00:00:00+14:00", "yesterday", "",
              "2024-02-30", "10000-01-01T00:00:00Z", "Sat, 29 Feb 2025 00:00:00 GMT")  # fmt: skip


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def feed_field(draw: st.DrawFn) -> str:
    """A feed field: escaped text, raw markup, a huge repeated text, entities, noise."""
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return _xml_escape(draw(english))
    if choice == 1:
        return "<![CDATA[" + draw(html_fragment) + "]]>"
    if choice == 2:
        return _xml_escape(draw(english)) * draw(st.sampled_from((200, 2000)))
    if choice == 3:
        return draw(st.sampled_from(ENTITIES)) + _xml_escape(draw(english))
    if choice == 4:
        return draw(printable)  # unescaped: may break the XML
    return ""


@st.composite
def feed_document(draw: st.DrawFn) -> str:
    """An RSS 2.0, Atom or RSS 1.0 feed; fields left out, huge or broken; perhaps cut short."""
    style = draw(st.sampled_from(("rss", "atom", "rdf")))
    entries: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        fields = {
            "title": draw(feed_field()),
            "link": draw(st.sampled_from(("https://example.org/a", "", "not a url", "\x0b"))),
            "id": draw(st.sampled_from(("tag:a,2024:1", "", "urn:x"))),
            "date": draw(st.sampled_from(FEED_DATES)),
            "body": draw(feed_field()),
        }
        keep = draw(st.sets(st.sampled_from(sorted(fields))))
        f = {k: v for k, v in fields.items() if k in keep}
        if style == "atom":
            parts = [f"<title>{f['title']}</title>" if "title" in f else "",
                     f"<link href='{f['link']}'/>" if "link" in f else "",
                     f"<id>{f['id']}</id>" if "id" in f else "",
                     f"<updated>{f['date']}</updated>" if "date" in f else "",
                     f"<content type='html'>{f['body']}</content>" if "body" in f else ""]  # fmt: skip
            entries.append("<entry>" + "".join(parts) + "</entry>")
        else:
            parts = [f"<title>{f['title']}</title>" if "title" in f else "",
                     f"<link>{f['link']}</link>" if "link" in f else "",
                     f"<guid>{f['id']}</guid>" if "id" in f else "",
                     f"<pubDate>{f['date']}</pubDate>" if "date" in f else "",
                     f"<description>{f['body']}</description>" if "body" in f else ""]  # fmt: skip
            entries.append("<item>" + "".join(parts) + "</item>")
    declaration = draw(st.sampled_from(('<?xml version="1.0"?>', '<?xml version="1.0" encoding="utf-8"?>',
                                        '<?xml version="1.0" encoding="latin-1"?>',
                                        '<?xml version="1.0" encoding="utf-16"?>',
                                        '<?xml version="1.0" encoding="nonsense"?>')))  # fmt: skip
    language = draw(st.sampled_from(("", "<language>en-us</language>", "<language>fr</language>",
                                     "<language></language>")))  # fmt: skip
    items = "".join(entries)
    if style == "atom":
        doc = f"{declaration}<feed xmlns='http://www.w3.org/2005/Atom'><title>Feed</title>{items}</feed>"
    elif style == "rdf":
        doc = (f"{declaration}<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
               f"xmlns='http://purl.org/rss/1.0/'><channel><title>Feed</title></channel>{items}</rdf:RDF>")  # fmt: skip
    else:
        doc = f"{declaration}<rss version='2.0'><channel><title>Feed</title>{language}{items}</channel></rss>"
    if draw(st.integers(0, 4)) == 0:  # broken XML: cut short
        doc = doc[: draw(st.integers(0, len(doc)))]
    return doc


# --- corpora ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | noise,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(noise, inner, max_size=3),
    max_leaves=8,
)
FIELD_VALUES = {
    "id": st.sampled_from(("r1", "r2", "", " ", "wire-7")) | json_values,
    "text": english | noise | json_values | st.sampled_from(("", "   ", "Minsk\u0000 said.")),
    "published": st.sampled_from(
        (
            "2024-06-24",
            "2024-06-24T10:00:00Z",
            "2024-13-01",
            "yesterday",
            "",
            "0000-01-01",
            "+002024-06-24",
        )
    )
    | json_values,
    "source": noise | json_values,
    "title": noise | json_values,
    "url": noise | json_values,
    "language": st.sampled_from(("en", "EN-gb", "fr", "", "x" * 50)) | json_values,
}


@st.composite
def corpus_record(draw: st.DrawFn) -> dict[str, Any]:
    """A corpus record: any of the known fields, of any JSON type, some left out."""
    keep = draw(st.sets(st.sampled_from(sorted(FIELD_VALUES))))
    return {k: draw(FIELD_VALUES[k]) for k in sorted(keep)}


@st.composite
def huge_text(draw: st.DrawFn) -> str:
    """English text of 140 or 290 KB, beside the limits the fuzz tests read with (CSV's
    field limit of 128 KiB, a 256 KiB document): repeated, so fast to make."""
    return (draw(st.sampled_from(SENTENCES)) + " ") * draw(st.sampled_from((1_700, 3_500)))


@st.composite
def jsonl_line(draw: st.DrawFn) -> str:
    """One line of a JSONL corpus: a record, another JSON value, broken JSON or blank."""
    choice = draw(st.integers(0, 6))
    if choice <= 2:
        return json.dumps(draw(corpus_record()), ensure_ascii=draw(st.booleans()))
    if choice == 3:
        return json.dumps(draw(json_values))
    if choice == 4:
        line = json.dumps(draw(corpus_record()))
        return line[: draw(st.integers(0, len(line)))] + draw(printable)
    if choice == 5:
        return json.dumps({"id": "big", "text": draw(huge_text())})
    return draw(st.sampled_from(("", "   ", "\t")))


@st.composite
def csv_document(draw: st.DrawFn) -> str:
    """A CSV corpus: a header of known and unknown fields, rows of any length and content."""
    fields = draw(st.lists(st.sampled_from(("id", "text", "published", "title", "url", "x")),
                           min_size=0, max_size=6))  # fmt: skip
    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, 5))):
        width = len(fields) + draw(st.sampled_from((0, 0, 0, -1, 1)))
        cell = english | printable | st.sampled_from(("", '"', "a,b", "x\ny")) | huge_text()
        rows.append([draw(cell) for _ in range(max(width, 0))])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.integers(0, 4)) == 0:  # broken quoting, cut short
        text = text[: draw(st.integers(0, len(text)))] + draw(st.sampled_from(('"', '""x', "\n")))
    return text
