"""Each community's default language for public posts (digest, channel alerts) and for members who chose none."""

from __future__ import annotations

from storage.database import Executor


async def get(db: Executor, community: str) -> str | None:
    """The community's language, or None when a moderator never set one."""
    row = await db.fetchone("SELECT language FROM community_languages WHERE community = ?", (community,))
    return None if row is None else row["language"]


async def put(db: Executor, community: str, language: str | None, now: int) -> None:
    """Set the community's language (None goes back to English, the default)."""
    if language is None:
        await db.execute("DELETE FROM community_languages WHERE community = ?", (community,))
        return
    await db.execute(
        "INSERT INTO community_languages (community, language, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (community) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at",
        (community, language, now),
    )
