"""The public page's data, read only through the app's features: statuses, history, projects, pay, payments and
the knowledge base. Plain dataclasses that the HTML, JSON, feed and badge all render; nothing personal in them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.features.availability import public
from bot.features.availability.status import Status, worst_first
from bot.features.availability.wording import confidence_label, explanation, label, summary
from bot.features.knowledge.answers import LEGIT_TOPICS, deciding_lines
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import CATEGORY_LABELS, CATEGORY_MEANINGS, format_date
from bot.features.reports.kinds import PAYMENT_KINDS
from bot.features.reports.kinds import label as kind_label
from bot.features.reports.pay import MIN_SHOWN, crowd_pay
from bot.features.reports.reliability import reliability

if TYPE_CHECKING:
    from bot.wiring import App

ICONS = {"drought": "▼", "mixed": "◆", "flowing": "▲", "none": "○"}  # never colour alone: an icon and words
SPARK_HOURS = 24
WEEK_HOURS = 7 * 24


def iso(at: int | None) -> str | None:
    """A unix time as ISO 8601 UTC ("2026-11-16T12:00:00Z"), or None."""
    return None if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def platform_name(platform_id: str) -> str:
    """A platform's display name (its id when the knowledge base does not know it)."""
    info = knowledge_base().platforms.get(platform_id)
    return info.name if info else platform_id


def known_platform(text: str) -> str | None:
    """The platform id a path names (exactly, in any case), or None."""
    key = text.strip().lower()
    return key if key in knowledge_base().platforms else None


@dataclass(frozen=True)
class StatusView:
    """One platform's availability as the page shows it."""

    id: str
    name: str
    state: str
    label: str
    icon: str
    summary: str
    n: int
    drought_n: int
    flowing_n: int
    confidence: float
    confidence_label: str
    since: int | None
    last_at: int | None

    @classmethod
    def of(cls, status: Status, now: int) -> StatusView:
        """The view of a computed status."""
        return cls(status.platform, platform_name(status.platform), status.state, label(status), ICONS[status.state],
                   summary(status, now), status.n, status.drought_n, status.flowing_n, round(status.confidence, 2),
                   confidence_label(status.confidence) if status.state != "none" else "none", status.since,
                   status.last_at)


@dataclass(frozen=True)
class Overview:
    """Every platform with recent reports, worst first, with its last 24 hours."""

    now: int
    statuses: list[StatusView]
    spark: dict[str, public.Hourly]


@dataclass(frozen=True)
class SourceLink:
    """Where a fact comes from: the page, its kind ("news"), its date as stored ("2024-06-14", "n.d.") and in words."""

    url: str
    kind: str
    date: str
    date_text: str


@dataclass(frozen=True)
class Fact:
    """A sourced fact of the legitimacy verdict, with its sources."""

    text: str
    sources: list[SourceLink]


@dataclass(frozen=True)
class Legitimacy:
    """The knowledge base's verdict on a platform."""

    category: str
    label: str
    meaning: str
    basis: str
    facts: list[Fact]
    official_links: list[str]


@dataclass(frozen=True)
class PayRow:
    """The crowd's hourly pay for one role (USD); median None when fewer than MIN_SHOWN reported it."""

    role: str
    n: int
    median: float | None
    p25: float | None
    p75: float | None


@dataclass(frozen=True)
class Payments:
    """Payment reports, "x of n": per kind, recent (90 days) and all time."""

    recent: dict[str, int]
    total: dict[str, int]

    @property
    def recent_n(self) -> int:
        """Payment reports in the last 90 days."""
        return sum(self.recent.values())

    @property
    def total_n(self) -> int:
        """Payment reports all time."""
        return sum(self.total.values())


@dataclass(frozen=True)
class Detail:
    """Everything /p/<platform> shows."""

    now: int
    status: StatusView
    explanation: str
    week: public.Hourly
    changes: list[public.ProjectChange]
    pay: list[PayRow]
    payments: Payments
    legitimacy: Legitimacy
    kind_labels: dict[str, str] = field(default_factory=lambda: {k: kind_label(k) for k in PAYMENT_KINDS})


async def current(app: App, now: datetime) -> list[StatusView]:
    """Every platform with recent reports, worst first."""
    at = unix(now)
    return [StatusView.of(s, at) for s in worst_first(await app.availability.statuses(now, projects=False))]


async def overview(app: App, now: datetime, sparklines: bool = True) -> Overview:
    """The front page: every platform with recent reports, worst first, and (with `sparklines`) their last day."""
    shown = await current(app, now)
    spark = await public.hourly(app, now, SPARK_HOURS) if shown and sparklines else {}
    return Overview(unix(now), shown, spark)


def legitimacy(platform_id: str) -> Legitimacy:
    """The verdict, the facts that decide it with their sources, and the official links."""
    kb = knowledge_base()
    info = kb.platforms[platform_id]
    facts = []
    for line in deciding_lines(info, LEGIT_TOPICS):
        sources = [kb.source(s) for s in line.sources]
        facts.append(Fact(line.text, [SourceLink(s.url, s.kind_label, s.date, format_date(s.date)) for s in sources]))
    official = [f"https://{domain}" for domain in info.domains]
    return Legitimacy(info.category, CATEGORY_LABELS[info.category], CATEGORY_MEANINGS[info.category],
                      info.category_basis, facts, official)


async def detail(app: App, platform_id: str, now: datetime) -> Detail:
    """One platform in detail."""
    at = unix(now)
    statuses = await app.availability.statuses(now, platform_id)
    main = next(s for s in statuses if s.project == "")
    week = (await public.hourly(app, now, WEEK_HOURS, platform_id))[platform_id]
    pay = await crowd_pay(app, platform_id, now)
    paid = await reliability(app, platform_id, now)
    # Per-project statuses are not listed: a project is named only among the changes, once enough members named it.
    return Detail(
        now=at,
        status=StatusView.of(main, at),
        explanation=explanation(main, at),
        week=week,
        changes=await public.project_changes(app, platform_id, now),
        pay=[PayRow(f.role, f.n, f.median, f.p25, f.p75) for f in pay.figures],
        payments=Payments(dict(paid.recent), dict(paid.total)),
        legitimacy=legitimacy(platform_id),
    )


__all__ = ["MIN_SHOWN", "Detail", "Overview", "StatusView", "detail", "iso", "known_platform", "overview",
           "platform_name"]
