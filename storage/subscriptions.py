"""Members' alert subscriptions: which gig platforms they follow (raw ids: delivery needs them)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Executor, Row

ALERT_KINDS = ("drought_ended", "project_ended", "payment_problems")


@dataclass(frozen=True)
class Subscription:
    """A member's alerts for one gig platform."""

    platform: str
    user_id: str
    gig_platform: str
    events: tuple[str, ...]
    enabled: bool
    disabled_reason: str | None


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
        "DELETE FROM outbox WHERE origin = 'sub' AND origin_ref = ?", (f"{platform}:{user_id}",)
    )
    return deleted
