"""Button payloads too long for a platform's callback field, kept under a token so they survive a restart."""

from __future__ import annotations

from storage.database import Database


class ButtonPayloads:
    """The button_payloads table, in the shape bot.core.buttons expects of a payload store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, token: str, command: str, args_json: str, created_at: str) -> None:
        """Keep a payload under its token (the same payload twice is kept once)."""
        await self.db.execute(
            "INSERT INTO button_payloads (token, command, args_json, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (token) DO NOTHING",
            (token, command, args_json, created_at),
        )

    async def load(self, token: str) -> tuple[str, str] | None:
        """(command, arguments as JSON) kept under a token, or None."""
        row = await self.db.fetchone("SELECT command, args_json FROM button_payloads WHERE token = ?", (token,))
        return None if row is None else (row["command"], row["args_json"])
