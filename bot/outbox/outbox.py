"""The loss-free outbox: every message is queued under an idempotency key, then delivered through the
platform's Sender with per-platform pacing and retry with backoff for passing failures. On a permanent
failure the give-up handler registered for the message's origin kind is told (e.g. the digest switches
itself off); the outbox itself knows nothing of who sends through it.

Delivered once: each send first claims its message with a lease (one atomic UPDATE, so two processes never
both send it), every part of a multi-part message is recorded as it arrives (a retry resumes at the next
part), and the outcome is written with retries while the database is locked or full; an outcome that still
cannot be written is held in memory, and nothing more is sent until it is. A send whose outcome is unknown
(no answer in time) is marked uncertain, tried once more after a delay, and counted.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Literal, TypeVar

from bot.core.background import PeriodicService
from bot.core.delivery import (
    Destination,
    Origin,
    PermanentDeliveryError,
    RetryableDeliveryError,
    UncertainDeliveryError,
)
from bot.core.model import Button, Field, Image, Reply
from bot.core.ratelimit import Reservation, SendLimit
from storage import outbox as store
from storage.database import Executor

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12  # with backoff doubling from 2 s (capped at 30 min): about 3 hours of retrying
BACKOFF_BASE = 2.0
BACKOFF_CAP = 1800.0
# The furthest ahead the outbox ever schedules a try (a platform's Retry-After is capped to it): a time further
# ahead was written by a clock that ran fast, and is brought back to now.
HORIZON = 6 * 3600.0
BATCH = 500
POLL_SECONDS = 2.0
MAX_IN_FLIGHT = 8
SEND_TIMEOUT = 60.0  # seconds without an answer to one part before its outcome counts as unknown
LEASE_SECONDS = SEND_TIMEOUT + 60.0  # a claim outlives a part's send; renewed after each part
UNCERTAIN_DELAY = 120.0  # an unanswered send is tried once more after this long
RECORD_DELAYS = (0.1, 0.3, 1.0)  # real seconds between tries of a write the database refused (busy or full)
RECORD_PAUSE = 1.0  # seconds before the next round while an outcome is still unwritten
DRAIN_SECONDS = 10.0  # at shutdown, how long the sends in flight may take to finish
EPSILON = 1e-6  # clocks tick in microseconds; a smaller shortfall is no shortfall
MIN_SLEEP = 0.001

# Told when messages from one origin kind can never reach a destination: (app, destination, ref, reason).
GiveUpHandler = Callable[["App", Destination, str, str], Awaitable[None]]
T = TypeVar("T")


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


# The overall paces run a little under the platforms' limits: messages sent exactly 1/30 s apart arrive with the
# network's jitter, and a platform counting any one second would then see 31 now and then (a 429 that costs a
# second for every worker). At 96%, 31 turns span 30 / 28.8 = 1.042 s: a send may arrive up to 42 ms behind its
# turn (relative to the one 30 turns later) before a second holds 31. At 97% the room was 31 ms, and on two busy
# cores a request now and then took 36 ms from the worker's wake-up to the platform (the worker on time, the request
# held up in the HTTP client or the server's process): 31 in one second, a 429. The half-message burst lets a send
# whose turn came while the sender was busy (a database write, a late wake-up) be made up by the next, so the pace
# still holds on average (one process, in memory; the shared turns have no burst, see shared_limits).
JITTER_MARGIN = 0.96
OVERALL_BURST = 1.5

POLICIES: dict[str, PlatformPolicy] = {
    # Telegram: ~30 messages/s overall; 1/s per chat; and 20 in any minute per group: one every 3.05 s, no burst
    # (with a burst of b, a minute holds 60 / interval + b sends: a burst of 3 at one every 3 s let 22 through).
    "telegram": PlatformPolicy(Pace(30 * JITTER_MARGIN, OVERALL_BURST), (Pace(1, 1),),
                               (Pace(1, 1), Pace(1 / 3.05, 1))),
    # Discord: discord.py honours the per-route buckets; pace under the 50/s global limit and 5/5 s per channel.
    "discord": PlatformPolicy(Pace(40, 10), (Pace(1, 2),), (Pace(1, 2),)),
}
UNLIMITED = PlatformPolicy(None)


def policies_for(telegram_per_second: float) -> dict[str, PlatformPolicy]:
    """The platform limits, with Telegram's overall one as configured (TELEGRAM_SENDS_PER_SECOND)."""
    telegram = POLICIES["telegram"]
    rate = telegram_per_second * JITTER_MARGIN
    if telegram.overall is None or rate == telegram.overall.rate:
        return POLICIES
    return {**POLICIES, "telegram": replace(telegram, overall=Pace(rate, telegram.overall.burst))}
