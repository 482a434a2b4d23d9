"""Several real `queuewatch run` processes on one real PostgreSQL server, against the loopback fakes: webhook
receivers, a Discord process and workers share one data set, deliver the outbox exactly once under the platforms'
limits, and survive SIGKILL of a worker or of the scheduler's process."""

from __future__ import annotations

import asyncio
import collections
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.telegram.webhook import webhook_path
from bot.core.model import Reply
from bot.features.digest.schedule import iso_week
from bot.outbox.outbox import encode_reply
from storage import digests
from storage import outbox as store
from storage.database import open_database
from tests import discord_fake
from tests.support.pg_processes import BotProcess, until
from tests.telegram_fake import TOKEN, FakeBotApi, group_chat, peak_per_second, private_chat, user

pytest_plugins = ("tests.support.pg_processes",)  # the `admin_url` and `pg_url` fixtures

SECRET = "webhook-secret-0123456789_ABC"
LEASE = 3.0  # seconds: a killed worker's claims expire this soon
# Telegram messages per second overall (TELEGRAM_SENDS_PER_SECOND), the fake enforcing it: 2,000 take 21 s. (Until
# the outbox's sends skipped PTB's own 30/s limiter, two workers sent 60/s whatever this said; at a real 200/s two
# cores running the workers, the server and the fake delayed a request past the pace's room now and then.)
RATE = 100


@pytest.fixture
async def telegram():
    fake = await FakeBotApi(overall_limit=RATE).start()
    yield fake
    await fake.close()


@pytest.fixture
async def discord():
    async with discord_fake.FakeDiscord() as fake:
        yield fake


