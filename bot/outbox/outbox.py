"""The loss-free outbox: every message is queued under an idempotency key, then delivered through the
platform's Sender with per-platform pacing and retry with backoff for passing failures. On a permanent
failure the give-up handler registered for the message's origin kind is told (e.g. the digest switches
itself off); the outbox itself knows nothing of who sends through it."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.background import PeriodicService
from bot.core.delivery import Destination, Origin, PermanentDeliveryError, RetryableDeliveryError
from bot.core.model import Button, Field, Image, Reply
from storage import outbox as store
from storage.database import Executor

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # with backoff doubling from 2 s (capped at 30 min): about 3 hours of retrying
BACKOFF_BASE = 2.0
BACKOFF_CAP = 1800.0
BATCH = 500
POLL_SECONDS = 2.0
MAX_IN_FLIGHT = 8
SEND_TIMEOUT = 60.0
EPSILON = 1e-6  # clocks tick in microseconds; a smaller shortfall is no shortfall
MIN_SLEEP = 0.001

# Told when messages from one origin kind can never reach a destination: (app, destination, ref, reason).
GiveUpHandler = Callable[["App", Destination, str, str], Awaitable[None]]


def encode_reply(reply: Reply) -> str:
    """A reply as JSON for the outbox (the image as base64)."""
    image = None
    if reply.image is not None:
        image = {"data": base64.b64encode(reply.image.data).decode(), "alt_text": reply.image.alt_text,
                 "filename": reply.image.filename}
    return json.dumps({
        "title": reply.title, "blocks": reply.blocks, "footer": reply.footer, "image": image,
        "fields": [[f.name, f.value, f.inline] for f in reply.fields],
        "buttons": [[b.label, b.command, b.args, b.style] for b in reply.buttons],
    })


def decode_reply(payload: str) -> Reply:
    """The reply stored by encode_reply."""
    data = json.loads(payload)
    image = data["image"]
    return Reply(
        title=data["title"], blocks=data["blocks"], footer=data["footer"],
        fields=[Field(name, value, inline) for name, value, inline in data["fields"]],
        buttons=[Button(label, command, args, style) for label, command, args, style in data["buttons"]],
        image=None if image is None else Image(base64.b64decode(image["data"]), image["alt_text"], image["filename"]),
    )


class TokenBucket:
    """`rate` events per second on average, at most `burst` at once; time is passed in."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.last = now
        self.blocked_until = 0.0

    def _refill(self, now: float) -> None:
        if now > self.last:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now

    def wait(self, now: float) -> float:
        """Seconds until one event is allowed (0 when it is allowed now)."""
        self._refill(now)
        blocked = max(0.0, self.blocked_until - now)
        return max(blocked, 0.0 if self.tokens >= 1 - EPSILON else (1 - self.tokens) / self.rate)

    def take(self, now: float) -> None:
        """Spend one event."""
        self._refill(now)
        self.tokens -= 1

    def block(self, now: float, seconds: float) -> None:
        """Allow nothing for `seconds` (the platform said 429)."""
        self.blocked_until = max(self.blocked_until, now + seconds)


@dataclass(frozen=True)
class Pace:
    """A rate limit: `rate` per second, `burst` at once."""

    rate: float
    burst: float


@dataclass(frozen=True)
class PlatformPolicy:
    """A platform's limits: overall, and per private chat and per group or channel (each may have several)."""

    overall: Pace | None
    per_user: tuple[Pace, ...] = ()
    per_channel: tuple[Pace, ...] = ()


POLICIES: dict[str, PlatformPolicy] = {
    # Telegram: ~30 messages/s overall; 1/s per chat; and 20/min per group.
    "telegram": PlatformPolicy(Pace(30, 1), (Pace(1, 1),), (Pace(1, 1), Pace(20 / 60, 3))),
    # Discord: discord.py honours the per-route buckets; pace under the 50/s global limit and 5/5 s per channel.
    "discord": PlatformPolicy(Pace(40, 10), (Pace(1, 2),), (Pace(1, 2),)),
}
UNLIMITED = PlatformPolicy(None)


