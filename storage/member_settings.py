"""A member's saved country and display currency, keyed by their keyed hash (app.person_key)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Executor

UNSET = object()  # "leave this value as it is" in save()


@dataclass(frozen=True)
class MemberSettings:
    """What a member saved; None means not set."""

    country: str | None = None
    currency: str | None = None


async def load(db: Executor, person: str) -> MemberSettings:
    """The member's saved settings (empty when none are saved)."""
    row = await db.fetchone("SELECT country, currency FROM member_settings WHERE person = ?", (person,))
    return MemberSettings() if row is None else MemberSettings(row["country"], row["currency"])


async def save(
    db: Executor, person: str, now: int, country: object = UNSET, currency: object = UNSET
) -> MemberSettings:
    """Change the given values (None clears one) and keep the others; returns the settings now saved."""
    current = await load(db, person)
    new = MemberSettings(
        current.country if country is UNSET else country,  # type: ignore[arg-type]
        current.currency if currency is UNSET else currency,  # type: ignore[arg-type]
    )
    if new.country is None and new.currency is None:
        await db.execute("DELETE FROM member_settings WHERE person = ?", (person,))
    else:
        await db.execute(
            "INSERT INTO member_settings (person, country, currency, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (person) DO UPDATE SET country = excluded.country, currency = excluded.currency, "
            "updated_at = excluded.updated_at",
            (person, new.country, new.currency, now),
        )
    return new


async def forget(db: Executor, person: str) -> int:
    """Delete a member's settings; returns how many rows went (0 or 1)."""
    return await db.execute("DELETE FROM member_settings WHERE person = ?", (person,))
