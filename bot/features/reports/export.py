"""The research export: which reports leave the database, and how coarsely, so that no row singles out a person.

The rules (also in the README, "The export"):
1. Nothing that names anyone: no report id, reporter hash, community, note, or hidden report.
2. A project name only when at least K distinct reporters named it on that platform; otherwise OTHER_PROJECT.
3. Amounts to the nearest 1 in the reported currency, hourly pay in USD to the nearest 0.5, onboarding
   hours to the nearest 0.5.
4. Times to the hour (availability, project and payment reports) or to the day (pay and onboarding).
5. k-anonymity with k = K over the QUASI_IDENTIFIERS (when, platform, kind, project, role, currency: what
   someone might know about a person): every combination of them in the export comes from at least K
   distinct reporters. A combination with fewer is coarsened step by step (STEPS: the hour, then the role,
   then the currency with its amount, then the project name) and left out when it is still too small; so a
   group of platform + kind + day with fewer than K reporters is left out entirely.
Amounts, hourly pay, onboarding hours and paid/unpaid are the measured values: rounded, not grouped on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage import reports as store
from storage.database import Database

K = 5
OTHER_PROJECT = "(other project)"  # a project named by fewer than K reporters
DAY_ONLY_KINDS = frozenset({"payrate", "onboarding"})
AMOUNT_STEP = 1.0
HOURLY_USD_STEP = 0.5
ONBOARDING_HOURS_STEP = 0.5

COLUMNS = ("day_utc", "hour_utc", "platform", "kind", "project", "role", "currency", "amount", "hourly_usd",
           "onboarding_hours", "onboarding_paid")
QUASI_IDENTIFIERS = COLUMNS[:7]
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_PROJECT = _INDEX["project"]
# How a too-small combination is coarsened, finest first: the columns blanked at each step.
STEPS: tuple[tuple[str, ...], ...] = (
    (),
    ("hour_utc",),
    ("hour_utc", "role"),
    ("hour_utc", "role", "currency", "amount"),
    ("hour_utc", "role", "currency", "amount", "project"),
)

Values = tuple[str, ...]  # one exported row, in COLUMNS order


@dataclass(frozen=True)
class Export:
    """The rows to write (sorted, so their order says nothing about when or by whom) and how many were left out."""

    rows: list[Values]
    left_out: int


def bucket(value: float | None, step: float) -> str:
    """A value rounded half up to the nearest multiple of `step`, as text ('' when absent)."""
    if value is None:
        return ""
    rounded = math.floor(value / step + 0.5) * step
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def named_projects(rows: Iterable[Mapping[str, Any]], k: int = K) -> set[tuple[str, str]]:
    """The (platform, project) names at least k distinct reporters used: the only project names exported."""
    people: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["project"]:
            people[(row["platform"], row["project"])].add(row["reporter"])
    return {name for name, reporters in people.items() if len(reporters) >= k}


def _day_and_hour(at: int, cache: dict[int, tuple[str, str]]) -> tuple[str, str]:
    hour = at // 3600
    found = cache.get(hour)
    if found is None:
        moment = datetime.fromtimestamp(hour * 3600, UTC)
        found = cache[hour] = (moment.strftime("%Y-%m-%d"), moment.strftime("%H:00"))
    return found


def generalise(row: Mapping[str, Any], named: set[tuple[str, str]],
               _times: dict[int, tuple[str, str]] | None = None) -> Values:
    """One report as an export row before grouping: rounded times and amounts, rare project names dropped."""
    day, hour = _day_and_hour(row["updated_at"], {} if _times is None else _times)
    project = row["project"] or ""
    if project and (row["platform"], project) not in named:
        project = OTHER_PROJECT
    paid = row["paid"]
    return (
        day,
        "" if row["kind"] in DAY_ONLY_KINDS else hour,
        row["platform"],
        row["kind"],
        project,
        row["role"] or "",
        row["currency"] or "",
        bucket(row["amount"], AMOUNT_STEP),
        bucket(row["hourly_usd"], HOURLY_USD_STEP),
        bucket(row["hours"], ONBOARDING_HOURS_STEP),
        "" if paid is None else ("yes" if paid else "no"),
    )


def coarsen(values: Values, blanked: tuple[str, ...]) -> Values:
    """The row with these columns blanked (a project name becomes OTHER_PROJECT; platform-wide stays '')."""
    out = list(values)
    for column in blanked:
        i = _INDEX[column]
        out[i] = OTHER_PROJECT if i == _PROJECT and values[i] else ""
    return tuple(out)


def anonymise(rows: Iterable[Mapping[str, Any]], k: int = K) -> Export:
    """Apply the export rules to report rows (with reporter hashes, which are used to count and then dropped)."""
    rows = list(rows)
    named = named_projects(rows, k)
    times: dict[int, tuple[str, str]] = {}
    pending = [(row["reporter"], generalise(row, named, times)) for row in rows]
    kept: list[Values] = []
    width = len(QUASI_IDENTIFIERS)
    for blanked in STEPS:
        groups: dict[Values, list[tuple[str, Values]]] = defaultdict(list)
        for reporter, values in pending:
            if blanked:
                values = coarsen(values, blanked)
            groups[values[:width]].append((reporter, values))
        pending = []
        for members in groups.values():
            if len({reporter for reporter, _values in members}) >= k:
                kept.extend(values for _reporter, values in members)
            else:
                pending.extend(members)
    kept.sort()
    return Export(kept, len(pending))


async def export(db: Database) -> Export:
    """Every visible report, anonymised by the rules above."""
    return anonymise(await store.export_rows(db))