class RateLimits:
    """Token buckets per platform (overall) and per destination, on an injected monotonic clock."""

    def __init__(self, policies: dict[str, PlatformPolicy] | None = None) -> None:
        self.policies = POLICIES if policies is None else policies
        self._overall: dict[str, TokenBucket] = {}
        self._per_dest: dict[Destination, list[TokenBucket]] = {}

    def _buckets(self, dest: Destination, now: float) -> tuple[TokenBucket | None, list[TokenBucket]]:
        policy = self.policies.get(dest.platform, UNLIMITED)
        overall = None
        if policy.overall is not None:
            overall = self._overall.get(dest.platform)
            if overall is None:
                overall = self._overall[dest.platform] = TokenBucket(policy.overall.rate, policy.overall.burst, now)
        per_dest = self._per_dest.get(dest)
        if per_dest is None:
            paces = policy.per_user if dest.kind == "user" else policy.per_channel
            if len(self._per_dest) > 50_000:
                self._prune(now)
            per_dest = self._per_dest[dest] = [TokenBucket(p.rate, p.burst, now) for p in paces]
        return overall, per_dest

    def waits(self, dest: Destination, now: float) -> tuple[float, float]:
        """(seconds until the platform allows a send, seconds until this destination does)."""
        overall, per_dest = self._buckets(dest, now)
        return (overall.wait(now) if overall else 0.0), max((b.wait(now) for b in per_dest), default=0.0)

    def take(self, dest: Destination, now: float) -> None:
        """Spend one send to this destination."""
        overall, per_dest = self._buckets(dest, now)
        for bucket in [overall, *per_dest] if overall else per_dest:
            bucket.take(now)

    def block(self, dest: Destination, now: float, seconds: float) -> None:
        """A 429: pause this destination, and the platform as a whole, for `seconds`."""
        overall, per_dest = self._buckets(dest, now)
        for bucket in [overall, *per_dest] if overall else per_dest:
            bucket.block(now, seconds)

    def _prune(self, now: float) -> None:
        """Forget full, unblocked buckets (they behave exactly like new ones)."""
        idle = [d for d, buckets in self._per_dest.items()
                if all(b.wait(now) == 0 and b.tokens >= b.burst for b in buckets)]
        for dest in idle:
            del self._per_dest[dest]


