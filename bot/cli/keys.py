"""`queuewatch rekey`: move every stored keyed hash to a new key, in one transaction."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import fail, with_settings
from bot.hashkey import KeyFile, in_memory, rekey
from bot.settings import Settings
from storage import process_lock
from storage.database import is_postgres, open_database, sqlite_path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the rekey subcommand."""
    parser = subparsers.add_parser(
        "rekey", help="add a new hashing key to the key file and move every stored hash to it (bot stopped)",
        description="Adds a key to QUEUEWATCH_SECRET_FILE and replaces every stored keyed hash h by HMAC(new key, h) "
                    "in one transaction, so a leaked key file or backup from before no longer reveals anyone. Stop "
                    "the bot first. Every key in the file stays needed; backups taken before are brought forward "
                    "when restored with the new file.")
    parser.set_defaults(func=_rekey)


def _rekey(args: argparse.Namespace) -> int:
    async def body(settings: Settings) -> int:
        if in_memory(settings):
            return fail("DATABASE_URL: an in-memory database keeps nothing to rekey.")
        if settings.queuewatch_secret is not None:
            return fail("QUEUEWATCH_SECRET: rekey adds a key to the key file, so it cannot work with a key in the "
                        f"environment; put that value as the only line of {settings.queuewatch_secret_file} (mode "
                        "0600), unset QUEUEWATCH_SECRET, and run rekey again")
        postgres = is_postgres(settings.database_url)  # a server: it exists, or opening it says so
        if not postgres and not Path(sqlite_path(settings.database_url)).exists():
            return fail(f"DATABASE_URL: there is no database at {sqlite_path(settings.database_url)}; nothing to "
                        "rekey")
        key_file = KeyFile(settings.queuewatch_secret_file)
        # Refuses while a bot runs on an SQLite file; with PostgreSQL, stopping every bot process is the operator's.
        lock = None if postgres else process_lock.hold(sqlite_path(settings.database_url))
        try:
            db = await open_database(settings.database_url)
            try:
                await db.migrate()
                chain, people, rows = await rekey(settings, db, key_file)
            finally:
                await db.close()
        finally:
            if lock is not None:
                lock.release()
        who = "person" if people == 1 else "people"
        print(f"Moved {rows} stored hashes of {people} {who} to a new key in one transaction. {key_file.path} "
              f"now holds {len(chain)} keys, all of them needed: keep it private and apart from the database's "
              "backups. Older backups still open with this file (they are brought forward when restored).")
        return 0

    return with_settings(body)
