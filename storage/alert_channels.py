"""Community channels that receive status-change alerts."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Executor


@dataclass(frozen=True)
class AlertChannel:
    """A community channel that receives status-change alerts."""

    community: str
    platform: str
    channel_id: str
    enabled: bool
    disabled_reason: str | None


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
