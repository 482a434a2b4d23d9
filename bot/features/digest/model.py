"""The digest model both platforms render: what changed, the status table, pay, counts, the chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.model import Image

SHOWN_CHANGES = 12  # the changes a digest words, as many as a post shows; the rest are only counted


@dataclass(frozen=True)
class Change:
    """One thing that changed this week (a drought started or ended, a project ended, payment problems)."""

    kind: str  # drought_started, drought_ended, project_paused, project_ended, payment_problems
    platform: str  # display name
    text: str
    at: int


@dataclass(frozen=True)
class StatusRow:
    """A platform's current state (as /status says it) and this week's activity."""

    platform_id: str
    name: str
    state: str
    label: str  # the state in words, from bot.features.availability.wording
    since: int | None  # when a clear state began; None for no clear state
    reports: int
    contributors: int


@dataclass(frozen=True)
class PayMove:
    """A platform whose median hourly pay moved this week compared with the four weeks before."""

    name: str
    median_now: float
    median_before: float
    n_now: int
    n_before: int

    @property
    def change(self) -> float:
        """The relative change, e.g. -0.14."""
        return self.median_now / self.median_before - 1


@dataclass
class Digest:
    """A week of crowd reports summarised for one community (or for everyone)."""

    community: str | None
    start: datetime  # local time in the community's zone
    end: datetime
    changes: list[Change] = field(default_factory=list)  # the first SHOWN_CHANGES, in the order shown
    more_changes: int = 0  # the changes after those
    status: list[StatusRow] = field(default_factory=list)
    pay_moves: list[PayMove] = field(default_factory=list)
    reports_here: int = 0
    contributors_here: int = 0
    reports_all: int = 0
    contributors_all: int = 0
    day_labels: list[str] = field(default_factory=list)  # one per calendar day the week touches, in its zone
    daily: list[tuple[str, list[int]]] = field(default_factory=list)  # (platform name, reports per day)
    chart: Image | None = None
    live_url: str | None = None  # the public status page (QUEUEWATCH_PUBLIC_URL), when set
