"""Stored button payloads: too long for a platform's callback field, or bound to the person they were shown to."""

from __future__ import annotations

from storage.database import Database


class ButtonPayloads:
    """The button_payloads table, in the shape bot.core.buttons expects of a payload store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, token: str, command: str, args_json: str, viewer: str | None, created_at: int) -> None:
        """Keep a payload under its (random) token."""
        await self.db.execute(
            "INSERT INTO button_payloads (token, viewer, command, args_json, created_at) VALUES (?, ?, ?, ?, ?)",
            (token, viewer, command, args_json, created_at),
        )

    async def load(self, token: str) -> tuple[str, str, str | None, int] | None:
        """(command, arguments as JSON, viewer, created at) kept under a token, or None."""
        row = await self.db.fetchone(
            "SELECT command, args_json, viewer, created_at FROM button_payloads WHERE token = ?", (token,))
        return None if row is None else (row["command"], row["args_json"], row["viewer"], row["created_at"])

    async def purge(self, created_before: int) -> int:
        """Delete payloads created before a time (unix seconds); returns how many."""
        return await self.db.execute("DELETE FROM button_payloads WHERE created_at < ?", (created_before,))

    async def forget(self, viewer: str) -> int:
        """Delete every payload bound to a person; returns how many."""
        return await self.db.execute("DELETE FROM button_payloads WHERE viewer = ?", (viewer,))
