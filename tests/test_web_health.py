"""/healthz and /metrics over the real adapters: Telegram and Discord against their loopback fakes report
connected while they run and not once stopped."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web.server import build
from bot.wiring import build_app
from tests.discord_fake import FakeDiscord, connected, discord_settings
from tests.support.sample_commands import sample_registry
from tests.telegram_fake import running_bot


async def _health(app, adapters) -> tuple[int, dict, str]:
    client = TestClient(TestServer(build(app, watched=lambda: adapters, cache_seconds=0)))
    await client.start_server()
    try:
        response = await client.get("/healthz")
        metrics = await (await client.get("/metrics")).text()
        return response.status, await response.json(), metrics
    finally:
        await client.close()


async def test_telegram_connected_while_polling(settings, clock) -> None:
    async with running_bot(settings, clock) as bot:
        status, body, metrics = await _health(bot.app, [bot.adapter])
        assert status == 200 and body["adapters"] == {"telegram": True}
        assert 'queuewatch_adapter_connected{adapter="telegram"} 1.0' in metrics
        await bot.adapter.stop()
        status, body, metrics = await _health(bot.app, [bot.adapter])
        assert status == 503 and body["down"] == [{"component": "telegram", "problem": "not connected"}]
        assert 'queuewatch_adapter_connected{adapter="telegram"} 0.0' in metrics


async def test_discord_connected_while_the_gateway_is_up(clock) -> None:
    async with FakeDiscord():
        app = await build_app(discord_settings(), clock, registry=sample_registry())
        try:
            async with connected(app) as adapter:
                status, body, _ = await _health(app, [adapter])
                assert status == 200 and body["adapters"] == {"discord": True}
            status, body, _ = await _health(app, [adapter])
            assert status == 503 and body["adapters"] == {"discord": False}
        finally:
            await app.db.close()


async def test_metrics_count_digest_posts_and_outbox_deliveries(app, clock) -> None:
    """A manual digest post is counted when queued, and its delivery through the real console adapter when sent."""
    import asyncio
    import io

    from bot.adapters.console import ConsoleAdapter
    from bot.core.model import Actor, Platform
    from tests.support.web_scenario import GROUP

    moderator = Actor(Platform.CONSOLE, "m1", "Mod", is_moderator=True)
    reply = await app.dispatcher.dispatch("digest_post", {}, moderator, GROUP)
    assert not reply.is_error, reply.plain_text()
    _status, _body, metrics = await _health(app, [])
    assert 'queuewatch_digest_posts_total{kind="digest_manual"} 1.0' in metrics
    assert "queuewatch_outbox_backlog 1.0" in metrics
    out = io.StringIO()
    console = ConsoleAdapter(app, asyncio.Event(), stdin=io.StringIO(""), stdout=out)
    app.senders["console"] = console
    await app.outbox.run_once()
    assert "Weekly digest" in out.getvalue()
    _status, _body, metrics = await _health(app, [])
    assert 'queuewatch_outbox_deliveries_total{outcome="sent"} 1.0' in metrics
    assert "queuewatch_outbox_backlog 0.0" in metrics