# With several processes (PostgreSQL): how far ahead a send to a busy destination may be booked; a destination
# that is busy for longer has its claim given back, and this process claims nothing more for it until it is free.
BOOK_AHEAD = 0.5
# While messages are due, each process keeps a platform's turns booked CLAIM_AHEAD seconds ahead of now: it claims
# the next CLAIM_BATCH messages (one statement) and books all their turns (one more) once the last turn it knows of
# is nearer than that. The turns are a claim and a booking ahead of the sends, so a process held up for a moment (a
# slow round trip on a busy machine) still has turns to send in; and one worker alone fills every turn. N processes
# keep at most about CLAIM_AHEAD + N * CLAIM_BATCH / rate seconds booked (each tops up only below CLAIM_AHEAD of
# what it knows, which is never more than there is).
CLAIM_AHEAD = 1.0
CLAIM_BATCH = 16
SHARED_IN_FLIGHT = 64  # claimed messages one process holds at once (waiting for their turns, or being sent)
# How far ahead a send may be booked on a platform's overall limit: the turns booked reach about CLAIM_AHEAD +
# N * CLAIM_BATCH / rate seconds ahead; further than this only after a 429 held the platform off, and then the
# platform is left alone.
OVERALL_AHEAD = 5.0
# A turn woken to later than this is booked anew (at most REBOOKS times): turns are booked 1/rate apart, and a
# platform counting any one second sees one too many once a send is late by more than the room the pace leaves
# (31 turns at 96% of 30/s span 1.042 s: 42 ms, shared with the request's own travel: 1-5 ms here, 12 ms at the
# 99th percentile on two busy cores, now and then 25-40 ms).
LATE_SECONDS = 0.015
REBOOKS = 3
MAX_SKIPPED = 1000  # busy destinations named in one claim (the rest may be claimed, and are given back)


def shared_limits(policy: PlatformPolicy, dest: Destination, name_of: Callable[[Destination], str]
                  ) -> tuple[list[SendLimit], list[SendLimit]]:
    """A destination's limits as SendLimits every process books under the same names: (the platform's overall
    ones, the destination's own ones, named by `name_of` so no chat id is stored). The overall limit has no burst:
    turns are booked ahead, exactly 1/rate apart, so no send is ever behind its turn for a burst to make up, and
    a burst would only spend the room left for a late one."""
    overall = [] if policy.overall is None else [SendLimit(dest.platform, policy.overall.rate, 1)]
    paces = policy.per_user if dest.kind == "user" else policy.per_channel
    own = name_of(dest)
    return overall, [SendLimit(f"{own}:{i}", pace.rate, pace.burst) for i, pace in enumerate(paces)]


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


@dataclass
class Outcome:
    """What became of one claimed send, to be written to the outbox (held in memory until it is)."""

    item: store.OutboxItem
    token: str
    kind: Literal["sent", "retry", "uncertain", "failed"]
    parts: int  # parts of the message known to have arrived
    next_at: float | None = None
    error: str = ""
    retry_after: float | None = None  # the platform asked for a pause of this many seconds


class _ProgressNotRecorded(Exception):
    """A part arrived but the database refused to record it: send no further part until it is."""


