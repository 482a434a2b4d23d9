"""The web adapter through aiohttp's test client: every route on a seeded scenario, errors, headers, the limit."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web.server import build
from tests.support.web_scenario import GROUP, SHOWN_PROJECT, member, seed

ROUTES = ("/", "/p/outlier", "/p/dataannotation", "/static/style.css", "/api/v1/summary.json",
          "/api/v1/platforms.json", "/api/v1/platforms/outlier.json", "/api/v1/platforms/outlier/history.json",
          "/api/v1/platforms/outlier/history.json?hours=720", "/feed.atom", "/badge/outlier.svg", "/healthz",
          "/metrics")


class Down:
    """A watched adapter that is not connected."""

    name = "telegram"
    connected = False


@pytest.fixture
async def seeded(app, clock):
    """The scenario, filed."""
    return await seed(app, clock)


async def client_for(app, **options) -> TestClient:
    """A test client of the web application (no response cache, so each request reads the database)."""
    options.setdefault("cache_seconds", 0)
    client = TestClient(TestServer(build(app, **options)))
    await client.start_server()
    return client


@pytest.fixture
async def client(app, seeded):
    """A client over the seeded app."""
    client = await client_for(app)
    yield client
    await client.close()


class Headings(HTMLParser):
    """The heading levels of a page, in order, and whether it holds any script."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.scripts = 0
        self.inline_styles = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        self.scripts += tag == "script"
        self.inline_styles += tag == "style" or any(name == "style" or name.startswith("on") for name, _ in attrs)


async def test_every_route_answers_with_the_security_headers(client) -> None:
    for route in ROUTES:
        response = await client.get(route)
        assert response.status == 200, (route, await response.text())
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "'unsafe-inline'" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_the_front_page_lists_the_worst_first_with_state_in_words_and_icon(client) -> None:
    html = await (await client.get("/")).text()
    assert html.index("Outlier") < html.index("DataAnnotation")  # a drought before tasks flowing
    assert "drought likely" in html and "tasks flowing" in html
    assert 'class="icon" aria-hidden="true">▼' in html  # never colour alone
    assert '<svg class="spark"' in html and "Last 24 hours: 5 drought reports" in html


async def test_the_platform_page_has_the_chart_its_description_table_and_sections(client) -> None:
    html = await (await client.get("/p/outlier")).text()
    assert 'aria-describedby="week-desc"' in html and 'id="week-desc"' in html
    assert "<table>" in html and "The chart as a table" in html
    assert f"“{SHOWN_PROJECT}”" in html  # named by three members
    assert "A project (named once 3 members report it)" in html  # named by one: not shown
    assert "paid on time" in html.lower() and "3 of 4" in html  # the payment record, 90 days
    assert "median" in html.lower() and "$20.50" in html  # six payrates 18..23: median 20.5
    assert "Is it legit?" in html  # facts with their sources' kind and date, as links
    assert re.search(r'<a href="https://[^"]+" rel="nofollow noopener">[a-z ]+, [^<]+</a>', html)
    assert "https://outlier.ai" in html


async def test_pages_hold_no_script_no_inline_style_and_headings_in_order(client) -> None:
    for route in ("/", "/p/outlier", "/p/nowhere"):
        parser = Headings()
        parser.feed(await (await client.get(route)).text())
        assert parser.scripts == 0 and parser.inline_styles == 0, route
        assert parser.levels[0] == 1 and parser.levels.count(1) == 1, route
        assert all(b - a <= 1 for a, b in zip(parser.levels, parser.levels[1:], strict=False)), (route, parser.levels)


async def test_the_feed_is_atom_with_the_changes(client) -> None:
    response = await client.get("/feed.atom")
    assert response.content_type == "application/atom+xml"
    root = ElementTree.fromstring(await response.read())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert "Outlier: drought likely" in titles
    assert f"Outlier: the project “{SHOWN_PROJECT}” reported ended" in titles
    assert all(e.findtext("a:id", namespaces=ns).startswith("urn:uuid:") for e in root.findall("a:entry", ns))


async def test_the_badge_says_the_state_in_words(client) -> None:
    response = await client.get("/badge/outlier.svg")
    assert response.content_type == "image/svg+xml"
    svg = await response.text()
    ElementTree.fromstring(svg)
    assert "Outlier: drought likely" in svg


