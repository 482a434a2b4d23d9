"""A member's saved country, display currency and reply language, keyed by their keyed hash (app.person_key)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from storage.database import Executor, lookup

UNSET = object()  # "leave this value as it is" in save()


@dataclass(frozen=True)
class MemberSettings:
    """What a member saved; None means not set."""

    country: str | None = None
    currency: str | None = None
    language: str | None = None  # a supported locale ('es', 'pt_BR', 'en'); None: the platform's or community's


async def load(db: Executor, person: str) -> MemberSettings:
    """The member's saved settings (empty when none are saved)."""
    row = await db.fetchone("SELECT country, currency, language FROM member_settings WHERE person = ?", (person,))
    return MemberSettings() if row is None else MemberSettings(row["country"], row["currency"], row["language"])


async def save(
    db: Executor, person: str, now: int, country: object = UNSET, currency: object = UNSET,
    language: object = UNSET,
) -> MemberSettings:
    """Change the given values (None clears one) and keep the others; returns the settings now saved."""
    current = await load(db, person)
    new = MemberSettings(
        current.country if country is UNSET else country,  # type: ignore[arg-type]
        current.currency if currency is UNSET else currency,  # type: ignore[arg-type]
        current.language if language is UNSET else language,  # type: ignore[arg-type]
    )
    if all(getattr(new, f.name) is None for f in fields(new)):
        await db.execute("DELETE FROM member_settings WHERE person = ?", (person,))
    else:
        await db.execute(
            "INSERT INTO member_settings (person, country, currency, language, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (person) DO UPDATE SET country = excluded.country, currency = excluded.currency, "
            "language = excluded.language, updated_at = excluded.updated_at",
            (person, new.country, new.currency, new.language, now),
        )
    return new


async def language_of(db: Executor, person: str) -> str | None:
    """The member's chosen reply language, or None."""
    row = await lookup(db, "SELECT language FROM member_settings WHERE person = ?", (person,))
    return None if row is None else row["language"]


async def chosen_languages(db: Executor, limit: int) -> list[tuple[str, str]]:
    """(person, language) of members who chose a reply language, at most `limit` of them."""
    rows = await db.fetchall("SELECT person, language FROM member_settings WHERE language IS NOT NULL LIMIT ?",
                             (limit,))
    return [(row[0], row[1]) for row in rows]


async def forget(db: Executor, person: str) -> int:
    """Delete a member's settings; returns how many rows went (0 or 1)."""
    return await db.execute("DELETE FROM member_settings WHERE person = ?", (person,))
