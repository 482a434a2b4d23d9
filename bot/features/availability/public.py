"""What the public status page may show beyond the statuses: hourly history against the usual level, projects
paused or ended (named only when enough people named them), and the state changes its feed lists.

A public page is read by anyone, so it shows only counts and the bot's own words: a project's name appears once
PUBLIC_NAME_REPORTERS distinct members named it (one member's free text could be a planted link or a person's name)
and no community's moderators set it aside; never a note, a reporter, an id or a community.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.features.availability.changes import drought_endings
from bot.features.availability.status import BASELINE_WEEKS, PROJECT_CHANGES_SPAN, WEEK
from bot.features.moderation.not_here import not_shown_everywhere
from bot.features.reports.kinds import AVAILABILITY_KINDS, HOUR
from bot.features.reports.projects import project_names
from storage import digest_queries, history

if TYPE_CHECKING:
    from bot.wiring import App

PUBLIC_NAME_REPORTERS = 3  # distinct members who named a project before its name is shown publicly
FEED_PROJECT_REPORTERS = 2  # a project ending is news once two members report it (as for alerts)
FEED_SPAN = 30 * 24 * HOUR
FEED_LIMIT = 50
MAX_HISTORY_HOURS = 720


@dataclass(frozen=True)
class Hourly:
    """Hourly distinct reporters of one platform: drought, tasks back, and the usual drought level."""

    start: int  # the first hour's start (unix seconds)
    drought: list[int]
    flowing: list[int]
    usual: list[float]  # mean drought reporters in the same hour of the week over the previous BASELINE_WEEKS


@dataclass(frozen=True)
class ProjectChange:
    """A project reported paused or ended: its public name (None: not shown), kind, reporters, last report."""

    name: str | None
    kind: str  # project_paused or project_ended
    reporters: int
    last_at: int


@dataclass(frozen=True)
class FeedEntry:
    """A public status change: a drought likely, tasks flowing again, a project reported ended."""

    key: str  # stable: the feed entry's id
    kind: str  # drought, flowing, project_ended
    platform: str
    at: int
    reporters: int
    project: str | None = None  # a project's public name (None: not shown)


async def hourly(app: App, now: datetime, hours: int, platform: str | None = None) -> dict[str, Hourly]:
    """The last `hours` whole and current hours per platform with reports (one platform, or all)."""
    hours = max(1, min(MAX_HISTORY_HOURS, hours))
    end = (unix(now) // HOUR + 1) * HOUR
    start = end - hours * HOUR
    rows = await history.hourly_reporters(app.db, AVAILABILITY_KINDS, platform, [(start, end)])
    usual_rows = await history.hourly_reporters(
        app.db, ("drought",), platform, [(start - k * WEEK, end - k * WEEK) for k in range(1, BASELINE_WEEKS + 1)])
    counts: dict[tuple[str, str, int], int] = {(r["platform"], r["kind"], r["hour"]): r["reporters"] for r in rows}
    platforms = {key[0] for key in counts} | {r["platform"] for r in usual_rows}
    if platform is not None:
        platforms.add(platform)
    usual = {p: [0.0] * hours for p in platforms}
    for r in usual_rows:  # each past hour adds to every slot it is the same hour of the week of, k weeks before
        for k in range(1, BASELINE_WEEKS + 1):
            index = (r["hour"] + k * WEEK - start) // HOUR
            if 0 <= index < hours:
                usual[r["platform"]][index] += r["reporters"] / BASELINE_WEEKS
    slots = [start + i * HOUR for i in range(hours)]
    found = {}
    for p in sorted(platforms):
        found[p] = Hourly(start, [counts.get((p, "drought", at), 0) for at in slots],
                          [counts.get((p, "tasks_back", at), 0) for at in slots], usual[p])
    return found


async def _public_names(app: App, pairs: list[tuple[str, str, int]]) -> dict[tuple[str, str], str]:
    """The names that may be shown for (platform, project key, reporters): enough reporters, set aside nowhere."""
    hidden = await not_shown_everywhere(app)
    wanted = [(p, key) for p, key, n in pairs if n >= PUBLIC_NAME_REPORTERS
              and not any(marks.hides(p, key) for marks in hidden.values())]
    names = await project_names(app, wanted)
    return {pair: names.of(*pair) for pair in wanted}


async def project_changes(app: App, platform: str, now: datetime) -> list[ProjectChange]:
    """Projects reported paused or ended in the last 14 days, newest first."""
    rows = await app.availability.project_changes(platform, unix(now) - PROJECT_CHANGES_SPAN)
    names = await _public_names(app, [(platform, row["project"], row["reporters"]) for row in rows])
    return [ProjectChange(names.get((platform, row["project"])), row["kind"], row["reporters"], row["last_at"])
            for row in rows]


async def feed_entries(app: App, now: datetime) -> list[FeedEntry]:
    """The public state changes of the last 30 days, newest first: droughts likely, tasks flowing again after a
    drought, projects reported ended by at least two members."""
    at = unix(now)
    rows = await history.platform_changes(app.db, ("drought", "flowing"), at - FEED_SPAN, FEED_LIMIT)
    endings = await drought_endings(app.db, list(reversed(rows)))
    entries = [FeedEntry(f"status-{row['id']}", row["new_state"], row["platform"], row["at"], row["reporters"])
               for row in rows
               if (row["new_state"] == "drought" and row["old_state"] != "drought") or row["id"] in endings]
    ended = await digest_queries.project_reports(app.db, ("project_ended",), at - FEED_SPAN, at + 1,
                                                 FEED_PROJECT_REPORTERS)
    names = await _public_names(app, [(row["platform"], row["project"], row["reporters"]) for row in ended])
    for row in ended:
        # The entry's id stays the same while reports accrue; it names the project only by a digest.
        digest = hashlib.sha256(f"{row['platform']}:{row['project']}".encode()).hexdigest()[:16]
        key = f"ended-{row['platform']}-{digest}"
        entries.append(FeedEntry(key, "project_ended", row["platform"], row["last"], row["reporters"],
                                 names.get((row["platform"], row["project"]))))
    return sorted(entries, key=lambda e: e.at, reverse=True)[:FEED_LIMIT]
