"""SQL for migration 0020's data versions: what changed since a process last read the recent opinions or trust.

The triggers of migration 0020 move them; `current` reads them all at once, with the end of the next bar to
lapse (a bar's end changes a reporter's weight without any write).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Executor, lookup_all

OPINIONS = "opinions:"  # the prefix of each platform's drought and tasks-back reports' version
PROJECTS = "projects:"  # the prefix of each platform's project-paused and project-ended reports' version
TRUST = "trust"


@dataclass(frozen=True)
class Versions:
    """The stored versions: per platform with drought or tasks-back reports, with project reports, and of trust."""

    opinions: dict[str, int]
    projects: dict[str, int]
    trust: tuple[int, int | None]  # trust's version and the end of the next bar to lapse (None: no active bar)


async def current(db: Executor, now: int, platform: str | None = None) -> Versions:
    """Every version (or one platform's and trust's), and when the next active bar ends, in one statement."""
    bar = "SELECT '', min(until) FROM reporter_bars WHERE until > ?"
    if platform is None:
        rows = await db.fetchall(f"SELECT name, version FROM data_versions UNION ALL {bar}", (now,))
    else:  # three primary-key seeks and one index seek: answered on the caller's thread where it can be
        rows = await lookup_all(db, f"SELECT name, version FROM data_versions WHERE name IN (?, ?, ?) UNION ALL {bar}",
                                (OPINIONS + platform, PROJECTS + platform, TRUST, now))
    opinions: dict[str, int] = {}
    projects: dict[str, int] = {}
    trust, bar_end = 0, None
    for name, version in rows:
        if name.startswith(OPINIONS):
            opinions[name[len(OPINIONS):]] = int(version)
        elif name.startswith(PROJECTS):
            projects[name[len(PROJECTS):]] = int(version)
        elif name == TRUST:
            trust = int(version)
        elif version is not None:
            bar_end = int(version)
    return Versions(opinions, projects, (trust, bar_end))
