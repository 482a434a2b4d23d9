"""Exchange rates kept current: the ECB daily file fetched from a loopback fake, kept in the database, used by
every conversion with its date; failures keep the old rates, log once and crash nothing."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from pathlib import Path

import pytest

from bot.core.clock import ManualClock
from bot.features.knowledge import fx
from bot.features.knowledge.fx import FxError, FxRefreshService, fx_service, parse_ecb
from bot.features.knowledge.money import rates
from bot.settings import DEFAULT_FX_URL, SettingsError, load_settings
from bot.wiring import FEATURES, build_app
from storage import exchange_rates as store
from tests.cli_support import ROOT, clean_env
from tests.conftest import START
from tests.fx_fake import RATES, FakeEcb, ecb_xml, refused_url

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

SECRET = "fx-test-secret-0123456789"
SHIPPED = date(2025, 2, 28)
FETCHED = date(2026, 11, 13)


@pytest.fixture
async def ecb():
    """The loopback ECB."""
    server = FakeEcb()
    await server.start()
    yield server
    await server.stop()


async def make_app(url: str, database: str = "sqlite:///:memory:"):
    """An app whose exchange-rate refresh points at `url` (a loopback server in every test)."""
    settings = load_settings(database_url=database, queuewatch_secret=SECRET, queuewatch_fx_url=url)
    app = await build_app(settings, clock=ManualClock(START))
    app.fx.timeout = 0.5
    return app


@pytest.fixture
async def app_ecb(ecb):
    """An app refreshing from the loopback ECB, and the server."""
    app = await make_app(ecb.url)
    yield app, ecb
    await app.db.close()


def warnings_from_fx(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == fx.__name__ and r.levelno >= logging.WARNING]


# --- parsing ------------------------------------------------------------------------------------------------

def test_the_real_ecb_shape_is_read() -> None:
    table = parse_ecb(ecb_xml("2026-11-13"), "http://127.0.0.1/x.xml")
    assert table.date == FETCHED and table.base == "EUR" and table.url == "http://127.0.0.1/x.xml"
    assert table.rates["EUR"] == 1.0 and table.rates["USD"] == 1.16 and table.rates["INR"] == 102.5
    assert len(table.rates) == len(RATES) + 1


def test_the_newest_day_of_a_multi_day_file_is_taken() -> None:
    first, second = ecb_xml("2026-11-12").decode(), ecb_xml("2026-11-13", {"USD": "1.2"}).decode()
    days = second.split("\t<Cube>\n")[1].split("\t</Cube>\n</gesmes")[0]
    merged = first.replace("\t<Cube>\n", "\t<Cube>\n" + days, 1)
    table = parse_ecb(merged.encode())
    assert table.date == FETCHED and table.rates["USD"] == 1.2


@pytest.mark.parametrize(("body", "why"), [
    (b"<html><body>Service unavailable</body></html>", "Cube time"),
    (ecb_xml("2026-11-13")[:300], "not an XML file"),
    (b"", "not an XML file"),
    (ecb_xml("13/11/2026"), "not a YYYY-MM-DD date"),
    (ecb_xml("2026-11-13", {**RATES, "GBP": "n/a"}), "not a number"),
    (ecb_xml("2026-11-13", {**RATES, "GBP": "-0.88"}), "bad currency code or rate"),
    (ecb_xml("2026-11-13", {**RATES, "gbp": "0.88"}), "bad currency code or rate"),
    (ecb_xml("2026-11-13", {"GBP": "0.88"}), "no USD rate"),
])
def test_a_malformed_file_is_refused_with_the_reason(body: bytes, why: str) -> None:
    with pytest.raises(FxError) as caught:
        parse_ecb(body)
    assert why in str(caught.value)


# --- refresh and use ----------------------------------------------------------------------------------------

async def test_a_refresh_keeps_the_rates_and_every_conversion_uses_them_with_their_date(
        app_ecb, member, group) -> None:
    app, ecb = app_ecb
    assert app.fx.latest.date == SHIPPED  # nothing fetched yet: the shipped table
    table = await app.fx.refresh()
    assert table is not None and table.date == FETCHED and ecb.requests == 1
    stored = await store.latest(app.db)
    assert stored is not None and stored.day == "2026-11-13" and stored.rates["GBP"] == 0.88
    assert stored.url == ecb.url
    assert app.fx.latest.date == FETCHED and app.fx.table("GBP", "USD").rates["GBP"] == 0.88

    reply = await app.dispatcher.dispatch_line("/pay telus uk", member, group)
    assert "Converted at ECB reference rates of 13 Nov 2026." in (reply.footer or "")
    assert "28 Feb 2025" not in (reply.footer or "")
    # US$8-15/h at the fetched rates: 8 / 1.16 * 0.88 = 6.07
    assert "(≈ £6.07–11.38)" in reply.plain_text()

    reply = await app.dispatcher.dispatch_line("/payrate outlier 22 GBP", member, group)
    assert "about $29.00 at ECB reference rates of 13 Nov 2026" in reply.plain_text()
    row = await app.db.fetchone("SELECT hourly_usd FROM reports WHERE kind = 'payrate'")
    assert row["hourly_usd"] == 29.0


async def test_without_a_fetched_table_the_shipped_one_is_used_and_named(app, member, group) -> None:
    assert app.settings.queuewatch_fx_url == ""
    assert await app.fx.refresh() is None
    reply = await app.dispatcher.dispatch_line("/pay telus uk", member, group)
    assert "Converted at ECB reference rates of 28 Feb 2025." in (reply.footer or "")


async def test_a_currency_missing_from_the_fetched_table_falls_back_to_the_shipped_one(app_ecb, member,
                                                                                       group) -> None:
    app, ecb = app_ecb
    ecb.body = ecb_xml("2026-11-13", {code: rate for code, rate in RATES.items() if code != "INR"})
    await app.fx.refresh()
    assert app.fx.table("USD").date == FETCHED
    assert app.fx.table("INR", "USD").date == SHIPPED
    reply = await app.dispatcher.dispatch_line("/pay mercor india", member, group)
    assert "Converted at ECB reference rates of 28 Feb 2025." in (reply.footer or "")


async def test_the_kept_rates_are_used_after_a_restart_without_fetching(ecb, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'q.db'}"
    app = await make_app(ecb.url, database)
    await app.fx.refresh()
    await app.db.close()
    again = await make_app("", database)
    try:
        assert again.fx.latest.date == FETCHED and again.fx.latest.rates["GBP"] == 0.88
    finally:
        await again.db.close()
    assert ecb.requests == 1


async def test_older_rates_never_replace_newer_ones(app_ecb, caplog) -> None:
    app, ecb = app_ecb
    await app.fx.refresh()
    ecb.body = ecb_xml("2026-11-12")
    with caplog.at_level(logging.WARNING):
        assert await app.fx.refresh() is None
    assert app.fx.latest.date == FETCHED
    assert "older than the ones kept" in caplog.text


async def test_rates_dated_in_the_future_are_refused(app_ecb) -> None:
    app, ecb = app_ecb
    ecb.body = ecb_xml("2026-12-01")  # the clock says 16 Nov 2026
    assert await app.fx.refresh() is None
    assert app.fx.latest.date == SHIPPED


async def test_only_the_newest_days_are_kept(app) -> None:
    for day in range(1, 11):
        await store.save(app.db, f"2026-10-{day:02d}", "EUR", {"EUR": 1.0, "USD": 1.1}, "http://x", 0)
    days = [r["day"] for r in await app.db.fetchall("SELECT DISTINCT day FROM exchange_rates ORDER BY day")]
    assert days == [f"2026-10-{d:02d}" for d in range(4, 11)] and len(days) == store.KEEP_DAYS
    assert (await store.latest(app.db)).day == "2026-10-10"


# --- failures -------------------------------------------------------------------------------------------------

async def _serve_500(app, ecb) -> None:
    ecb.status = 500
    ecb.body = b"Internal Server Error"


async def _serve_malformed(app, ecb) -> None:
    ecb.body = b"<html><body>Maintenance</body></html>"


async def _refuse(app, ecb) -> None:
    app.settings = app.settings.model_copy(update={"queuewatch_fx_url": refused_url()})


async def _hang(app, ecb) -> None:
    ecb.hang = True
    app.fx.timeout = 0.2


@pytest.mark.parametrize(("failure", "reason"), [
    (_serve_500, "HTTP 500"), (_serve_malformed, "Cube time"), (_refuse, "ClientConnectorError"),
    (_hang, "no complete answer within 0.2 s"),
])
async def test_a_failing_refresh_keeps_the_old_rates_and_logs_once(app_ecb, caplog, failure, reason) -> None:
    app, ecb = app_ecb
    await app.fx.refresh()
    await failure(app, ecb)
    with caplog.at_level(logging.DEBUG, logger=fx.__name__):
        assert await app.fx.refresh() is None
        assert await app.fx.refresh() is None
    assert app.fx.latest.date == FETCHED and app.fx.latest.rates["GBP"] == 0.88
    assert (await store.latest(app.db)).day == "2026-11-13"
    logged = warnings_from_fx(caplog)
    assert len(logged) == 1, [r.getMessage() for r in logged]
    message = logged[0].getMessage()
    assert reason in message and "still using the rates of 2026-11-13" in message and "127.0.0.1" in message
    assert not logged[0].exc_info  # one line, no traceback


async def test_a_first_refresh_that_fails_keeps_the_shipped_table(app_ecb, caplog) -> None:
    app, ecb = app_ecb
    ecb.status = 500
    with caplog.at_level(logging.WARNING):
        assert await app.fx.refresh() is None
    assert app.fx.latest.date == SHIPPED == rates().date
    assert "still using the rates of 2025-02-28" in caplog.text


async def test_after_a_recovery_a_new_failure_is_logged_again(app_ecb, caplog) -> None:
    app, ecb = app_ecb
    with caplog.at_level(logging.INFO, logger=fx.__name__):
        ecb.status = 500
        await app.fx.refresh()
        await app.fx.refresh()
        ecb.status = 200
        assert await app.fx.refresh() is not None
        ecb.status = 503
        await app.fx.refresh()
    assert [r.getMessage().split(" (")[1].split(")")[0] for r in warnings_from_fx(caplog)] == ["HTTP 500", "HTTP 503"]
    assert "refreshed again" in caplog.text


# --- the background service -----------------------------------------------------------------------------------

def test_the_refresh_is_a_service_of_the_knowledge_feature() -> None:
    knowledge = next(f for f in FEATURES if f.name == "knowledge")
    assert fx_service in knowledge.services


async def test_the_service_refreshes_at_start_and_waits_six_hours(app_ecb) -> None:
    app, ecb = app_ecb
    service = next(s for s in app.background_services() if isinstance(s, FxRefreshService))
    await service.start()
    try:
        for _ in range(200):
            if app.fx.latest.date == FETCHED:
                break
            await asyncio.sleep(0.01)
        assert app.fx.latest.date == FETCHED and ecb.requests == 1
    finally:
        await service.stop()
    assert await service.run_once() == fx.REFRESH_SECONDS
    ecb.status = 500
    assert await service.run_once() == fx.RETRY_SECONDS  # a failed round tries again sooner


async def test_with_the_url_empty_the_service_never_fetches(app, caplog) -> None:
    service = next(s for s in app.background_services() if isinstance(s, FxRefreshService))
    with caplog.at_level(logging.INFO, logger=fx.__name__):
        await service.start()
        await service.stop()
    assert "refresh is off (QUEUEWATCH_FX_URL is empty)" in caplog.text


# --- settings: on by default in production, off in every test ---------------------------------------------------

def test_the_url_setting_defaults_to_the_ecb_and_can_be_turned_off(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUEUEWATCH_FX_URL")
    assert load_settings().queuewatch_fx_url == DEFAULT_FX_URL
    assert DEFAULT_FX_URL == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
    monkeypatch.setenv("QUEUEWATCH_FX_URL", "  ")
    assert load_settings().queuewatch_fx_url == ""
    monkeypatch.setenv("QUEUEWATCH_FX_URL", "ftp://example.org/rates.xml")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("QUEUEWATCH_FX_URL: expected an http(s) URL")
    assert f"QUEUEWATCH_FX_URL={DEFAULT_FX_URL}" in (ROOT / ".env.example").read_text()


def test_no_test_reaches_the_ecb(settings) -> None:
    assert settings.queuewatch_fx_url == ""
    assert load_settings().queuewatch_fx_url == ""  # the autouse fixture, for settings built anywhere
    assert clean_env()["QUEUEWATCH_FX_URL"] == ""  # and for every `queuewatch` subprocess


async def test_a_process_that_does_not_fetch_takes_up_the_rates_a_worker_stored(ecb, tmp_path: Path) -> None:
    from bot import runner

    database = f"sqlite:///{tmp_path / 'q.db'}"
    webhook = await make_app("", database)  # started before any rates were fetched: the shipped table
    worker = await make_app(ecb.url, database)
    try:
        assert webhook.fx.latest.date != FETCHED
        await worker.fx.refresh()
        [reload] = runner.services_for(webhook, frozenset({"telegram"}))
        assert await reload.run_once() == fx.RELOAD_SECONDS
        assert webhook.fx.latest.date == FETCHED and webhook.fx.latest.rates["GBP"] == 0.88
    finally:
        await worker.db.close()
        await webhook.db.close()
