"""Digest settings, the posted-digest ledger, alert subscriptions and alert channels."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Executor, Row
from storage.outbox import insert_new

ALERT_KINDS = ("drought_ended", "project_ended", "payment_problems")


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

    @classmethod
    def from_row(cls, row: Row) -> DigestSettings:
        """Build from a digest_settings row."""
        return cls(**{key: row[key] for key in row.keys()})  # noqa: SIM118 (sqlite3.Row)


@dataclass(frozen=True)
class Subscription:
    """A member's alerts for one gig platform."""

    platform: str
    user_id: str
    gig_platform: str
    events: tuple[str, ...]
    enabled: bool
    disabled_reason: str | None


@dataclass(frozen=True)
class AlertChannel:
    """A community channel that receives status-change alerts."""

    community: str
    platform: str
    channel_id: str
    enabled: bool
    disabled_reason: str | None


async def save_settings(db: Executor, settings: DigestSettings) -> None:
    """Create or replace a community's digest settings (turning it back on)."""
    await db.execute(
        "INSERT INTO digest_settings (community, platform, channel_id, weekday, local_time, timezone, enabled, "
        "disabled_reason, disabled_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (community) DO UPDATE SET platform = excluded.platform, channel_id = excluded.channel_id, "
        "weekday = excluded.weekday, local_time = excluded.local_time, timezone = excluded.timezone, "
        "enabled = excluded.enabled, disabled_reason = excluded.disabled_reason, "
        "disabled_at = excluded.disabled_at, updated_at = excluded.updated_at",
        (settings.community, settings.platform, settings.channel_id, settings.weekday, settings.local_time,
         settings.timezone, int(settings.enabled), settings.disabled_reason, settings.disabled_at,
         settings.updated_at),
    )


async def get_settings(db: Executor, community: str) -> DigestSettings | None:
    """A community's digest settings, or None."""
    row = await db.fetchone("SELECT * FROM digest_settings WHERE community = ?", (community,))
    return None if row is None else DigestSettings.from_row(row)


async def enabled_settings(db: Executor) -> list[DigestSettings]:
    """Every community whose weekly digest is on."""
    rows = await db.fetchall("SELECT * FROM digest_settings WHERE enabled = 1 ORDER BY community")
    return [DigestSettings.from_row(row) for row in rows]


async def disable_digest(db: Executor, community: str, reason: str, at: int) -> None:
    """Stop a community's digest and record why."""
    await db.execute(
        "UPDATE digest_settings SET enabled = 0, disabled_reason = ?, disabled_at = ? WHERE community = ?",
        (reason, at, community),
    )


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


def _subscription(row: Row) -> Subscription:
    events = tuple(e for e in row["events"].split(",") if e)
    return Subscription(row["platform"], row["user_id"], row["gig_platform"], events, bool(row["enabled"]),
                        row["disabled_reason"])


async def subscribe(db: Executor, platform: str, user_id: str, gig_platform: str, events: tuple[str, ...],
                    now: int) -> Subscription:
    """Add a subscription, or add events to an existing one (turning it back on)."""
    current = await db.fetchone(
        "SELECT * FROM subscriptions WHERE platform = ? AND user_id = ? AND gig_platform = ?",
        (platform, user_id, gig_platform),
    )
    wanted = set(events)
    if current is not None and current["enabled"]:
        wanted |= set(_subscription(current).events)
    ordered = tuple(kind for kind in ALERT_KINDS if kind in wanted)
    await db.execute(
        "INSERT INTO subscriptions (platform, user_id, gig_platform, events, enabled, disabled_reason, created_at) "
        "VALUES (?, ?, ?, ?, 1, NULL, ?) ON CONFLICT (platform, user_id, gig_platform) DO UPDATE SET "
        "events = excluded.events, enabled = 1, disabled_reason = NULL",
        (platform, user_id, gig_platform, ",".join(ordered), now),
    )
    return Subscription(platform, user_id, gig_platform, ordered, True, None)


