"""Fetched exchange-rate tables: one row per currency per day; the newest day is the one in use."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database

KEEP_DAYS = 7  # older tables are deleted when a new one is saved


@dataclass(frozen=True)
class StoredRates:
    """One day's table as kept."""

    day: str
    base: str
    rates: dict[str, float]
    url: str
    fetched_at: int


async def save(db: Database, day: str, base: str, rates: dict[str, float], url: str, fetched_at: int) -> None:
    """Keep one day's table (replacing an earlier copy of that day) and drop all but the newest few days."""
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM exchange_rates WHERE day = ?", (day,))
        await tx.executemany(
            "INSERT INTO exchange_rates (day, base, currency, rate, url, fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(day, base, code, rate, url, fetched_at) for code, rate in sorted(rates.items())],
        )
        await tx.execute(
            "DELETE FROM exchange_rates WHERE day NOT IN "
            "(SELECT DISTINCT day FROM exchange_rates ORDER BY day DESC LIMIT ?)",
            (KEEP_DAYS,),
        )


async def latest(db: Database) -> StoredRates | None:
    """The newest day's table, or None when none was ever fetched."""
    newest = await db.fetchone("SELECT MAX(day) AS day FROM exchange_rates")
    if newest is None or newest["day"] is None:
        return None
    rows = await db.fetchall(
        "SELECT base, currency, rate, url, fetched_at FROM exchange_rates WHERE day = ? ORDER BY currency",
        (newest["day"],),
    )
    first = rows[0]
    return StoredRates(newest["day"], first["base"], {row["currency"]: row["rate"] for row in rows}, first["url"],
                       first["fetched_at"])

