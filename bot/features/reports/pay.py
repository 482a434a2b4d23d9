"""Crowd pay figures: hourly median and 25th-75th percentile per role tier, and onboarding's effect on them.

Importing this module adds its section to /pay through the knowledge base's PAY_EXTRA_SECTIONS seam
(commands/payrate.py imports it, so it is registered whenever the commands are loaded).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core import i18n
from bot.core.clock import unix
from bot.core.i18n import N_, _
from bot.core.model import Field, Invocation
from bot.core.plural import plural
from bot.features.reports.kinds import DAY
from bot.features.reports.recording import ROLE_TIERS
from storage import reports as store
from storage.aggregates import ALL_TAGS

if TYPE_CHECKING:
    from bot.wiring import App

PAY_SPAN = 90 * DAY  # pay changes; only the last 90 days of reports count
ONBOARDING_SPAN = 365 * DAY  # onboarding reports of the last 12 months: one per person (its dedupe window)
MIN_SHOWN = 5  # a figure from fewer than 5 people is hidden (too easy to skew, too easy to identify someone)
EFFECTIVE_PAID_HOURS = (20, 100)  # show the effective rate over the first 20 and 100 paid hours
UNPAID = "0"  # the tag of unpaid onboarding (storage/aggregates.py PAID_TAG): the only one whose hours are shown
ALL_ROLES = N_("all roles")
ROLE_NAMES = (N_("generalist"), N_("specialist"), N_("expert"))  # figure.role, translated where shown


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The percentile of sorted values by linear interpolation between closest ranks."""
    position = (len(sorted_values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


@dataclass(frozen=True)
class PayFigure:
    """The crowd's hourly pay for one role tier (USD), or how many more reports would show it."""

    role: str
    n: int
    median: float | None = None
    p25: float | None = None
    p75: float | None = None

    @property
    def missing(self) -> int:
        """How many more reports are needed before the figure is shown."""
        return max(0, MIN_SHOWN - self.n)


@dataclass(frozen=True)
class CrowdPay:
    """A platform's crowd pay: per role tier, unpaid onboarding, and the effective rate after it."""

    figures: list[PayFigure]
    onboarding_n: int  # onboarding reports of the last ONBOARDING_SPAN
    unpaid_hours_median: float | None
    effective: list[tuple[int, float]]  # (paid hours, effective hourly USD) for the all-roles median


@dataclass
class Ranked:
    """Of one tag's figures: how many (`n`), and the distinct figures at the ranks its quartiles need."""

    n: int = 0
    ranked: list[tuple[float, int, int]] = field(default_factory=list)  # (value, figures below it, its count)
    counted: int = 0  # reports of the tag, also those without a figure

    def at(self, rank: int) -> float:
        """The figure at this rank (0 = the lowest)."""
        return next(value for value, below, n in self.ranked if below <= rank < below + n)

    def percentile(self, fraction: float) -> float:
        """As percentile() of the sorted figures: linear interpolation between closest ranks."""
        position = (self.n - 1) * fraction
        low = int(position)
        low_value, high_value = self.at(low), self.at(min(low + 1, self.n - 1))
        return low_value + (high_value - low_value) * (position - low)


def _ranked(rows) -> dict[str, Ranked]:
    found: dict[str, Ranked] = defaultdict(Ranked)
    for tag, value, below, n, total in rows:
        if value is None:
            found[tag].counted = int(total)
        else:
            found[tag].n = int(total)
            found[tag].ranked.append((float(value), int(below), int(n)))
    return found


def _figure(role: str, ranked: Ranked) -> PayFigure:
    if ranked.n < MIN_SHOWN:
        return PayFigure(role, ranked.n)
    return PayFigure(role, ranked.n, ranked.percentile(0.5), ranked.percentile(0.25), ranked.percentile(0.75))


async def crowd_pay(app: App, platform: str, now: datetime) -> CrowdPay:
    """The crowd pay figures of one platform (each person's figure counts once per 30-day window)."""
    pay_rows, onboarding_rows = await asyncio.gather(  # (one read's rows are walked while the other runs)
        store.pay_figures(app.db, platform, unix(now) - PAY_SPAN),
        store.onboarding_hours(app.db, platform, unix(now) - ONBOARDING_SPAN, (UNPAID,)))
    by_role = _ranked(pay_rows)
    figures = [_figure(ALL_ROLES, by_role.get(ALL_TAGS, Ranked()))]
    figures += [_figure(role, by_role[role]) for role in ROLE_TIERS if role in by_role]
    onboarding = _ranked(onboarding_rows)
    onboarding_n = sum(ranked.counted for tag, ranked in onboarding.items() if tag != ALL_TAGS)
    unpaid = onboarding.get(UNPAID, Ranked())
    unpaid_median = unpaid.percentile(0.5) if unpaid.n >= MIN_SHOWN else None
    effective = []
    if unpaid_median is not None and figures[0].median is not None:
        effective = [(paid, figures[0].median * paid / (paid + unpaid_median)) for paid in EFFECTIVE_PAID_HOURS]
    return CrowdPay(figures, onboarding_n, unpaid_median, effective)


def _money(value: float) -> str:
    return f"${value:,.2f}" if i18n.current() == i18n.SOURCE else i18n.money(value, "USD")


def pay_fields(pay: CrowdPay, platform_id: str) -> list[Field]:
    """The crowd pay figures as reply fields (plain text)."""
    lines = []
    for figure in pay.figures:
        if figure.median is None:
            more = figure.missing
            lines.append(_("{role}: {reports} so far; {more} more needed to show a figure").format(
                role=_(figure.role), reports=plural(figure.n, "report", "reports"), more=more))
        else:
            lines.append(_("{role}: median {median}/h (middle half {low}-{high}), n = {n}").format(
                role=_(figure.role), median=_money(figure.median), low=_money(figure.p25), high=_money(figure.p75),
                n=figure.n))
    fields = [Field(_("Crowd-reported hourly pay, last 90 days (USD)"), "\n".join(lines))]
    if pay.unpaid_hours_median is not None:
        text = _("Median unpaid onboarding, last 12 months: {hours} h (n = {n}).").format(
            hours=i18n.number(pay.unpaid_hours_median), n=pay.onboarding_n)
        if pay.effective:
            text += " " + _("Effective rate counting it: {rates}.").format(rates="; ".join(
                _("over your first {paid} paid hours {rate}/h").format(paid=paid, rate=_money(rate))
                for paid, rate in pay.effective))
        fields.append(Field(_("Unpaid onboarding"), text))
    elif pay.onboarding_n:
        fields.append(Field(_("Unpaid onboarding"), _(
            "{reports} in the last 12 months; {needed} unpaid ones are needed to show a median.").format(
            reports=plural(pay.onboarding_n, "onboarding report", "onboarding reports"), needed=MIN_SHOWN)))
    fields.append(Field(_("Add yours"), _("/payrate {platform} <amount> <currency> [role] and /onboarding "
                                          "{platform} <hours> [paid]").format(platform=platform_id)))
    return fields


async def pay_section(inv: Invocation, platform_id: str, **context: object) -> list[Field | str]:
    """The crowd pay figures /pay shows after the knowledge-base facts."""
    return pay_fields(await crowd_pay(inv.app, platform_id, inv.now), platform_id)

