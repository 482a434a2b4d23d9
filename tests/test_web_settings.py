"""The web settings, the links chat replies carry to the page, and the web adapter's start and stop."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.adapters.web import WebAdapter
from bot.core.errors import StartupError
from bot.features.digest.build import build_digest
from bot.features.digest.render import digest_reply
from bot.settings import SettingsError, load_settings
from tests.support.web_scenario import GROUP, member, seed


@pytest.mark.parametrize(("value", "port"), [("8080", 8080), ("0", None), ("", None), (" 9000 ", 9000)])
def test_the_port_setting(settings, monkeypatch, value, port) -> None:
    monkeypatch.setenv("QUEUEWATCH_HTTP_PORT", value)
    assert load_settings().queuewatch_http_port == port


@pytest.mark.parametrize("value", ["abc", "70000", "-1", "80.5"])
def test_a_bad_port_is_named(settings, monkeypatch, value) -> None:
    monkeypatch.setenv("QUEUEWATCH_HTTP_PORT", value)
    with pytest.raises(SettingsError, match=r"^QUEUEWATCH_HTTP_PORT: expected a port number from 1 to 65535"):
        load_settings()


def test_the_public_url_setting(settings, monkeypatch) -> None:
    monkeypatch.setenv("QUEUEWATCH_PUBLIC_URL", "https://status.example.org/")
    assert load_settings().queuewatch_public_url == "https://status.example.org"
    monkeypatch.setenv("QUEUEWATCH_PUBLIC_URL", "")
    assert load_settings().queuewatch_public_url is None
    monkeypatch.setenv("QUEUEWATCH_PUBLIC_URL", "status.example.org")
    with pytest.raises(SettingsError, match=r"^QUEUEWATCH_PUBLIC_URL: expected the page's public address"):
        load_settings()
    monkeypatch.setenv("QUEUEWATCH_HTTP_HOST", "local host")
    with pytest.raises(SettingsError, match=r"^QUEUEWATCH_HTTP_HOST"):
        load_settings()


async def test_status_and_the_digest_link_to_the_page_when_a_public_url_is_set(app, clock) -> None:
    await seed(app, clock)
    one = await app.dispatcher.dispatch("status", {"platform": "outlier"}, member(1), GROUP)
    assert "Live status" not in one.plain_text()  # no public address: no link
    app.settings.queuewatch_public_url = "https://status.example.org"
    one = await app.dispatcher.dispatch("status", {"platform": "outlier"}, member(1), GROUP)
    every = await app.dispatcher.dispatch("status", {}, member(1), GROUP)
    assert "Live status: https://status.example.org/p/outlier" in one.plain_text()
    assert "Live status: https://status.example.org/" in every.plain_text()
    digest = digest_reply(await build_digest(app, GROUP.community_key, clock.now(), "UTC", chart=False))
    assert "Live status: https://status.example.org/" in digest.plain_text()


async def test_the_adapter_serves_on_its_port_and_stops(app) -> None:
    web = WebAdapter(app, host="127.0.0.1", port=0)
    await web.start()
    try:
        assert web.connected and web.address.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session, session.get(web.address + "healthz") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"
    finally:
        await web.stop()
    assert not web.connected


async def test_a_port_in_use_stops_the_start_with_the_setting_named(app) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        web = WebAdapter(app, host="127.0.0.1", port=taken.getsockname()[1])
        with pytest.raises(StartupError, match="QUEUEWATCH_HTTP_PORT"):
            await web.start()
