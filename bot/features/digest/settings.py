"""Each community's digest schedule and channel, and what went wrong with its delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.delivery import Destination
from bot.core.feature import Person
from storage import digests, outbox
from storage.database import Row
from storage.digests import DigestSettings

if TYPE_CHECKING:
    from bot.wiring import App

__all__ = ["DigestSettings"]

DATA_KEPT = ((
    "Digest",
    "if you are a moderator and turned a community's weekly digest off: your keyed hash on that setting "
    "(shown as \"a moderator\")",
),)


async def settings_of(app: App, community: str) -> DigestSettings | None:
    """A community's digest settings, or None when it never set one up."""
    return await digests.get_settings(app.db, community)


async def save(app: App, settings: DigestSettings) -> None:
    """Create or replace a community's digest settings (turning it back on)."""
    await digests.save_settings(app.db, settings)


async def turn_off(app: App, community: str, reason: str, at: int, by: str | None = None) -> None:
    """Stop a community's scheduled digest, recording why and who (a keyed hash, never a name)."""
    await digests.disable_digest(app.db, community, reason, at, by)


async def forget_digest_actions(app: App, person: Person) -> list[tuple[str, int]]:
    """Unlink a moderator from the digests they turned off (the digest stays off)."""
    return [("digests you turned off (no longer linked to you)", await digests.forget_disabler(app.db, person.key))]


async def last_failure(app: App, community: str) -> Row | None:
    """The newest digest delivery to this community that failed for good, or None."""
    rows = await outbox.failures(app.db, "digest", community, limit=1)
    return rows[0] if rows else None


async def digest_undeliverable(app: App, destination: Destination, community: str, reason: str) -> None:
    """The outbox cannot reach a community's digest channel any more: switch the schedule off, saying why."""
    await digests.disable_digest(app.db, community, reason, unix(app.clock.now()))
