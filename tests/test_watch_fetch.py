"""The polite fetcher and the sources file, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from detente.errors import DataFileError, FetchError, InputError
from detente.records import Document
from detente.watch.fetch import FEED_TYPES, HTML_TYPES, Fetcher, FetchSettings, check_address
from detente.watch.items import SourceBrokenError, feed_items, page_items
from detente.watch.sources import Source, load_sources, parse_interval
from tests.webserver import FEED_TYPE, Entry, Reply, Site, article, rss, serve

DAY = dt.date(2024, 6, 20)


@pytest.fixture
def site() -> Iterator[Site]:
    yield from serve()


def fetcher(**changes: object) -> Fetcher:
    options: dict[str, object] = {
        "allow_private": True,
        "min_interval": 0.0,
        "read_timeout": 1.0,
        "total_timeout": 2.0,
        "retries": 2,
        "backoff": 0.05,
        "max_retry_wait": 1.0,
    }
    options.update(changes)
    return Fetcher(FetchSettings(**options))  # type: ignore[arg-type]


def feed(n: int) -> bytes:
    return rss("Border news", [Entry(f"g{i}", f"Item {i}", DAY, f"Summary {i}.") for i in range(n)])


# -- the sources file --------------------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_file_reads_every_field(tmp_path: Path) -> None:
    loaded = load_sources(
        write(
            tmp_path,
            "allow_private: true\nmin_interval: 0s\nsources:\n"
            "  - name: border\n    url: https://example.org/feed.rss\n    kind: feed\n"
            "    every: 15m\n    language: en\n    reliability: official\n"
            "    tags: {official: BLR}\n"
            "  - {name: index, url: 'http://example.org/news/', kind: page, every: 2h,"
            " follow: /news/20}\n",
        )
    )
    assert loaded.allow_private and loaded.min_interval == 0
    first, second = loaded.sources
    assert first == Source(
        "border", "https://example.org/feed.rss", "feed", 900.0, "en", "official",
        (("official", "BLR"),), None, 4,
    )  # fmt: skip
    assert second.kind == "page" and second.every == 7200 and second.follow == "/news/20"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "sources:\n  - name: a\n    url: ftp://x/f\n    kind: feed\n    every: 1m\n",
            3,
            "not http",
        ),
        ("sources:\n  - name: a\n    url: http://x/f\n    kind: blog\n    every: 1m\n", 4, "kind"),
        (
            "sources:\n  - name: a\n    url: http://x/f\n    kind: feed\n    every: soon\n",
            5,
            "interval",
        ),
        ("sources:\n  - name: a\n    kind: feed\n    every: 1m\n", 2, "needs 'url'"),
        (
            "sources:\n  - name: a\n    url: http://x/f\n    kind: feed\n    every: 1m\n    colour: red\n",
            6,
            "unknown key",
        ),
        (
            "sources:\n  - {name: a, url: 'http://x/f', kind: feed, every: 1m}\n  - {name: a, url: 'http://x/g', kind: feed, every: 1m}\n",
            3,
            "twice",
        ),
        ("allow_private: maybe\nsources: []\n", 1, "true or false"),
        ("sources:\n  - name: [a\n", 3, "not valid YAML"),
        ("feeds: []\n", 1, "unknown setting"),
    ],
)
def test_sources_file_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_sources_interval_units() -> None:
    assert [parse_interval(t) for t in ("30s", "15m", "2h", "1d", "1.5h")] == [
        30, 900, 7200, 86400, 5400,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="interval"):
        parse_interval("15 minutes")


# -- refusing private addresses ----------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost:8080/feed",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_fetch_refuses_private_addresses_by_default(url: str) -> None:
    with pytest.raises(FetchError, match="private, loopback or link-local"):
        check_address(url, allow_private=False)
    check_address(url, allow_private=True)  # allowed when the sources file says so


def test_fetch_refuses_a_private_server_even_when_it_answers(site: Site) -> None:
    site.set("/feed", Reply(feed(2), content_type=FEED_TYPE))
    with Fetcher(FetchSettings(min_interval=0)) as client, pytest.raises(FetchError) as caught:
        client.get(site.url("/feed"))
    assert "allow_private: true" in str(caught.value)
    assert site.requests == []  # not even robots.txt was asked for


def test_fetch_refuses_other_schemes() -> None:
    with pytest.raises(FetchError, match="only http and https"):
        check_address("file:///etc/passwd", allow_private=True)


def test_fetch_checks_every_redirect_hop(site: Site) -> None:
    site.set("/go", Reply(status=302, headers={"Location": "file:///etc/passwd"}))
    with fetcher() as client, pytest.raises(FetchError, match="only http and https"):
        client.get(site.url("/go"))


# -- what the server answers -------------------------------------------------------------------
def test_fetch_conditional_request_gets_304(site: Site) -> None:
    site.set("/feed", Reply(feed(2), content_type=FEED_TYPE, etag='"v1"'))
    with fetcher() as client:
        first = client.get(site.url("/feed"), accept=FEED_TYPES)
        assert first.status == 200 and first.etag == '"v1"'
        again = client.get(site.url("/feed"), accept=FEED_TYPES, etag=first.etag)
    assert again.not_modified and again.body == b""
    assert [r.headers.get("If-None-Match") for r in site.requests if r.path == "/feed"] == [
        None, '"v1"',
    ]  # fmt: skip
    assert "detente/" in site.requests[-1].headers["User-Agent"]


def test_fetch_retries_a_429_after_its_retry_after(site: Site) -> None:
    site.set(
        "/feed",
        Reply(b"slow down", status=429, headers={"Retry-After": "0"}, times=1),
        Reply(feed(1), content_type=FEED_TYPE),
    )
    with fetcher() as client:
        assert client.get(site.url("/feed"), accept=FEED_TYPES).status == 200
    assert site.hits("/feed") == 2


def test_fetch_a_long_retry_after_is_handed_back(site: Site) -> None:
    site.set("/feed", Reply(b"slow down", status=429, headers={"Retry-After": "3600"}))
    with fetcher() as client, pytest.raises(FetchError) as caught:
        client.get(site.url("/feed"), accept=FEED_TYPES)
    assert caught.value.retry_after == 3600 and caught.value.transient
    assert "HTTP 429" in str(caught.value) and "3600" in str(caught.value)
    assert site.hits("/feed") == 1  # not hammered


def test_fetch_500_is_retried_then_reported(site: Site) -> None:
    site.set("/feed", Reply(b"oops", status=500))
    with fetcher(retries=2) as client, pytest.raises(FetchError) as caught:
        client.get(site.url("/feed"), accept=FEED_TYPES)
    assert "HTTP 500 after 3 attempts" in str(caught.value)
    assert site.hits("/feed") == 3


def test_fetch_500_then_200_succeeds(site: Site) -> None:
    site.set("/feed", Reply(b"oops", status=503, times=1), Reply(feed(1), content_type=FEED_TYPE))
    with fetcher() as client:
        assert client.get(site.url("/feed"), accept=FEED_TYPES).status == 200


def test_fetch_slow_server_times_out(site: Site) -> None:
    site.set("/feed", Reply(feed(1), content_type=FEED_TYPE, delay=2.5))
    with fetcher(read_timeout=0.5, retries=0) as client, pytest.raises(FetchError) as caught:
        client.get(site.url("/feed"), accept=FEED_TYPES)
    assert "timed out" in str(caught.value)


def test_fetch_trickling_body_stops_at_the_total_timeout(site: Site) -> None:
    site.set("/feed", Reply(feed(40), content_type=FEED_TYPE, trickle=0.05))
    with fetcher(total_timeout=0.5, retries=0) as client, pytest.raises(FetchError) as caught:
        client.get(site.url("/feed"), accept=FEED_TYPES)
    assert "took more than 0.5 s" in str(caught.value)


def test_fetch_redirect_loop_is_refused(site: Site) -> None:
    site.set("/a", Reply(status=302, headers={"Location": "/b"}))
    site.set("/b", Reply(status=301, headers={"Location": "/a"}))
    with fetcher() as client, pytest.raises(FetchError, match="redirect loop"):
        client.get(site.url("/a"))


def test_fetch_redirect_limit(site: Site) -> None:
    for i in range(8):
        site.set(f"/r{i}", Reply(status=302, headers={"Location": f"/r{i + 1}"}))
    site.set("/r8", Reply(feed(1), content_type=FEED_TYPE))
    with fetcher(max_redirects=3) as client, pytest.raises(FetchError, match="more than 3"):
        client.get(site.url("/r0"))
    with fetcher(max_redirects=10) as client:
        assert client.get(site.url("/r0")).url.endswith("/r8")


def test_fetch_oversized_bodies_are_refused(site: Site) -> None:
    site.set("/declared", Reply(b"x" * 5000, content_type=FEED_TYPE))
    site.set(
        "/undeclared",
        Reply(b"<?xml version='1.0'?><rss>" + b"x" * 5000, content_type=FEED_TYPE, length=False),
    )
    with fetcher(max_bytes=1000) as client:
        for path in ("/declared", "/undeclared"):
            with pytest.raises(FetchError, match="size cap"):
                client.get(site.url(path), accept=FEED_TYPES)


def test_fetch_wrong_content_type_is_refused(site: Site) -> None:
    site.set("/feed", Reply(b"%PDF-1.7 ...", content_type="application/pdf"))
    site.set("/page", Reply(feed(1), content_type=FEED_TYPE))
    with fetcher() as client:
        with pytest.raises(FetchError, match="content type application/pdf is not a feed"):
            client.get(site.url("/feed"), accept=FEED_TYPES)
        with pytest.raises(FetchError, match="is not an HTML page"):
            client.get(site.url("/page"), accept=HTML_TYPES)


def test_fetch_robots_txt_is_honoured(site: Site) -> None:
    site.set(
        "/robots.txt", Reply(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    )
    site.set("/private/feed", Reply(feed(1), content_type=FEED_TYPE))
    site.set("/public/feed", Reply(feed(1), content_type=FEED_TYPE))
    with fetcher() as client:
        with pytest.raises(FetchError, match=r"robots\.txt"):
            client.get(site.url("/private/feed"))
        assert client.get(site.url("/public/feed")).status == 200
        client.get(site.url("/public/feed"))
    assert site.hits("/robots.txt") == 1  # read once per host
    assert site.hits("/private/feed") == 0


def test_fetch_keeps_its_distance_from_a_host(site: Site) -> None:
    site.set("/feed", Reply(feed(1), content_type=FEED_TYPE))
    waits: list[float] = []
    client = Fetcher(FetchSettings(allow_private=True, min_interval=30.0), sleep=waits.append)
    try:
        client.get(site.url("/feed"))
        client.get(site.url("/feed"))
    finally:
        client.close()
    # robots.txt, then the feed, then the feed again: each waits for the one before
    assert len(waits) == 2 and all(25 < w <= 30 for w in waits)


# -- reading what came back --------------------------------------------------------------------
def test_feed_items_malformed_xml_is_one_failure(site: Site) -> None:
    site.set(
        "/feed", Reply(b"<?xml version='1.0'?><rss><channel><title>x</ti", content_type=FEED_TYPE)
    )
    with fetcher() as client:
        response = client.get(site.url("/feed"), accept=FEED_TYPES)
    with pytest.raises(SourceBrokenError) as caught:
        feed_items(response)
    assert "not a readable feed" in str(caught.value) and "\n" not in str(caught.value)


def test_feed_items_know_summaries_from_full_text(site: Site) -> None:
    entries = [
        Entry("a", "Short", DAY, "Only a summary.", link=site.url("/a")),
        Entry("b", "Long", DAY, "Summary.", link=site.url("/b"), content="<p>The full text.</p>"),
    ]
    site.set("/feed", Reply(rss("News", entries), content_type=FEED_TYPE))
    with fetcher() as client:
        items = feed_items(client.get(site.url("/feed"), accept=FEED_TYPES))
    assert [(i.url, i.summary_only) for i in items] == [
        (site.url("/a"), True),
        (site.url("/b"), False),
    ]
    assert all(isinstance(i.document, Document) for i in items)
    assert len({i.key for i in items}) == 2


def test_page_items_follow_article_links_of_the_same_host(site: Site) -> None:
    index = (
        b"<html><body><a href='/news/2024/one'>1</a> <a href='/news/2024/two#top'>2</a>"
        b"<a href='/news/2024/one'>again</a> <a href='/about'>about</a> <a href='/'>home</a>"
        b"<a href='/style.css'>css</a> <a href='https://elsewhere.example/x'>x</a></body></html>"
    )
    site.set("/news/", Reply(index))
    source = Source("idx", site.url("/news/"), "page", 60.0)
    with fetcher() as client:
        response = client.get(site.url("/news/"), accept=HTML_TYPES)
    links = [i.url for i in page_items(response, response.body.decode(), source, 10)]
    assert links == [site.url("/news/2024/one"), site.url("/news/2024/two"), site.url("/about")]
    followed = Source("idx", site.url("/news/"), "page", 60.0, follow=r"/news/\d{4}/")
    assert len(page_items(response, response.body.decode(), followed, 10)) == 2


def test_ingest_reads_urls_through_the_fetcher(site: Site) -> None:
    from detente.read import read_inputs

    site.set(
        "/story",
        Reply(article("Border", DAY, ["Belarus said on Thursday that Ukraine had moved troops."])),
    )
    refused = list(read_inputs([site.url("/story")]))
    assert len(refused) == 1 and isinstance(refused[0], InputError)
    assert "private" in str(refused[0])
    (doc,) = read_inputs([site.url("/story")], allow_private=True)
    assert isinstance(doc, Document) and doc.url == site.url("/story")
    assert "moved troops" in doc.text


def test_fetch_a_failing_robots_txt_keeps_the_host_unfetched_for_now(site: Site) -> None:
    site.set("/robots.txt", Reply(b"down", status=503, content_type="text/plain"))
    site.set("/feed", Reply(feed(1), content_type=FEED_TYPE))
    with fetcher() as client:
        for _ in range(2):
            with pytest.raises(FetchError) as caught:
                client.get(site.url("/feed"))
            assert caught.value.transient and "robots.txt could not be read (HTTP 503)" in str(
                caught.value
            )
    assert site.hits("/feed") == 0 and site.hits("/robots.txt") == 1  # asked again only later