async def test_etag_and_304(client) -> None:
    first = await client.get("/api/v1/summary.json")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = await client.get("/api/v1/summary.json", headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b"" and again.headers["ETag"] == etag
    other = await client.get("/api/v1/summary.json", headers={"If-None-Match": '"something-else"'})
    assert other.status == 200


@pytest.mark.parametrize(("route", "status", "json_error"), [
    ("/nowhere", 404, False),
    ("/p/nowhere", 404, False),
    ("/badge/nowhere.svg", 404, False),
    ("/api/v1/platforms/nowhere.json", 404, True),
    ("/api/v1/nowhere.json", 404, True),
    ("/api/v1/platforms/outlier/history.json?hours=0", 400, True),
    ("/api/v1/platforms/outlier/history.json?hours=721", 400, True),
    ("/api/v1/platforms/outlier/history.json?hours=abc", 400, True),
    ("/api/v1/platforms/outlier/history.json?hours=-5", 400, True),
])
async def test_bad_paths_and_parameters_get_a_friendly_error(client, route, status, json_error) -> None:
    response = await client.get(route)
    assert response.status == status
    text = await response.text()
    assert "Traceback" not in text and "aiohttp" not in text.lower()
    if json_error:
        body = await response.json()
        assert body["error"]["status"] == status and len(body["error"]["message"]) > 10
    else:
        assert response.content_type == "text/html" and "<h1>" in text
    assert "Content-Security-Policy" in response.headers


async def test_a_post_is_refused_politely(client) -> None:
    response = await client.post("/api/v1/summary.json")
    assert response.status == 405
    assert (await response.json())["error"]["status"] == 405


async def test_the_request_limit_answers_429_with_retry_after(app, seeded, clock) -> None:
    client = await client_for(app, per_minute=3)
    try:
        for _ in range(3):
            assert (await client.get("/api/v1/summary.json")).status == 200
        refused = await client.get("/api/v1/summary.json")
        assert refused.status == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "try again" in (await refused.json())["error"]["message"]
        assert (await client.get("/")).status == 429  # the page too, as a page
        clock.advance(timedelta(seconds=61))
        assert (await client.get("/api/v1/summary.json")).status == 200
    finally:
        await client.close()


async def test_healthz_names_what_is_down(app, seeded) -> None:
    client = await client_for(app, watched=lambda: [Down()])
    try:
        response = await client.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["down"] == [{"component": "telegram", "problem": "not connected"}] and body["database"] is True
        await app.db.close()
        body = await (await client.get("/healthz")).json()
        assert {d["component"] for d in body["down"]} == {"telegram", "database"}
    finally:
        await client.close()


async def test_metrics_count_commands_reports_and_state(app, seeded, client) -> None:
    text = await (await client.get("/metrics")).text()
    assert 'queuewatch_commands_total{command="report",outcome="ok"} 16.0' in text
    assert 'queuewatch_reports_ingested_total{kind="drought"} 5.0' in text
    assert "queuewatch_reply_seconds_count" in text and "queuewatch_outbox_backlog 0.0" in text
    await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "no such kind"}, member(1), GROUP)
    text = await (await client.get("/metrics")).text()
    assert 'queuewatch_commands_total{command="report",outcome="bad_input"} 1.0' in text


async def test_the_cache_serves_the_stored_page_and_rebuilds_after_its_time(app, seeded, clock) -> None:
    client = await client_for(app, cache_seconds=30)
    try:
        first = await (await client.get("/api/v1/platforms/dataannotation.json")).json()
        assert first["status"]["state"] == "flowing"
        for i in range(3):
            await app.dispatcher.dispatch("report", {"platform": "dataannotation", "what": "drought"},
                                          seeded.members[i], GROUP)
        stored = await (await client.get("/api/v1/platforms/dataannotation.json")).json()
        assert stored == first  # within its 30 seconds
        clock.advance(timedelta(seconds=31))
        await client.get("/api/v1/platforms/dataannotation.json")  # serves the stale one, rebuilds behind it
        for _ in range(100):  # the rebuild runs behind the stale answers: wait for it, up to 5 s
            fresh = await (await client.get("/api/v1/platforms/dataannotation.json")).json()
            if fresh != first:
                break
            await asyncio.sleep(0.05)
        assert fresh["status"]["n"] == 6
    finally:
        await client.close()


async def test_a_client_that_takes_gzip_gets_it_with_its_own_etag(client) -> None:
    plain = await client.get("/", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
    assert await packed.read() == await plain.read()  # the test client inflates it
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert packed.headers["Vary"] == "Accept-Encoding, Accept-Language"
    again = await client.get("/", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status == 304
