"""What processes sharing one database agree on: who runs a one-process job (the digest scheduler, the availability
refresh), the platforms' send limits, and waking idle workers when work is queued.

SQLite serves one process (storage/process_lock.py refuses a second), so its coordination is trivial: that process
leads every job and keeps the send limits in memory. PostgreSQL serves any number of processes: a job is led by the
process holding its session-level advisory lock (`pg_try_advisory_lock`; the server drops it the moment that
process's connection ends, however it ends), send limits live in the `send_limits` table (migration 0017) and are
booked atomically under row locks, and `NOTIFY queuewatch_outbox` (a trigger on the outbox) wakes listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.core.ratelimit import Reservation, SendLimit, held_off, rebook_slot, reserve_slots
from storage.shared import is_postgres

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "queuewatch_outbox"
LOCK_NAMESPACE = "queuewatch:"
# A limit whose arrival time is this far past counts as a new one (no turn is ever booked with so much room), so its
# row goes: one row per chat ever sent to would otherwise stay for good. Looked for every PRUNE_EVERY bookings.
STALE_SECONDS = 3600.0
PRUNE_EVERY = 2000
CLOCK_DRIFT = 1e-4  # seconds a second two clocks may drift apart (NTP keeps them far closer)


Booking = tuple[Sequence[SendLimit], Sequence[SendLimit]]  # one send's (overall limits, destination's own limits)


class Coordination(Protocol):
    """The interface every backend offers to the processes sharing its database."""

    shared: bool  # True when other processes may share the database (their limits and jobs are shared)

    async def lead(self, job: str) -> bool:
        """Become, or stay, the one process running `job`; False while another process runs it."""
        ...

    async def resign(self, job: str) -> None:
        """Stop running `job`, so another process may take it."""
        ...

    async def reserve(self, overall: Sequence[SendLimit], own: Sequence[SendLimit], max_wait: float,
                      max_overall_wait: float | None = None) -> Reservation:
        """Book the next send allowed by every limit if the destination's own limits allow it within `max_wait`
        seconds and the overall ones within `max_overall_wait` (default `max_wait`)."""
        ...

    async def reserve_many(self, requests: Sequence[Booking], max_wait: float,
                           max_overall_wait: float | None = None) -> list[Reservation]:
        """reserve() for several sends at once, in order, in one booking (one statement's locks on PostgreSQL)."""
        ...

    async def rebook(self, overall: Sequence[SendLimit], own: Sequence[SendLimit]) -> Reservation:
        """Book a new turn for a send that missed its booked one (see ratelimit.rebook_slot)."""
        ...

    def local_time(self, at: float) -> float:
        """A reservation's time (on the clock the limits are kept by) on this process's clock, time.time()."""
        ...

    async def hold_off(self, limits: Sequence[SendLimit], seconds: float) -> None:
        """Let nothing through these limits for `seconds` (the platform answered 429)."""
        ...

    async def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """Call `wake` whenever a notification on `channel` arrives (a no-op where nothing notifies)."""
        ...

    async def close(self) -> None:
        """Give up every job and close the connections."""
        ...


class LocalCoordination:
    """One process (SQLite): it leads every job and keeps the send limits in memory."""

    shared = False

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tats: dict[str, float] = {}

    async def lead(self, job: str) -> bool:
        """The only process leads every job."""
        return True

    async def resign(self, job: str) -> None:
        """Nothing to give up."""

    async def reserve(self, overall: Sequence[SendLimit], own: Sequence[SendLimit], max_wait: float,
                      max_overall_wait: float | None = None) -> Reservation:
        """Book a send slot in memory."""
        [reservation] = await self.reserve_many([(overall, own)], max_wait, max_overall_wait)
        return reservation

    async def reserve_many(self, requests: Sequence[Booking], max_wait: float,
                           max_overall_wait: float | None = None) -> list[Reservation]:
        """Book several send slots in memory, in order."""
        return reserve_slots(requests, self._tats, self._clock(), max_wait, max_overall_wait)

    async def rebook(self, overall: Sequence[SendLimit], own: Sequence[SendLimit]) -> Reservation:
        """Book a new turn in memory."""
        reservation, booked = rebook_slot(overall, own, self._tats, self._clock())
        self._tats.update(booked)
        return reservation

    def local_time(self, at: float) -> float:
        """The limits are kept on this process's clock."""
        return at

    async def hold_off(self, limits: Sequence[SendLimit], seconds: float) -> None:
        """Hold these limits in memory."""
        self._tats.update(held_off(limits, self._tats, self._clock() + seconds))

    async def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """Nothing to listen to: the one process wakes its own outbox when it queues."""

    async def close(self) -> None:
        """Nothing to close."""


def lock_key(job: str) -> int:
    """The advisory lock key (a signed 64-bit integer) of a job, the same in every process."""
    return int.from_bytes(hashlib.sha256(f"{LOCK_NAMESPACE}{job}".encode()).digest()[:8], "big", signed=True)


class PostgresCoordination:
    """Several processes on one PostgreSQL server: advisory locks, shared send limits, LISTEN/NOTIFY.

    Its own connections (not the pool's): an advisory lock belongs to the session that took it, so it needs a
    connection held for the life of the process; a listener needs one too.
    """

    shared = True

    def __init__(self, dsn: str, connect_timeout: float = 10.0) -> None:
        self._dsn = dsn
        self._timeout = connect_timeout
        self._locks = None  # the connection holding the advisory locks
        self._limits = None  # the connection booking send slots
        self._listener = None
        self._held: set[str] = set()
        self._guard = asyncio.Lock()
        self._limits_guard = asyncio.Lock()
        self._clock: tuple[float, float, float] | None = None  # the trusted clock reading: (trip, offset, when)
        self.prune_every = PRUNE_EVERY
        self._updates = 0

    async def _connect(self):
        import asyncpg

        return await asyncpg.connect(self._dsn, timeout=self._timeout)

    async def lead(self, job: str) -> bool:
        """Take the job's advisory lock, or check the connection holding it is still alive (if it was lost, so
        was the lock: another process may hold it now)."""
        async with self._guard:
            try:
                if self._locks is None or self._locks.is_closed():
                    self._held.clear()
                    self._locks = await self._connect()
                if job in self._held:
                    await self._locks.fetchval("SELECT 1")
                    return True
                if await self._locks.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(job)):
                    self._held.add(job)
                    log.info("this process now runs %s (the other processes leave it alone)", job)
                    return True
                return False
            except Exception as exc:  # the connection broke: every lock it held is gone with it
                log.warning("coordination: lost the connection holding the job locks (%s); trying again", exc)
                self._held.clear()
                await self._discard_locks()
                return False

    async def resign(self, job: str) -> None:
        """Release the job's advisory lock."""
        async with self._guard:
            if job in self._held and self._locks is not None and not self._locks.is_closed():
                with contextlib.suppress(Exception):
                    await self._locks.fetchval("SELECT pg_advisory_unlock($1)", lock_key(job))
            self._held.discard(job)

    async def _discard_locks(self) -> None:
        if self._locks is not None:
            with contextlib.suppress(Exception):
                self._locks.terminate()
        self._locks = None

    async def reserve(self, overall: Sequence[SendLimit], own: Sequence[SendLimit], max_wait: float,
                      max_overall_wait: float | None = None) -> Reservation:
        """Book a send slot in the `send_limits` table, under row locks (taken in name order, so two bookings
        never deadlock), timed by the server's clock (so the machines' clocks need not agree)."""
        [reservation] = await self.reserve_many([(overall, own)], max_wait, max_overall_wait)
        return reservation

    async def reserve_many(self, requests: Sequence[Booking], max_wait: float,
                           max_overall_wait: float | None = None) -> list[Reservation]:
        """Book several send slots, in order, in one transaction of the `send_limits` table: a claimed batch's turns
        cost one booking, not one each."""
        if not requests:
            return []
        names = sorted({limit.name for overall, own in requests for limit in (*overall, *own)})

        def decide(tats: dict[str, float], now: float) -> tuple[list[Reservation], dict[str, float]]:
            booked = dict(tats)
            reservations = reserve_slots(requests, booked, now, max_wait, max_overall_wait)
            return reservations, {name: tat for name, tat in booked.items() if tats.get(name) != tat}

        return await self._update(names, decide)

    async def rebook(self, overall: Sequence[SendLimit], own: Sequence[SendLimit]) -> Reservation:
        """Book a new turn for a send that missed its booked one, in the `send_limits` table."""
        return await self._update(sorted({limit.name for limit in (*overall, *own)}),
                                  lambda tats, now: rebook_slot(overall, own, tats, now))

    async def hold_off(self, limits: Sequence[SendLimit], seconds: float) -> None:
        """Move these limits' arrival times past now + `seconds` for every process."""

        def decide(tats: dict[str, float], now: float) -> tuple[None, dict[str, float]]:
            return None, held_off(limits, tats, now + seconds)

        await self._update(sorted({limit.name for limit in limits}), decide)

    def local_time(self, at: float) -> float:
        """A time on the server's clock on this process's clock, by the offset between them: each booking reads
        the server's time, and the offset is that time less the middle of the round trip that read it. The quickest
        trip is trusted (its error is at most half of it: well under a millisecond on a local network), until a
        later one is about as quick (the clocks drift apart by a fraction of a millisecond a second at most)."""
        return at - (self._clock[1] if self._clock is not None else 0.0)

    async def _server_now(self, conn) -> float:
        """The server's clock, read after the row locks are held (a booking may wait for them), and one sample of
        its offset from this process's clock."""
        sent = time.time()
        now = await conn.fetchval("SELECT extract(epoch FROM clock_timestamp())::float8")
        back = time.time()
        trip, best = back - sent, self._clock
        if best is None or trip <= best[0] + (back - best[2]) * CLOCK_DRIFT:
            self._clock = (trip, now - (sent + back) / 2, back)
        return now

    async def _update(self, names: list[str], decide):
        async with self._limits_guard:
            if self._limits is None or self._limits.is_closed():
                self._limits = await self._connect()
            conn = self._limits
            try:
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO send_limits (name, tat) SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING",
                        names)
                    rows = await conn.fetch(
                        "SELECT name, tat FROM send_limits WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE",
                        names)
                    now = await self._server_now(conn)
                    result, new = decide({row["name"]: row["tat"] for row in rows}, now)
                    if new:
                        await conn.execute(
                            "UPDATE send_limits SET tat = v.tat FROM unnest($1::text[], $2::float8[]) AS v(name, tat) "
                            "WHERE send_limits.name = v.name", list(new), list(new.values()))
                self._updates += 1
                if self._updates % self.prune_every == 0:
                    await conn.execute("DELETE FROM send_limits WHERE tat < $1", now - STALE_SECONDS)
                return result
            except Exception:
                if conn.is_closed():
                    self._limits = None
                raise

    async def listen(self, channel: str, wake: Callable[[], None]) -> None:
        """LISTEN on a connection of its own; should it break, polling still finds the work (a little later)."""
        if self._listener is None or self._listener.is_closed():
            self._listener = await self._connect()
        await self._listener.add_listener(channel, lambda *_args: wake())

    async def close(self) -> None:
        """Close every connection (which releases the advisory locks)."""
        for conn in (self._locks, self._limits, self._listener):
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), timeout=5)
        self._locks = self._limits = self._listener = None
        self._held.clear()


def open_coordination(database_url: str) -> Coordination:
    """The coordination of the backend a DATABASE_URL names."""
    if is_postgres(database_url):
        return PostgresCoordination(database_url)
    return LocalCoordination()
