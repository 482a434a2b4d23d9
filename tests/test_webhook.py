"""Telegram webhook mode: setWebhook at start, updates POSTed as Telegram does are stored and answered once, the
secret header checked, and deleteWebhook when the bot goes back to polling."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from pydantic import SecretStr

from bot.adapters.telegram import TelegramAdapter
from bot.adapters.telegram.webhook import SECRET_HEADER, webhook_path
from bot.settings import SettingsError, load_settings
from bot.wiring import build_app
from storage import inbox as store
from tests.support.sample_commands import sample_registry
from tests.telegram_fake import TOKEN, FakeBotApi, private_chat, user

SECRET = "webhook-secret-0123456789_ABC"
PUBLIC = "https://bot.example.org"


@contextlib.asynccontextmanager
async def webhook_bot(settings, clock, fake: FakeBotApi, webhook: bool = True):
    """A started TelegramAdapter on the fake, receiving webhook posts on a free loopback port (or polling)."""
    extra = {"telegram_webhook_url": PUBLIC, "telegram_webhook_secret": SecretStr(SECRET),
             "telegram_webhook_listen": "127.0.0.1:0"} if webhook else {}
    settings = settings.model_copy(update={"telegram_token": SecretStr(TOKEN), "telegram_api_base_url": fake.base_url,
                                           **extra})
    app = await build_app(settings, clock, registry=sample_registry())
    adapter = TelegramAdapter(app, private_chat_interval=0.0)
    try:
        await adapter.start()
        yield app, adapter
    finally:
        await adapter.stop()
        await app.db.close()


def url_of(adapter: TelegramAdapter) -> str:
    """Where this process receives posts."""
    assert adapter.webhook is not None
    return f"http://127.0.0.1:{adapter.webhook.port}{webhook_path(SECRET)}"


@pytest.fixture
async def fake():
    server = await FakeBotApi().start()
    yield server
    await server.close()


async def test_webhook_mode_sets_the_webhook_and_answers_each_posted_update_once(settings, clock, fake):
    async with webhook_bot(settings, clock, fake) as (app, adapter):
        [call] = fake.of("setWebhook")
        assert call.params["url"] == PUBLIC + webhook_path(SECRET)
        assert call.params["secret_token"] == SECRET
        assert SECRET not in call.params["url"]  # the path is derived from the secret, not the secret
        assert fake.of("getUpdates") == []
        member = user(501)
        update = fake.update(private_chat(501), member, "/sample_echo hi 3 red")
        assert await fake.post_update(url_of(adapter), update, SECRET) == 200
        assert await fake.post_update(url_of(adapter), update, SECRET) == 200  # Telegram retried: ignored
        [reply] = await fake.wait_sent(501)
        assert "hi" in reply.text
        await asyncio.sleep(0.2)
        assert len(fake.sent(501)) == 1
        assert await store.unfinished(app.db, "telegram") == []


async def test_a_post_without_the_secret_header_is_refused_and_not_stored(settings, clock, fake):
    async with webhook_bot(settings, clock, fake) as (app, adapter):
        update = fake.update(private_chat(502), user(502), "/sample_echo hi 3 red")
        assert await fake.post_update(url_of(adapter), update, None) == 403
        assert await fake.post_update(url_of(adapter), update, "not-the-secret-0000000") == 403
        other_path = f"http://127.0.0.1:{adapter.webhook.port}/telegram/guess"
        assert await fake.post_update(other_path, update, SECRET) == 404
        await asyncio.sleep(0.2)
        assert fake.sent(502) == []
        row = await app.db.fetchone("SELECT count(*) FROM inbox")
        assert row[0] == 0


async def test_a_post_that_is_not_an_update_gets_400(settings, clock, fake):
    import aiohttp

    async with webhook_bot(settings, clock, fake) as (_app, adapter), aiohttp.ClientSession() as session:
        for body in (b"not json", b"[1, 2]", b'{"message": {}}'):
            async with session.post(url_of(adapter), data=body, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 400
                assert "update" in (await response.text()).lower() or "json" in (await response.text()).lower()


async def test_going_back_to_polling_deletes_the_webhook(settings, clock, fake):
    async with webhook_bot(settings, clock, fake):
        assert fake.webhook is not None
    async with webhook_bot(settings, clock, fake, webhook=False):
        assert fake.webhook is None and fake.of("deleteWebhook")
        fake.message(private_chat(503), user(503), "/sample_echo hi 3 red")
        await fake.wait_sent(503)
        assert all(c.status == 200 for c in fake.of("getUpdates"))


async def test_a_webhook_url_without_https_or_secret_is_refused_with_a_clear_line(settings):
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL: expected the public https URL"):
        load_settings(telegram_webhook_url="http://bot.example.org", telegram_webhook_secret=SECRET)
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET must be set"):
        load_settings(telegram_webhook_url=PUBLIC)
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET: use 16 to 256"):
        load_settings(telegram_webhook_url=PUBLIC, telegram_webhook_secret="short")


async def test_the_web_servers_process_receives_the_webhook_on_its_own_server(settings, clock, fake):
    from bot.adapters.web import WebAdapter

    settings = settings.model_copy(update={
        "telegram_token": SecretStr(TOKEN), "telegram_api_base_url": fake.base_url, "telegram_webhook_url": PUBLIC,
        "telegram_webhook_secret": SecretStr(SECRET), "telegram_webhook_listen": "127.0.0.1:0"})
    app = await build_app(settings, clock, registry=sample_registry())
    adapter = TelegramAdapter(app, private_chat_interval=0.0)
    server = WebAdapter(app, host="127.0.0.1", port=0)
    adapter.mount_webhook(server.web_app)
    try:
        await server.start()
        await adapter.start()
        assert adapter.webhook is None  # no server of its own
        update = fake.update(private_chat(504), user(504), "/sample_echo hi 3 red")
        url = server.address.rstrip("/") + webhook_path(SECRET)
        assert await fake.post_update(url, update, SECRET) == 200
        await fake.wait_sent(504)
        assert fake.of("setWebhook")[0].params["url"] == PUBLIC + webhook_path(SECRET)
    finally:
        await adapter.stop()
        await server.stop()
        await app.db.close()
