"""Test fakes for digests and delivery: an in-process Sender, simulated time, and report/event builders."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.clock import ManualClock, unix
from bot.core.delivery import Destination, PartSent, PermanentDeliveryError, RetryableDeliveryError
from bot.core.model import Reply
from bot.outbox.outbox import Outbox
from bot.wiring import App
from storage import aggregates


@dataclass
class FakeSender:
    """Records every delivery; `script` holds exceptions to raise on the next calls (None = succeed)."""

    clock: ManualClock | None = None
    script: list[Exception | None] = field(default_factory=list)
    delivered: list[tuple[Destination, Reply, datetime | None]] = field(default_factory=list)
    calls: int = 0

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Deliver (the reply is one part), or raise what the script says."""
        self.calls += 1
        if self.script:
            outcome = self.script.pop(0)
            if outcome is not None:
                raise outcome
        if first_part > 0:
            return  # delivered by an earlier attempt
        self.delivered.append((destination, reply, self.clock.now() if self.clock else None))
        if part_sent is not None:
            await part_sent(1)

    def titles(self) -> list[str | None]:
        """The titles of everything delivered, in order."""
        return [reply.title for _dest, reply, _at in self.delivered]


def blocked() -> PermanentDeliveryError:
    """What a Telegram adapter raises for a 403 "bot was blocked by the user"."""
    return PermanentDeliveryError("the member blocked the bot (Telegram 403)")


def too_many(retry_after: float = 5) -> RetryableDeliveryError:
    """A 429 with Retry-After."""
    return RetryableDeliveryError("429 Too Many Requests", retry_after=retry_after)


def manual_outbox(app: App, clock: ManualClock) -> Outbox:
    """The app's outbox, pacing on the manual clock (a sleep moves the clock instead of waiting)."""
    outbox = app.outbox

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)  # like a real sleep, let the sends already started run first
        clock.advance(seconds=seconds)

    outbox.sleep = sleep
    return outbox


async def add_reports(app: App, rows: Iterable[dict]) -> None:
    """Insert report rows directly (defaults fill what a scenario does not care about)."""
    defaults = {"project": "", "community": None, "hourly_usd": None, "role": None, "hidden": 0}
    prepared = []
    for number, row in enumerate(rows):
        data = {**defaults, **row}
        at = int(data.pop("at"))
        prepared.append((data["reporter"], data["platform"], data["kind"], data["project"], at + number, at, at,
                         data["community"], data["hourly_usd"], data["role"], data["hidden"]))
    await app.db.executemany(
        "INSERT INTO reports (reporter, platform, kind, project, window_start, created_at, updated_at, community, "
        "hourly_usd, role, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        prepared,
    )
    await aggregates.rebuild(app.db)  # written around storage/reports.py, which keeps the aggregates


async def add_event(app: App, platform: str, old: str, new: str, at: datetime | int, reporters: int = 4,
                    project: str = "") -> int:
    """Insert a status change; returns its id."""
    when = unix(at) if isinstance(at, datetime) else at
    return await app.db.execute(
        "INSERT INTO status_events (platform, project, old_state, new_state, at, reporters, confidence) "
        "VALUES (?, ?, ?, ?, ?, ?, 0.8)",
        (platform, project, old, new, when, reporters),
    )


async def outbox_rows(app: App) -> list:
    """Every outbox row, oldest first."""
    return await app.db.fetchall("SELECT * FROM outbox ORDER BY id")