def iso_week_of(moment: datetime) -> str:
    """The ledger's label of the week a moment falls in."""
    return iso_week(moment.date())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """The processes of one test, stopped (SIGTERM, then SIGKILL) at the end; their logs kept in tmp_path."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder, self.env = folder, env
        self.processes: list[BotProcess] = []

    async def start(self, name: str, roles: str, **extra: str) -> BotProcess:
        process = await BotProcess(name, roles, {**self.env, **extra}, self.folder).start()
        self.processes.append(process)
        return process

    async def webhook(self, name: str) -> tuple[BotProcess, str]:
        port = free_port()
        process = await self.start(name, "telegram", TELEGRAM_WEBHOOK_URL="https://bot.example.org",
                                   TELEGRAM_WEBHOOK_SECRET=SECRET, TELEGRAM_WEBHOOK_LISTEN=f"127.0.0.1:{port}")
        return process, f"http://127.0.0.1:{port}{webhook_path(SECRET)}"

    async def close(self) -> None:
        await asyncio.gather(*(p.stop() for p in self.processes))


@pytest.fixture
async def cluster(tmp_path, pg_url, telegram, discord):
    env = {"DATABASE_URL": pg_url, "QUEUEWATCH_SECRET": "test-secret-0123456789", "QUEUEWATCH_FX_URL": "",
           "QUEUEWATCH_SECRET_FILE": str(tmp_path / "unused.key"), "LOG_LEVEL": "INFO",
           "TELEGRAM_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url,
           "DISCORD_TOKEN": discord_fake.TOKEN, "DISCORD_GUILD_IDS": str(discord_fake.GUILD_ID),
           "QW_TEST_DISCORD_PORT": str(discord.port), "TELEGRAM_SENDS_PER_SECOND": str(RATE),
           "QUEUEWATCH_LEADER_RETRY_SECONDS": "1", "QUEUEWATCH_OUTBOX_LEASE_SECONDS": str(LEASE),
           "DATABASE_POOL_SIZE": "3", "QUEUEWATCH_HTTP_PORT": "0"}  # a few connections each: the server is shared
    group = Cluster(tmp_path, env)
    yield group
    await group.close()


async def queue_messages(url: str, chats: range | list[int], platform: str = "telegram", kind: str = "user") -> None:
    """Queue one message to each chat, as the features do (straight into the shared outbox)."""
    db = await open_database(url)
    try:
        now = time.time()
        for chat in chats:
            await store.add(db, f"bulk:{platform}:{chat}", platform, kind, str(chat), "alerts", "bulk",
                            encode_reply(Reply(blocks=[f"message for {chat}"])), now)
    finally:
        await db.close()


def per_chat(telegram: FakeBotApi, chats: range) -> collections.Counter:
    wanted = set(chats)
    return collections.Counter(c.chat_id for c in telegram.sent() if c.chat_id in wanted)


async def test_webhook_receivers_and_a_discord_process_pool_reports_into_one_status(cluster, telegram, discord,
                                                                                     pg_url):
    (tg1, url1), (tg2, url2) = await cluster.webhook("telegram-1"), await cluster.webhook("telegram-2")
    dc = await cluster.start("discord", "discord")
    w1, w2 = await cluster.start("worker-1", "worker"), await cluster.start("worker-2", "worker")
    for process in (tg1, tg2):
        await process.wait_log("receiving webhook posts as")
    await dc.wait_log("connected to Discord as")
    for process in (w1, w2):
        await process.wait_log("outbox adapter started")
    assert len(telegram.of("setWebhook")) == 2 and telegram.of("getUpdates") == []

    # Reports through both platforms; Telegram posts some updates twice, and to both receivers.
    for n, member in enumerate((9001, 9002, 9003)):
        update = telegram.update(private_chat(member), user(member), "/report outlier drought")
        targets = [url1, url2] if n == 0 else [url1, url1] if n == 1 else [url2]
        for target in targets:
            assert await telegram.post_update(target, update, SECRET) == 200
    for member in (71, 72):
        await discord.interact(discord.command("report", {"platform": "outlier", "what": "drought"}, user_id=member),
                               timeout=20)
    await until(lambda: all(len(telegram.sent(m)) >= 1 for m in (9001, 9002, 9003)), 20, lambda: "no Telegram acks")
    await asyncio.sleep(0.5)
    assert [len(telegram.sent(m)) for m in (9001, 9002, 9003)] == [1, 1, 1]  # each update answered once
    db = await open_database(pg_url)
    try:
        row = await db.fetchone("SELECT count(*) FROM reports WHERE platform = 'outlier'")
        assert row[0] == 5
    finally:
        await db.close()
    ask = telegram.update(private_chat(9010), user(9010), "/status outlier")
    assert await telegram.post_update(url2, ask, SECRET) == 200
    [telegram_status] = await telegram.wait_sent(9010, timeout=20)
    answers = await discord.interact(discord.command("status", {"platform": "outlier"}, user_id=73), timeout=20)
    discord_status = " ".join(discord_fake.text_of(m) for m in discord_fake.messages(answers))
    # A worker delivers to Discord too, through a sending-only client (no gateway of its own).
    await queue_messages(pg_url, [discord_fake.CHANNEL_ID], platform="discord", kind="channel")
    await discord.wait_for(lambda: discord.calls_to("POST", rf"/channels/{discord_fake.CHANNEL_ID}/messages$"),
                           timeout=20)
    for status in (telegram_status.text, discord_status):
        # every report counted, whichever platform and receiver took it
        assert "n = 5" in status and "5 members reported no tasks" in status, status


async def test_two_workers_deliver_2000_messages_once_under_the_overall_limit(cluster, telegram, pg_url):
    w1, w2 = await cluster.start("worker-1", "worker"), await cluster.start("worker-2", "worker")
    for process in (w1, w2):
        await process.wait_log("outbox adapter started")
    chats = range(100_000, 102_000)
    await queue_messages(pg_url, chats)
    await until(lambda: len(per_chat(telegram, chats)) == len(chats), 90,
                lambda: f"delivered {len(per_chat(telegram, chats))} of {len(chats)}")
    await asyncio.sleep(0.5)
    counts = per_chat(telegram, chats)
    assert set(counts.values()) == {1}, "a message was sent twice"
    assert peak_per_second(sorted(c.at for c in telegram.sent())) <= RATE
    limited = [c for c in telegram.calls if c.status == 429]
    assert len(limited) <= 2, f"{len(limited)} sends hit Telegram's limit"  # only at a second's edge, if ever


async def test_a_killed_worker_leaves_nothing_lost_and_only_uncertain_sends_twice(cluster, telegram, pg_url):
    w1, w2 = await cluster.start("worker-1", "worker"), await cluster.start("worker-2", "worker")
    for process in (w1, w2):
        await process.wait_log("outbox adapter started")
    chats = range(200_000, 200_400)
    await queue_messages(pg_url, chats)
    await until(lambda: len(per_chat(telegram, chats)) >= 100, 60, lambda: "nothing delivered")
    telegram.delay("sendMessage", 1.0, times=40)  # sends arrive but are answered late: some in flight at the kill
    await asyncio.sleep(0.5)
    w1.kill()
    await until(lambda: len(per_chat(telegram, chats)) == len(chats), 60,
                lambda: f"delivered {len(per_chat(telegram, chats))} of {len(chats)} after the kill")
    await asyncio.sleep(LEASE + 1)  # the killed worker's leases expire; what they held is sent or marked
    db = await open_database(pg_url)
    try:
        rows = await db.fetchall("SELECT dest_id, state, uncertain FROM outbox WHERE origin_ref = 'bulk'")
    finally:
        await db.close()
    states = collections.Counter(row["state"] for row in rows)
    assert states["sent"] + states["unconfirmed"] == len(chats), states  # none lost, none stuck
    counts = per_chat(telegram, chats)
    twice = {chat for chat, n in counts.items() if n > 1}
    uncertain = {int(row["dest_id"]) for row in rows if row["uncertain"] > 0}
    assert uncertain, "the kill left no send in flight: the test did not test a kill mid-delivery"
    assert twice <= uncertain, "a message was sent twice without being marked uncertain"
    assert max(counts.values()) <= 2


async def test_the_scheduler_moves_to_another_worker_when_its_process_is_killed(cluster, telegram, pg_url):
    w1 = await cluster.start("worker-1", "worker")
    await w1.wait_log("now runs scheduler")
    w2 = await cluster.start("worker-2", "worker")
    await w2.wait_log("outbox adapter started")
    w1.kill()
    # A digest whose slot passed a minute ago: the surviving worker takes the scheduler over and posts it.
    now = datetime.now(UTC)
    slot = now - timedelta(minutes=1)
    chat = -1009988
    db = await open_database(pg_url)
    try:
        await digests.save_settings(db, digests.DigestSettings(
            f"telegram:{chat}", "telegram", str(chat), slot.weekday(), slot.strftime("%H:%M"), "UTC", True, None,
            None, int((now - timedelta(hours=1)).timestamp())))
    finally:
        await db.close()
    telegram._chats[chat] = group_chat(chat)
    await w2.wait_log("now runs scheduler", timeout=30)
    await until(lambda: telegram.sent(chat), 30, lambda: f"no digest posted:\n{w2.log()[-3000:]}")
    await asyncio.sleep(2.5)  # a second post would come within a tick or two
    w3 = await cluster.start("worker-3", "worker")  # a newcomer finds the week posted already
    await w3.wait_log("outbox adapter started")
    await asyncio.sleep(2.0)
    posts = telegram.sent(chat)
    texts = [c.text for c in posts]
    db = await open_database(pg_url)
    try:
        queued = await db.fetchall("SELECT key, state FROM outbox WHERE origin = 'digest'")
        posted = await digests.week_recorded(db, f"telegram:{chat}", iso_week_of(slot))
    finally:
        await db.close()
    assert [row["state"] for row in queued] == ["sent"] and posted  # the week's digest queued once, and sent
    assert len(posts) == len({c.text for c in posts}) and any("digest" in t.lower() for t in texts), texts