def backoff(attempts: int) -> float:
    """Seconds to wait after the n-th failed attempt: 2, 4, 8 ... capped at 30 minutes."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))


class Outbox:
    """Queues messages under idempotency keys and delivers them through `app.senders`."""

    def __init__(self, app: App, give_up: dict[str, GiveUpHandler] | None = None) -> None:
        self.app = app
        self.limits = RateLimits()
        self.give_up_handlers = dict(give_up or {})
        # Injected time: wall time (persisted next_at) and the monotonic time that drives pacing both come
        # from the app clock; the sleep is replaced by simulated ones in tests and benchmarks.
        self.monotonic: Callable[[], float] = app.clock.monotonic
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)

    def wall(self) -> float:
        """The current wall time in unix seconds (from the app clock)."""
        return self.app.clock.now().timestamp()

    async def enqueue(self, key: str, destination: Destination, reply: Reply, origin: Origin, topic: str = "",
                      db: Executor | None = None) -> bool:
        """Queue a reply for a destination; False (nothing queued) when the key was used before."""
        added = await store.add(db or self.app.db, key, destination.platform, destination.kind, destination.id,
                                origin.kind, origin.ref, encode_reply(reply), self.wall(), topic)
        if added:
            self._wake.set()
        return added

    def wake(self) -> None:
        """Deliver soon (something was queued)."""
        self._wake.set()

    async def wait(self, seconds: float) -> None:
        """Wait up to `seconds`, or until something is queued."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))
        self._wake.clear()

    async def run_once(self, limit: int = BATCH) -> float:
        """Deliver what is due now, pacing each platform; returns how long to pause before the next call."""
        platforms = sorted(self.app.senders)
        items = await store.due(self.app.db, platforms, self.wall(), limit)
        pending: set[asyncio.Task] = set()
        dead: set[Destination] = set()
        dest_wait: float | None = None
        for item in items:
            dest = Destination(item.platform, item.dest_kind, item.dest_id)  # type: ignore[arg-type]
            if dest in dead:
                continue
            overall, own = self.limits.waits(dest, self.monotonic())
            if own > overall and own > 0:
                dest_wait = own if dest_wait is None else min(dest_wait, own)
                continue  # this chat is busy; others may go now
            while overall > 0:
                await self.sleep(max(overall, MIN_SLEEP))
                overall, own = self.limits.waits(dest, self.monotonic())
            self.limits.take(dest, self.monotonic())
            await self._slots.acquire()
            task = asyncio.create_task(self._deliver(item, dest, dead))
            task.add_done_callback(lambda _t: self._slots.release())
            pending.add(task)
            pending = {t for t in pending if not t.done()}
        if pending:
            await asyncio.gather(*pending)
        if len(items) >= limit:
            return 0.0
        if dest_wait is not None:
            return max(0.05, dest_wait)
        next_at = await store.next_due_at(self.app.db, platforms)
        return POLL_SECONDS if next_at is None else min(POLL_SECONDS, max(0.05, next_at - self.wall()))

    async def _deliver(self, item: store.OutboxItem, dest: Destination, dead: set[Destination]) -> None:
        db = self.app.db
        sender = self.app.senders.get(item.platform)
        if sender is None:
            return  # the adapter stopped meanwhile; the item stays pending
        try:
            async with asyncio.timeout(SEND_TIMEOUT):  # no extra task: the send starts at once
                await sender.send(dest, decode_reply(item.payload))
        except PermanentDeliveryError as exc:
            dead.add(dest)
            await self._give_up(item, dest, exc.reason)
        except Exception as exc:  # RetryableDeliveryError, timeouts and surprises are all worth retrying
            retry_after = exc.retry_after if isinstance(exc, RetryableDeliveryError) else None
            if not isinstance(exc, RetryableDeliveryError | TimeoutError):
                log.exception("unexpected error delivering outbox item %s", item.key)
            attempts = item.attempts + 1
            if retry_after:
                self.limits.block(dest, self.monotonic(), retry_after)
            if attempts >= MAX_ATTEMPTS:
                log.warning("giving up on outbox item %s after %d attempts: %s", item.key, attempts, exc)
                await store.mark_failed(db, item.id, f"gave up after {attempts} attempts: {exc}")
                return
            delay = retry_after if retry_after else backoff(attempts)  # honour the platform's Retry-After
            await store.retry_later(db, item.id, self.wall() + delay, str(exc) or type(exc).__name__)
        else:
            await store.mark_sent(db, item.id, self.wall())

    async def _give_up(self, item: store.OutboxItem, dest: Destination, reason: str) -> None:
        """A permanent failure: fail the item, cancel others to the same place, tell the sender's handler."""
        log.warning("delivery to %s %s %s failed for good (%s); telling the %s sender",
                    dest.platform, dest.kind, dest.id, reason, item.origin)
        db = self.app.db
        await store.mark_failed(db, item.id, reason)
        await store.cancel_destination(db, dest.platform, dest.kind, dest.id, reason)
        handler = self.give_up_handlers.get(item.origin)
        if handler is not None:
            await handler(self.app, dest, item.origin_ref, reason)


class OutboxService(PeriodicService):
    """The runner service that keeps delivering the outbox until stopped; what is not yet sent stays
    queued for the next start."""

    name = "outbox"
    retry_seconds = 5.0

    def __init__(self, app: App) -> None:
        super().__init__()
        self.outbox = app.outbox

    async def run_once(self) -> float:
        """Deliver what is due."""
        return await self.outbox.run_once()

    async def pause(self, seconds: float) -> None:
        """Pause, waking early when something is queued."""
        await self.outbox.wait(seconds)