class Outbox:
    """Queues messages under idempotency keys and delivers them through `app.senders`."""

    def __init__(self, app: App, give_up: dict[str, GiveUpHandler] | None = None) -> None:
        self.app = app
        self.limits = RateLimits(policies_for(app.settings.telegram_sends_per_second))
        self.book_ahead = BOOK_AHEAD
        # Pacing through the limits every process shares (app.coordination), on real time: set by the runner when
        # several processes share the database. Otherwise in memory, on the injected clock and sleep.
        self.shared_limits = False
        self.give_up_handlers = dict(give_up or {})
        # Injected time: wall time (persisted next_at and leases) and the monotonic time that drives pacing both
        # come from the app clock; the sleep is replaced by simulated ones in tests and benchmarks.
        self.monotonic: Callable[[], float] = app.clock.monotonic
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.send_timeout = SEND_TIMEOUT
        self.lease_seconds = LEASE_SECONDS
        self._last_wall: float | None = None
        self.uncertain_delay = UNCERTAIN_DELAY
        self.record_delays: tuple[float, ...] = RECORD_DELAYS
        self.stopping = False
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self._round = asyncio.Lock()
        self._inflight: set[asyncio.Task] = set()
        self._unwritten: dict[int, Outcome] = {}  # item id -> an outcome the database refused so far
        # With shared limits: destinations (platform, kind, id) and platforms this process claims nothing for
        # until the loop time given (a busy chat, a platform held off after a 429).
        self._held: dict[tuple[str, str, str] | str, float] = {}
        self.rebooked = 0  # turns missed by more than LATE_SECONDS and booked anew
        # With shared limits: per platform, the wall time (time.time()) of the next turn free on its overall limit as
        # last booked here (others may have booked past it since); the shared round claims while it is near.
        self._booked_until: dict[str, float] = {}
        self._claim_wake = asyncio.Event()  # a shared send ended, something was queued, or the outbox is stopping
        self._wakes = 0  # times something was queued (a shared round looks again at the platforms it found empty)
        self._stopped = asyncio.Event()  # set while stopping: sends still waiting for their turn give them up

    def resume(self) -> None:
        """Deliver again after drain()."""
        self.stopping = False
        self._stopped.clear()

    def wall(self) -> float:
        """The current wall time in unix seconds (from the app clock)."""
        return self.app.clock.now().timestamp()

    async def enqueue(self, key: str, destination: Destination, reply: Reply, origin: Origin, topic: str = "",
                      db: Executor | None = None) -> bool:
        """Queue a reply for a destination; False (nothing queued) when the key was used before."""
        added = await store.add(db or self.app.db, key, destination.platform, destination.kind, destination.id,
                                origin.kind, origin.ref, encode_reply(reply), self.wall(), topic)
        if added:
            self.wake()
        return added

    async def backlog(self) -> int:
        """Messages waiting to be sent: queued, being sent, or to be tried again after no answer."""
        counts = await store.counts(self.app.db)
        return sum(counts.get(state, 0) for state in ("pending", "sending", "uncertain"))

    def wake(self) -> None:
        """Deliver soon (something was queued)."""
        self._wakes += 1
        self._wake.set()
        self._claim_wake.set()

    async def wait(self, seconds: float) -> None:
        """Wait up to `seconds`, or until something is queued."""
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancel that meets a wake-up.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, seconds)):
                await self._wake.wait()
        self._wake.clear()

    async def run_once(self, limit: int = BATCH) -> float:
        """Deliver what is due now, pacing each platform; returns how long to pause before the next call."""
        async with self._round:
            if self.stopping:
                return POLL_SECONDS
            if not await self.flush():
                return RECORD_PAUSE  # nothing more goes out before what went out is written down
            return await self._round_of(limit)

    def _clock_went_back(self) -> bool:
        """True at the first round and whenever the wall clock went back since the last one: then times written
        while it ran ahead (by this process or an earlier one) are brought back (a scan, so not every round)."""
        now, last = self.wall(), self._last_wall
        self._last_wall = now
        return last is None or now < last

    async def _round_of(self, limit: int) -> float:
        db = self.app.db
        platforms = sorted(self.app.senders)
        try:
            if platforms:
                if self._clock_went_back():
                    await self._retrying(lambda: store.bring_back_future(db, self.wall(), HORIZON))
                await self._retrying(lambda: store.reclaim_expired(db, self.wall()))
        except Exception as exc:
            if not store.is_transient(exc):
                raise
            log.warning("outbox: the database refused a write (%s); delivering again shortly", exc)
            return RECORD_PAUSE
        if self.shared_limits:
            return await self._shared_round(platforms, limit)
        items = await store.due(db, platforms, self.wall(), limit)
        started: list[asyncio.Task] = []
        dead: set[Destination] = set()
        dest_wait: float | None = None
        refused = False
        for item in items:
            dest = Destination(item.platform, item.dest_kind, item.dest_id)  # type: ignore[arg-type]
            if dest in dead or item.platform not in self.app.senders:
                continue
            overall, own = self.limits.waits(dest, self.monotonic())
            if own > overall and own > 0:
                dest_wait = own if dest_wait is None else min(dest_wait, own)
                continue  # this chat is busy; others may go now
            while overall > 0:
                await self.sleep(max(overall, MIN_SLEEP))
                overall, own = self.limits.waits(dest, self.monotonic())
            await self._slots.acquire()
            if self.stopping or self._unwritten:
                self._slots.release()
                break
            # The send's turn is taken now, before the claim's write: the next turn comes one interval from now,
            # not from the end of the write (a claim that then fails leaves one turn unused, nothing more).
            self.limits.take(dest, self.monotonic())
            try:
                token = await self._claim(item)
            except Exception as exc:
                self._slots.release()
                if not store.is_transient(exc):
                    raise
                log.warning("outbox: could not claim a message (%s); delivering again shortly", exc)
                refused = True
                break
            if token is None:  # another process claimed it first
                self._slots.release()
                continue
            task = asyncio.create_task(self._deliver(item, token, dest, dead))
            task.add_done_callback(self._finished)
            self._inflight.add(task)
            started.append(task)
        if started:
            await asyncio.gather(*started, return_exceptions=True)
        if refused or self._unwritten:
            return RECORD_PAUSE
        if len(items) >= limit:
            return 0.0
        if dest_wait is not None:
            return max(0.05, dest_wait)
        next_at = await store.next_due_at(db, platforms)
        return POLL_SECONDS if next_at is None else min(POLL_SECONDS, max(0.05, next_at - self.wall()))

    async def _shared_round(self, platforms: list[str], limit: int) -> float:
        """Several processes share the queue: claim due messages a batch at a time (rows another process is claiming
        are skipped, and so are destinations with a send in flight), book the whole batch's turns in the limits every
        process shares in one statement, and send each when its turn comes. Claims go on while sends are in flight,
        whenever a platform's booked turns come nearer than CLAIM_AHEAD, until nothing more is due (or `limit` were
        claimed); the sends are not waited for. A destination busy for longer than `book_ahead` gets its claim back
        and is left out of this process's claims until it is free (and so is a platform held off for longer than
        OVERALL_AHEAD)."""
        db = self.app.db
        loop = asyncio.get_running_loop()
        dead: set[Destination] = set()
        dest_wait: float | None = None
        claimed = 0
        refused = False
        emptied: set[str] = set()  # platforms with nothing more to claim (until something is queued)
        wakes = self._wakes
        while claimed < limit and not self.stopping and not self._unwritten:
            if self._wakes != wakes:  # queued meanwhile: maybe for a platform found empty
                emptied.clear()
                wakes = self._wakes
            ready, busy = self._unheld(platforms, loop.time())
            if not ready:  # every platform is held off (a 429 asked for a long pause): wait for the first to end
                held = [self._held[p] for p in platforms if p in self._held]
                dest_wait = min(held) - loop.time() if held else None
                break
            ready = [p for p in ready if p not in emptied]
            if not ready:
                break
            if len(self._inflight) >= SHARED_IN_FLIGHT:  # wait for a send to end
                await self._pause_claims(POLL_SECONDS)
                continue
            now, ahead = time.time(), self._claim_ahead()
            open_now = [p for p in ready if self._booked_until.get(p, 0.0) - now < ahead]
            if not open_now:  # enough turns booked ahead: wait until they run low
                nearest = min(self._booked_until.get(p, 0.0) for p in ready) - ahead - now
                await self._pause_claims(min(POLL_SECONDS, max(MIN_SLEEP, nearest)))
                continue
            room = SHARED_IN_FLIGHT - len(self._inflight)
            token = uuid.uuid4().hex
            now = self.wall()
            wanted = min(room, CLAIM_BATCH)
            try:
                items = await self._retrying(partial(store.claim_due, db, open_now, now, now + self.lease_seconds,
                                                     token, wanted, busy))
            except Exception as exc:
                if not store.is_transient(exc):
                    raise
                log.warning("outbox: could not claim messages (%s); delivering again shortly", exc)
                refused = True
                break
            if len(items) < wanted:  # nothing more is due for these now (or another process is claiming it)
                emptied.update(open_now)
            claimed += len(items)
            destinations = [Destination(item.platform, item.dest_kind, item.dest_id)  # type: ignore[arg-type]
                            for item in items]
            limits = [self._shared_limits(dest) for dest in destinations]
            reservations = await self._book(items, limits)
            for item, dest, (overall, _own), reservation in zip(items, destinations, limits, reservations,
                                                                 strict=True):
                if reservation is not None and reservation.booked:
                    at = self.app.coordination.local_time(reservation.at)
                    turn_after = at + (overall[0].interval if overall else 0.0)
                    self._booked_until[item.platform] = max(self._booked_until.get(item.platform, 0.0), turn_after)
                    task = asyncio.create_task(self._deliver(item, token, dest, dead, at=at))
                    task.add_done_callback(self._finished_shared)
                    self._inflight.add(task)
                    continue
                await self._give_back(item, token)
                if reservation is None:
                    refused = True
                    continue
                if reservation.destination_bound:
                    key: tuple[str, str, str] | str = (item.platform, item.dest_kind, item.dest_id)
                    wait = reservation.delay - self.book_ahead
                else:
                    key, wait = item.platform, reservation.delay - self._overall_ahead()
                if wait > 0:
                    self._held[key] = max(self._held.get(key, 0.0), loop.time() + wait)
                dest_wait = max(0.0, wait) if dest_wait is None else min(dest_wait, max(0.0, wait))
            if refused:
                break
        if refused or self._unwritten:
            return RECORD_PAUSE
        if claimed >= limit:
            return 0.0
        next_at = await store.next_due_at(db, platforms)
        pause = POLL_SECONDS if next_at is None else min(POLL_SECONDS, max(0.05, next_at - self.wall()))
        return pause if dest_wait is None else min(pause, max(0.05, dest_wait))

    def _claim_ahead(self) -> float:
        """How far ahead of now this process keeps turns booked: CLAIM_AHEAD, or less with a short lease (a claim
        waiting for its turn must never outlive its lease, or another process would take it as abandoned)."""
        return min(CLAIM_AHEAD, self.lease_seconds / 8)

    def _overall_ahead(self) -> float:
        """How far ahead a turn on a platform's overall limit may be booked: OVERALL_AHEAD, or less with a short
        lease (the wait for the turn and the send's own timeout both fit in the lease)."""
        return min(OVERALL_AHEAD, self.lease_seconds / 4)

    async def _pause_claims(self, seconds: float) -> None:
        """Wait up to `seconds` for a shared send to end (or the outbox to stop)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._claim_wake.wait()
        self._claim_wake.clear()

    def _unheld(self, platforms: list[str], now: float) -> tuple[list[str], list[tuple[str, str, str]]]:
        """(the platforms this process may claim for now, the destinations it leaves alone for now)."""
        for key in [key for key, until in self._held.items() if until <= now]:
            del self._held[key]
        busy = [key for key in self._held if isinstance(key, tuple)]
        return [p for p in platforms if p not in self._held], busy[:MAX_SKIPPED]

    def _shared_limits(self, dest: Destination) -> tuple[list[SendLimit], list[SendLimit]]:
        """The destination's limits as every process books them (see shared_limits)."""
        return shared_limits(self.limits.policies.get(dest.platform, UNLIMITED), dest, self._limit_name)

    async def _book(self, items: list[store.OutboxItem], limits: list[tuple[list[SendLimit], list[SendLimit]]]
                    ) -> list[Reservation | None]:
        """Book claimed items' turns under their shared limits (`_shared_limits` of each one's destination), all in one
        booking; None for each when the limits could not be reached. A platform already held off here is not asked
        (its answer would be no)."""
        reservations: list[Reservation | None] = [Reservation(False, 0.0)] * len(items)
        asked = [n for n, item in enumerate(items) if item.platform not in self._held]
        if not asked:
            return reservations
        try:
            booked = await self.app.coordination.reserve_many([limits[n] for n in asked],
                                                              self.book_ahead, self._overall_ahead())
        except Exception as exc:
            log.warning("outbox: could not book send turns (%s); delivering again shortly", exc)
            booked = [None] * len(asked)
        for n, reservation in zip(asked, booked, strict=True):
            reservations[n] = reservation
        return reservations

    async def _give_back(self, item: store.OutboxItem, token: str) -> None:
        """Give a claim back unsent, as it was."""
        try:
            await self._retrying(lambda: store.unclaim(self.app.db, item.id, token, item.state))
        except Exception as exc:  # the lease runs out and the item is taken up again, as uncertain
            log.warning("outbox: could not give back the claim on %s (%s)", item.key, exc)

    async def _await_turn(self, dest: Destination, at: float) -> bool:
        """Wait for a booked turn (`at`, on this process's wall clock, time.time()); False when the outbox began
        stopping meanwhile (the send is not made). A process that was held up (a busy machine) and wakes past its
        turn by more than LATE_SECONDS books a new one rather than sending with the next turns' sends close behind,
        which would crowd into one second more than the platform allows."""
        for rebooks in range(REBOOKS + 1):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, at - time.time())):
                    await self._stopped.wait()
            if self._stopped.is_set():
                return False
            late = time.time() - at
            if late <= LATE_SECONDS or rebooks == REBOOKS:
                return True
            self.rebooked += 1
            log.debug("outbox: woke %.0f ms past a send's turn; booking a new one", late * 1000)
            overall, own = self._shared_limits(dest)
            try:
                at = self.app.coordination.local_time((await self.app.coordination.rebook(overall, own)).at)
            except Exception as exc:
                log.warning("outbox: could not book a new turn (%s); sending late", exc)
                return True
        return True

    def _limit_name(self, dest: Destination) -> str:
        """A destination's name in the shared limits: a keyed hash, so the table holds no chat or member id."""
        return f"{dest.platform}:{self.app.unlinked_key('send-limit', f'{dest.kind}:{dest.id}')[:24]}"

    def _finished(self, task: asyncio.Task) -> None:
        self._inflight.discard(task)
        self._slots.release()

    def _finished_shared(self, task: asyncio.Task) -> None:
        self._inflight.discard(task)
        self._claim_wake.set()

    async def _claim(self, item: store.OutboxItem) -> str | None:
        """Claim an item for one send under a fresh token; None when another process got it first."""
        token = uuid.uuid4().hex
        now = self.wall()
        claimed = await self._retrying(lambda: store.claim(self.app.db, item.id, token, now, now + self.lease_seconds))
        return token if claimed else None

    async def _deliver(self, item: store.OutboxItem, token: str, dest: Destination, dead: set[Destination],
                       at: float | None = None) -> None:
        """Send a claimed item (at `at`, its booked turn on time.time(), when given) from its first missing part and
        write down what happened."""
        if at is not None and not await self._await_turn(dest, at):
            await self._give_back(item, token)  # stopping before its turn came: it goes out after the next start
            return
        sender = self.app.senders.get(item.platform)
        parts = item.parts_sent
        loop = asyncio.get_running_loop()
        deadline: asyncio.Timeout | None = None

        async def part_sent(count: int) -> None:
            nonlocal parts
            parts = max(parts, count)
            if deadline is not None:
                deadline.reschedule(None)  # the timeout is for the platform's answer, not for our own write
            try:
                await self._retrying(lambda: store.record_parts(self.app.db, item.id, token, parts,
                                                                self.wall() + self.lease_seconds))
            except Exception as exc:
                raise _ProgressNotRecorded(str(exc)) from exc
            if deadline is not None:
                deadline.reschedule(loop.time() + self.send_timeout)  # the timeout is per part

        permanent = False
        try:
            if sender is None:
                raise RetryableDeliveryError("the adapter stopped")
            async with asyncio.timeout(self.send_timeout) as deadline:  # no extra task: the send starts at once
                await sender.send(dest, decode_reply(item.payload), first_part=item.parts_sent, part_sent=part_sent)
        except PermanentDeliveryError as exc:
            dead.add(dest)
            permanent = True
            outcome = Outcome(item, token, "failed", parts, error=exc.reason)
        except (UncertainDeliveryError, TimeoutError) as exc:
            error = str(exc) or f"no answer within {self.send_timeout:g} s"
            outcome = self._uncertain(item, token, parts, error)
        except asyncio.CancelledError:  # shutting down mid-send: it may have gone out
            await self._settle(self._uncertain(item, token, parts, "stopped while sending; it may have arrived"))
            raise
        except _ProgressNotRecorded as exc:
            outcome = Outcome(item, token, "retry", parts, self.wall(), f"could not record progress: {exc}")
        except Exception as exc:  # RetryableDeliveryError and surprises are worth retrying
            outcome = self._retry(item, token, dest, parts, exc)
        else:
            outcome = Outcome(item, token, "sent", parts)
        self.app.metrics.deliveries.labels(outcome.kind).inc()
        await self._settle(outcome)
        if outcome.retry_after and self.shared_limits:
            overall, own = self._shared_limits(dest)
            try:
                await self.app.coordination.hold_off([*overall, *own], outcome.retry_after)
            except Exception as exc:
                log.warning("outbox: could not tell the other processes to hold off (%s)", exc)
        if permanent:
            await self._give_up(item, dest, outcome.error)

    def _uncertain(self, item: store.OutboxItem, token: str, parts: int, error: str) -> Outcome:
        log.warning("outbox item %s: %s; %s", item.key, error,
                    "trying once more later" if item.uncertain == 0 else "not trying again")
        return Outcome(item, token, "uncertain", parts, self.wall() + self.uncertain_delay, error)

    def _retry(self, item: store.OutboxItem, token: str, dest: Destination, parts: int, exc: Exception) -> Outcome:
        """The outcome of a passing failure: a retry after backoff (or Retry-After), or giving up."""
        retry_after = exc.retry_after if isinstance(exc, RetryableDeliveryError) else None
        if not isinstance(exc, RetryableDeliveryError):
            log.error("unexpected error delivering outbox item %s", item.key, exc_info=exc)
        attempts = item.attempts + 1
        if retry_after:
            self.limits.block(dest, self.monotonic(), retry_after)
        if attempts >= MAX_ATTEMPTS:
            log.warning("giving up on outbox item %s after %d attempts: %s", item.key, attempts, exc)
            return Outcome(item, token, "failed", parts, error=f"gave up after {attempts} attempts: {exc}")
        delay = min(retry_after, HORIZON) if retry_after else backoff(attempts)  # honour the platform's Retry-After
        return Outcome(item, token, "retry", parts, self.wall() + delay, str(exc) or type(exc).__name__,
                       retry_after=retry_after)

    async def _retrying(self, write: Callable[[], Awaitable[T]]) -> T:
        """Run a write, trying again after a short wait while the database is locked, busy or full."""
        for delay in (*self.record_delays, None):
            try:
                return await write()
            except Exception as exc:
                if delay is None or not store.is_transient(exc):
                    raise
                await asyncio.sleep(delay)  # real time: the lock is held by another process, in real time
        raise AssertionError("unreachable")

    async def _write(self, outcome: Outcome) -> None:
        db, item, token = self.app.db, outcome.item, outcome.token
        if outcome.kind == "sent":
            held = await store.mark_sent(db, item.id, token, self.wall(), outcome.parts)
        elif outcome.kind == "retry":
            held = await store.retry_later(db, item.id, token, outcome.next_at or self.wall(), outcome.error,
                                           outcome.parts)
        elif outcome.kind == "uncertain":
            held = await store.mark_uncertain(db, item.id, token, outcome.next_at or self.wall(), outcome.error,
                                              outcome.parts)
        else:
            held = await store.mark_failed(db, item.id, token, outcome.error, outcome.parts)
        if not held:
            log.warning("outbox item %s changed while it was being sent (another process took it over, or it was "
                        "deleted); not recorded as %s", item.key, outcome.kind)

    async def _settle(self, outcome: Outcome) -> None:
        """Write an outcome, retrying while the database refuses; hold it in memory if it still does."""
        try:
            await self._retrying(lambda: self._write(outcome))
        except asyncio.CancelledError:  # stopped while writing: drain() writes it before the process ends
            self._unwritten[outcome.item.id] = outcome
            raise
        except Exception as exc:
            log.warning("outbox item %s: could not record it as %s (%s); holding it until the database takes it",
                        outcome.item.key, outcome.kind, exc)
            self._unwritten[outcome.item.id] = outcome
        else:
            self._unwritten.pop(outcome.item.id, None)

    async def flush(self) -> bool:
        """Write the outcomes the database refused before; True when none is left."""
        for outcome in list(self._unwritten.values()):
            try:
                await self._write(outcome)
            except Exception as exc:
                log.warning("outbox: still cannot record %s as %s (%s)", outcome.item.key, outcome.kind, exc)
                return False
            del self._unwritten[outcome.item.id]
        return True

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Stop claiming; let the sends in flight finish within `timeout` (those still running then are
        cancelled and recorded as uncertain) and write every outcome held in memory."""
        self.stopping = True
        self._wake.set()
        self._claim_wake.set()
        self._stopped.set()  # shared sends still waiting for their turn give their claims back
        try:
            async with asyncio.timeout(timeout):
                async with self._round:
                    pass  # the round under way ends once its sends are done (a shared round: once it stops claiming)
                if self._inflight:
                    await asyncio.wait(list(self._inflight))
        except TimeoutError:
            for task in list(self._inflight):
                task.cancel()
            if self._inflight:
                await asyncio.wait(list(self._inflight))
        await self.flush()

    async def _give_up(self, item: store.OutboxItem, dest: Destination, reason: str) -> None:
        """A permanent failure: cancel others to the same place and tell the sender's handler."""
        log.warning("delivery to %s %s %s failed for good (%s); telling the %s sender",
                    dest.platform, dest.kind, dest.id, reason, item.origin)
        try:
            await self._retrying(lambda: store.cancel_destination(self.app.db, dest.platform, dest.kind, dest.id,
                                                                  reason))
            handler = self.give_up_handlers.get(item.origin)
            if handler is not None:
                await self._retrying(lambda: handler(self.app, dest, item.origin_ref, reason))
        except Exception:
            log.exception("outbox: could not record that %s %s %s is unreachable", dest.platform, dest.kind, dest.id)


class OutboxService(PeriodicService):
    """The runner service that keeps delivering the outbox until stopped; what is not yet sent stays
    queued for the next start, and a send in flight at shutdown is finished and recorded first."""

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

    async def start(self) -> None:
        """Begin delivering (again, after a stop)."""
        self.outbox.resume()
        await super().start()

    async def stop(self) -> None:
        """Let the sends in flight finish and be recorded, then stop the loop."""
        await self.outbox.drain()
        await super().stop()
