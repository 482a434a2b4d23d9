"""`queuewatch copy --from URL --to URL`: move a whole database to another backend, resumably, and verify it."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from tqdm import tqdm

from bot.cli.common import fail, with_settings
from bot.settings import Settings
from storage import copying, process_lock
from storage.database import Database, DatabaseUnusable, is_postgres, open_database, sqlite_path

BATCH = 2000


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the copy subcommand."""
    parser = subparsers.add_parser(
        "copy", help="copy a whole database to another (e.g. SQLite to PostgreSQL), resumable and verified",
        description="Copies every table from --from to --to in batches, with a progress bar. Stop the bot first. "
                    "The target must be empty, or a copy into it that stopped, which is resumed after its last "
                    "whole batch. At the end every table's row count and checksum are compared.")
    parser.add_argument("--from", dest="source", required=True, metavar="URL",
                        help="the database to copy, e.g. sqlite:///data/queuewatch.db")
    parser.add_argument("--to", dest="target", required=True, metavar="URL",
                        help="where to, e.g. postgresql://user:password@host:5432/queuewatch")
    parser.add_argument("--batch", type=int, default=BATCH, help=f"rows per batch (default {BATCH})")
    parser.set_defaults(func=_copy)


def _copy(args: argparse.Namespace) -> int:
    async def body(_settings: Settings) -> int:
        for url in (args.source, args.target):
            if not (url.startswith("sqlite:///") or is_postgres(url)) or url == "sqlite:///:memory:":
                return fail(f"copy: {url.split('://', 1)[0]}:// is not a database to copy; expected "
                            "sqlite:///path/to/queuewatch.db or postgresql://user:password@host:5432/database")
        if args.source == args.target:
            return fail("copy: --from and --to name the same database")
        if args.batch < 1:
            return fail("copy: --batch must be at least 1")
        lock = None
        if args.source.startswith("sqlite:///"):
            lock = process_lock.hold(sqlite_path(args.source))  # no bot may add reports while they are copied
        try:
            source = await _open(args.source, "--from")
            try:
                target = await _open(args.target, "--to")
                try:
                    return await copy_database(source, target, args.batch)
                finally:
                    await target.close()
            finally:
                await source.close()
        finally:
            if lock is not None:
                lock.release()

    return with_settings(body)


async def _open(url: str, option: str) -> Database:
    """Open and migrate one side; its errors name the option instead of DATABASE_URL."""
    try:
        db = await open_database(url)
    except DatabaseUnusable as exc:
        raise DatabaseUnusable(str(exc).replace("DATABASE_URL", f"copy {option}", 1)) from None
    await db.migrate()
    return db


async def copy_database(source: Database, target: Database, batch: int = BATCH) -> int:
    """Copy every table of `source` into `target` (empty, or an earlier copy's) and verify; the exit status."""
    tables = await copying.tables(source)
    into = {table.name: table for table in await copying.tables(target)}
    missing = [table.name for table in tables if table.name not in into]
    if missing:
        return fail(f"copy: the target has no table {missing[0]}; both must run the same queuewatch version")
    resuming = await copying.has_markers(target)
    if not resuming and not await copying.is_empty(target, tables):
        return fail("copy: the target already holds data; copy into an empty database (a copy that stopped is "
                    "resumed, but only into the database it started on)")
    await copying.prepare_markers(target)
    done = await copying.markers(target)
    counts = {table.name: await copying.count(source, table) for table in tables}
    with tqdm(total=sum(counts.values()), unit="rows", desc="copying", file=sys.stderr) as bar:
        for table in tables:
            last, finished = done.get(table.name, (None, False))
            if finished:
                bar.update(counts[table.name])
                continue
            writing = replace(table, identity=into[table.name].identity)
            async for rows in copying.batches(source, table, last, batch):
                await copying.write_batch(target, writing, rows)
                bar.update(len(rows))
            await copying.finish_table(target, writing)
    wrong = []
    for table in tables:
        expected, found = await copying.checksum(source, table), await copying.checksum(target, table)
        if expected != found:
            wrong.append(f"{table.name} ({expected[0]} rows, {found[0]} copied)")
    if wrong:
        return fail(f"copy: the copy differs from the source in {', '.join(wrong)}; run copy again to finish it", 1)
    await copying.drop_markers(target)
    print(f"Copied {sum(counts.values()):,} rows in {len(tables)} tables; every table's row count and checksum "
          "match the source.")
    return 0
