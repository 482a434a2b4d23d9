"""`queuewatch export` (an anonymised CSV of reports) and `queuewatch backup` (a consistent database copy)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from bot.cli.common import fail, with_settings
from bot.cli.files import atomic_file, refuse_target
from bot.core.plural import plural
from bot.features.reports import export as research
from bot.settings import Settings
from storage.database import Database, is_postgres, open_database, sqlite_path

# Which rows and columns leave the database, and how coarsely: bot/features/reports/export.py.
EXPORT_COLUMNS = research.COLUMNS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add export and backup."""
    export = subparsers.add_parser(
        "export", help="write an anonymised CSV of reports (k-anonymous with k = 5; see the README)"
    )
    export.add_argument("--out", required=True, type=Path, metavar="FILE.csv", help="the CSV file to write")
    export.add_argument("--force", action="store_true", help="overwrite FILE.csv if it exists")
    export.set_defaults(func=_export)

    backup = subparsers.add_parser("backup", help="copy the database consistently, even while the bot runs")
    backup.add_argument("file", type=Path, metavar="FILE", help="the copy to write, e.g. backups/queuewatch.db")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    backup.set_defaults(func=_backup)


async def export_reports(db: Database, out: Path) -> int:
    """Write every visible report, anonymised, to a CSV file (atomically, mode 0600); returns the rows written."""
    rows = (await research.export(db)).rows
    with atomic_file(out) as partial, partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
    return len(rows)


def _export(args: argparse.Namespace) -> int:
    refused = refuse_target(args.out, args.force)
    if refused is not None:
        return refused

    async def body(settings: Settings) -> int:
        db = await open_database(settings.database_url)
        try:
            await db.migrate()
            count = await export_reports(db, args.out)
        finally:
            await db.close()
        print(f"Wrote {plural(count, 'report', 'reports')} to {args.out} (anonymised: no reporter hashes, "
              f"ids, communities or notes; project names only when {research.K} or more people used them; "
              "amounts rounded; times to the hour, or the day for pay and onboarding; hidden reports and groups "
              f"of fewer than {research.K} people left out).")
        return 0

    return with_settings(body)


async def _backup_postgres(settings: Settings, target: Path) -> int:
    """A PostgreSQL database backed up with pg_dump (custom format; restore with pg_restore)."""
    db = await open_database(settings.database_url)
    try:
        with atomic_file(target) as partial:
            await db.backup(partial)
    finally:
        await db.close()
    print(f"Backed up the PostgreSQL database to {target} ({target.stat().st_size / 1024:,.0f} KiB) with pg_dump "
          "--format=custom; restore it with pg_restore. It holds keyed hashes, notes and settings: keep it private.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    refused = refuse_target(args.file, args.force)
    if refused is not None:
        return refused

    async def body(settings: Settings) -> int:
        if is_postgres(settings.database_url):
            return await _backup_postgres(settings, args.file)
        source = sqlite_path(settings.database_url)
        if source == ":memory:":
            return fail("DATABASE_URL points at an in-memory database; there is nothing on disk to back up.", 1)
        if not Path(source).exists():
            return fail(f"There is no database at {source} yet; start the bot or run `queuewatch migrate` first.", 1)
        if Path(source).resolve() == args.file.resolve():
            return fail("The backup must go to a different file than the database itself.", 1)
        db = await open_database(settings.database_url)
        try:
            with atomic_file(args.file) as partial:
                await db.backup(partial)
        finally:
            await db.close()
        size = args.file.stat().st_size
        print(f"Backed up {source} to {args.file} ({size / 1024:,.0f} KiB), a consistent copy taken with SQLite's "
              "online backup API. It holds keyed hashes, notes and settings: keep it as private as the database.")
        return 0

    return with_settings(body)
