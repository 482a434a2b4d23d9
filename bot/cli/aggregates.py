"""`queuewatch aggregates rebuild`: recompute the report aggregates (migration 0016) from the stored reports."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.cli.common import with_settings
from bot.core.clock import SystemClock, unix
from bot.core.plural import plural
from bot.settings import Settings
from storage import activity, aggregates
from storage.database import open_database

BAR_WIDTH = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the aggregates subcommand."""
    parser = subparsers.add_parser(
        "aggregates", help="the report aggregates behind /status baselines, /pay, /legit and the digest",
        description="The bot keeps per-hour and per-day aggregates of the reports in the same transaction as "
                    "every report, retraction, hide and /forget. `rebuild` recomputes them from the reports, one "
                    "platform per transaction (safe while the bot runs), then who took part (one transaction).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    rebuild = actions.add_parser("rebuild", help="recompute every aggregate from the stored reports")
    rebuild.set_defaults(func=_rebuild)


class Progress:
    """A progress bar on a terminal (one line redrawn), or a line per tenth of the work elsewhere."""

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.done, self.out = total, 0, out
        self.tty = out.isatty()
        self._shown_tenth = -1

    def step(self, name: str) -> None:
        """One more item done."""
        self.done += 1
        filled = BAR_WIDTH * self.done // max(1, self.total)
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} platforms ({name})"
        if self.tty:
            self.out.write("\r" + line.ljust(80))
            if self.done == self.total:
                self.out.write("\n")
        elif (tenth := 10 * self.done // max(1, self.total)) != self._shown_tenth:
            self._shown_tenth = tenth
            self.out.write(line + "\n")
        self.out.flush()


def _rebuild(args: argparse.Namespace) -> int:
    async def body(settings: Settings) -> int:
        db = await open_database(settings.database_url)
        try:
            await db.migrate()
            progress = Progress(len(await aggregates.platforms(db)), sys.stderr)
            count = await aggregates.rebuild(db, progress.step)
            print("Recomputing who took part (the digest's people counts)...", file=sys.stderr, flush=True)
            await activity.rebuild(db, unix(SystemClock().now()))
        finally:
            await db.close()
        print(f"Rebuilt the report aggregates of {plural(count, 'platform')} and who took part from the stored "
              "reports.")
        return 0

    return with_settings(body)
