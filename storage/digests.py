"""Digest settings per community, the ledger of posted weeks, and the last manual post that failed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.database import Executor, Row
from storage.outbox import insert_new


@dataclass(frozen=True)
class DigestSettings:
    """Where and when a community's weekly digest is posted."""

    community: str
    platform: str
    channel_id: str
    weekday: int
    local_time: str
    timezone: str
    enabled: bool
    disabled_reason: str | None
    disabled_at: int | None
    updated_at: int
    disabled_by: str | None = None  # keyed hash of the moderator who turned it off (None: the bot, or unknown)

    @classmethod
    def from_row(cls, row: Row) -> DigestSettings:
        """Build from a digest_settings row."""
        return cls(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (sqlite3.Row)


async def save_settings(db: Executor, settings: DigestSettings) -> None:
    """Create or replace a community's digest settings (turning it back on)."""
    await db.execute(
        "INSERT INTO digest_settings (community, platform, channel_id, weekday, local_time, timezone, enabled, "
        "disabled_reason, disabled_at, disabled_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (community) DO UPDATE SET platform = excluded.platform, channel_id = excluded.channel_id, "
        "weekday = excluded.weekday, local_time = excluded.local_time, timezone = excluded.timezone, "
        "enabled = excluded.enabled, disabled_reason = excluded.disabled_reason, "
        "disabled_at = excluded.disabled_at, disabled_by = excluded.disabled_by, updated_at = excluded.updated_at",
        (settings.community, settings.platform, settings.channel_id, settings.weekday, settings.local_time,
         settings.timezone, int(settings.enabled), settings.disabled_reason, settings.disabled_at,
         settings.disabled_by, settings.updated_at),
    )


async def get_settings(db: Executor, community: str) -> DigestSettings | None:
    """A community's digest settings, or None."""
    row = await db.fetchone("SELECT * FROM digest_settings WHERE community = ?", (community,))
    return None if row is None else DigestSettings.from_row(row)


async def enabled_settings(db: Executor) -> list[DigestSettings]:
    """Every community whose weekly digest is on."""
    rows = await db.fetchall("SELECT * FROM digest_settings WHERE enabled = 1 ORDER BY community")
    return [DigestSettings.from_row(row) for row in rows]


async def clamp_updated_at(db: Executor, community: str, at: int) -> None:
    """Bring a settings time stamped later than `at` (by a clock that ran ahead) back to `at`."""
    await db.execute("UPDATE digest_settings SET updated_at = ? WHERE community = ? AND updated_at > ?",
                     (at, community, at))


async def disable_digest(db: Executor, community: str, reason: str, at: int, by: str | None = None) -> None:
    """Stop a community's digest and record why, and who (a keyed hash; None: the bot itself)."""
    await db.execute(
        "UPDATE digest_settings SET enabled = 0, disabled_reason = ?, disabled_at = ?, disabled_by = ? "
        "WHERE community = ?",
        (reason, at, by, community),
    )


async def forget_disabler(db: Executor, person_key: str) -> int:
    """Unlink a person from the digests they turned off; returns how many."""
    return await db.execute("UPDATE digest_settings SET disabled_by = NULL WHERE disabled_by = ?", (person_key,))


async def record_week(db: Executor, community: str, iso_week: str, slot_at: int, outcome: str, now: int) -> bool:
    """Claim a community's ISO week in the ledger; False if it was already claimed."""
    return await insert_new(
        db, "SELECT 1 FROM digest_ledger WHERE community = ? AND iso_week = ?",
        "INSERT INTO digest_ledger (community, iso_week, slot_at, outcome, recorded_at) VALUES (?, ?, ?, ?, ?)",
        (community, iso_week), (community, iso_week, slot_at, outcome, now),
    )


async def week_recorded(db: Executor, community: str, iso_week: str) -> bool:
    """True when the scheduled digest of that week was already queued or skipped."""
    row = await db.fetchone(
        "SELECT 1 FROM digest_ledger WHERE community = ? AND iso_week = ?", (community, iso_week)
    )
    return row is not None


def _post_failure_key(community: str) -> str:
    return f"digest_post_failure:{community}"


@dataclass(frozen=True)
class PostFailure:
    """Why a manual digest post could not be delivered: on which platform, the platform's reason, and when."""

    platform: str
    reason: str
    at: int


async def record_post_failure(db: Executor, community: str, failure: PostFailure) -> None:
    """Remember why a community's manual digest post could not be delivered (replacing an older failure)."""
    value = json.dumps({"platform": failure.platform, "reason": failure.reason[:500], "at": failure.at})
    await db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_post_failure_key(community), value),
    )


async def post_failure(db: Executor, community: str) -> PostFailure | None:
    """The community's last manual post that could not be delivered, or None."""
    row = await db.fetchone("SELECT value FROM meta WHERE key = ?", (_post_failure_key(community),))
    return None if row is None else PostFailure(**json.loads(row[0]))


async def clear_post_failure(db: Executor, community: str) -> None:
    """Forget the last failed manual post (a new one is on its way)."""
    await db.execute("DELETE FROM meta WHERE key = ?", (_post_failure_key(community),))