async def unsubscribe(db: Executor, platform: str, user_id: str, gig_platform: str) -> bool:
    """Remove a subscription; False if there was none."""
    changed = await db.execute(
        "DELETE FROM subscriptions WHERE platform = ? AND user_id = ? AND gig_platform = ?",
        (platform, user_id, gig_platform),
    )
    return bool(changed)


async def subscriptions_of(db: Executor, platform: str, user_id: str) -> list[Subscription]:
    """A member's subscriptions, by gig platform."""
    rows = await db.fetchall(
        "SELECT * FROM subscriptions WHERE platform = ? AND user_id = ? ORDER BY gig_platform", (platform, user_id)
    )
    return [_subscription(row) for row in rows]


async def subscribers(db: Executor, gig_platform: str, kind: str) -> list[Subscription]:
    """Enabled subscriptions to a gig platform that want this kind of alert."""
    rows = await db.fetchall(
        "SELECT * FROM subscriptions WHERE gig_platform = ? AND enabled = 1 ORDER BY platform, user_id",
        (gig_platform,),
    )
    return [sub for sub in map(_subscription, rows) if kind in sub.events]


async def disable_subscriptions(db: Executor, platform: str, user_id: str, reason: str) -> None:
    """Stop every alert to a member (they blocked the bot, or left) and record why."""
    await db.execute(
        "UPDATE subscriptions SET enabled = 0, disabled_reason = ? WHERE platform = ? AND user_id = ?",
        (reason, platform, user_id),
    )


async def forget_member(db: Executor, platform: str, user_id: str) -> int:
    """Delete a member's subscriptions and pending alerts (the /forget hook); returns rows deleted."""
    deleted = await db.execute("DELETE FROM subscriptions WHERE platform = ? AND user_id = ?", (platform, user_id))
    deleted += await db.execute(
        "DELETE FROM outbox WHERE origin = ?", (f"sub:{platform}:{user_id}",)
    )
    return deleted


async def set_alert_channel(db: Executor, community: str, platform: str, channel_id: str, on: bool,
                            now: int) -> None:
    """Turn status-change alerts on or off for a community's channel."""
    await db.execute(
        "INSERT INTO alert_channels (community, platform, channel_id, enabled, disabled_reason, updated_at) "
        "VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (community) DO UPDATE SET platform = excluded.platform, "
        "channel_id = excluded.channel_id, enabled = excluded.enabled, disabled_reason = NULL, "
        "updated_at = excluded.updated_at",
        (community, platform, channel_id, int(on), now),
    )


async def get_alert_channel(db: Executor, community: str) -> AlertChannel | None:
    """A community's alert channel, or None."""
    row = await db.fetchone("SELECT * FROM alert_channels WHERE community = ?", (community,))
    if row is None:
        return None
    return AlertChannel(row["community"], row["platform"], row["channel_id"], bool(row["enabled"]),
                        row["disabled_reason"])


async def enabled_alert_channels(db: Executor) -> list[AlertChannel]:
    """Every channel that receives status-change alerts."""
    rows = await db.fetchall("SELECT * FROM alert_channels WHERE enabled = 1 ORDER BY community")
    return [AlertChannel(r["community"], r["platform"], r["channel_id"], True, None) for r in rows]


async def disable_alert_channel(db: Executor, community: str, reason: str) -> None:
    """Stop alerts to a community's channel and record why."""
    await db.execute(
        "UPDATE alert_channels SET enabled = 0, disabled_reason = ? WHERE community = ?", (reason, community)
    )


async def claim_alert_event(db: Executor, key: str, platform: str, kind: str, at: int) -> bool:
    """Record that an alert event is being announced; False if it was announced before."""
    return await insert_new(
        db, "SELECT 1 FROM alert_events WHERE key = ?",
        "INSERT INTO alert_events (key, platform, kind, at, recipients) VALUES (?, ?, ?, ?, 0)",
        (key,), (key, platform, kind, at),
    )


async def set_alert_recipients(db: Executor, key: str, recipients: int) -> None:
    """Record how many messages an alert event was queued as."""
    await db.execute("UPDATE alert_events SET recipients = ? WHERE key = ?", (recipients, key))
