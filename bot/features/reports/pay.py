"""Crowd pay figures: hourly median and 25th-75th percentile per role tier, and onboarding's effect on them.

Importing this module adds its section to /pay through the knowledge base's PAY_EXTRA_SECTIONS seam
(commands/payrate.py imports it, so it is registered whenever the commands are loaded).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.model import Field, Invocation
from bot.core.plural import plural
from bot.features.reports.kinds import DAY
from bot.features.reports.recording import ROLE_TIERS
from storage import reports as store

if TYPE_CHECKING:
    from bot.wiring import App

PAY_SPAN = 90 * DAY  # pay changes; only the last 90 days of reports count
ONBOARDING_SPAN = 365 * DAY  # onboarding reports of the last 12 months: one per person (its dedupe window)
MIN_SHOWN = 5  # a figure from fewer than 5 people is hidden (too easy to skew, too easy to identify someone)
EFFECTIVE_PAID_HOURS = (20, 100)  # show the effective rate over the first 20 and 100 paid hours
ALL_ROLES = "all roles"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The percentile of sorted values by linear interpolation between closest ranks."""
    return counted_percentile([(value, 1) for value in sorted_values], fraction)


def counted_percentile(counted: Sequence[tuple[float, int]], fraction: float) -> float:
    """The same percentile of the values that (value, how many times) pairs in ascending order stand for."""
    position = (sum(n for _value, n in counted) - 1) * fraction
    low = int(position)
    low_value = high_value = None
    seen = 0
    for value, n in counted:
        seen += n
        if low_value is None and seen > low:
            low_value = value
        if seen > low + 1:
            high_value = value
            break
    high_value = low_value if high_value is None else high_value
    return low_value + (high_value - low_value) * (position - low)


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


def _figure(role: str, counted: list[tuple[float, int]]) -> PayFigure:
    n = sum(count for _value, count in counted)
    if n < MIN_SHOWN:
        return PayFigure(role, n)
    return PayFigure(role, n, counted_percentile(counted, 0.5), counted_percentile(counted, 0.25),
                     counted_percentile(counted, 0.75))


def _merged(groups: Iterable[list[tuple[float, int]]]) -> list[tuple[float, int]]:
    total: Counter[float] = Counter()
    for counted in groups:
        for value, n in counted:
            total[value] += n
    return sorted(total.items())


async def crowd_pay(app: App, platform: str, now: datetime) -> CrowdPay:
    """The crowd pay figures of one platform (each person's figure counts once per 30-day window)."""
    by_role: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for role, value, n in await store.pay_figures(app.db, platform, unix(now) - PAY_SPAN):
        by_role[role].append((float(value), int(n)))  # in order of value
    figures = [_figure(ALL_ROLES, _merged(by_role.values()))]
    figures += [_figure(role, by_role[role]) for role in ROLE_TIERS if role in by_role]
    onboarding_n = 0
    unpaid: list[tuple[float, int]] = []
    for paid, hours, n in await store.onboarding_hours(app.db, platform, unix(now) - ONBOARDING_SPAN):
        onboarding_n += n
        if paid == "0" and hours >= 0:  # -1: no hours given
            unpaid.append((float(hours), int(n)))
    unpaid_n = sum(n for _hours, n in unpaid)
    unpaid_median = counted_percentile(unpaid, 0.5) if unpaid_n >= MIN_SHOWN else None
    effective = []
    if unpaid_median is not None and figures[0].median is not None:
        effective = [(paid, figures[0].median * paid / (paid + unpaid_median)) for paid in EFFECTIVE_PAID_HOURS]
    return CrowdPay(figures, onboarding_n, unpaid_median, effective)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def pay_fields(pay: CrowdPay, platform_id: str) -> list[Field]:
    """The crowd pay figures as reply fields (plain text)."""
    lines = []
    for figure in pay.figures:
        if figure.median is None:
            more = figure.missing
            lines.append(f"{figure.role}: {plural(figure.n, 'report')} so far; "
                         f"{more} more needed to show a figure")
        else:
            lines.append(f"{figure.role}: median {_money(figure.median)}/h "
                         f"(middle half {_money(figure.p25)}-{_money(figure.p75)}), n = {figure.n}")
    fields = [Field("Crowd-reported hourly pay, last 90 days (USD)", "\n".join(lines))]
    if pay.unpaid_hours_median is not None:
        text = (f"Median unpaid onboarding, last 12 months: {pay.unpaid_hours_median:g} h "
                f"(n = {pay.onboarding_n}).")
        if pay.effective:
            text += " Effective rate counting it: " + "; ".join(
                f"over your first {paid} paid hours {_money(rate)}/h" for paid, rate in pay.effective
            ) + "."
        fields.append(Field("Unpaid onboarding", text))
    elif pay.onboarding_n:
        fields.append(Field("Unpaid onboarding", f"{plural(pay.onboarding_n, 'onboarding report')} in the last 12 "
                            f"months; {MIN_SHOWN} unpaid ones are needed to show a median."))
    fields.append(Field("Add yours", f"/payrate {platform_id} <amount> <currency> [role] and "
                        f"/onboarding {platform_id} <hours> [paid]"))
    return fields


async def pay_section(inv: Invocation, platform_id: str, **context: object) -> list[Field | str]:
    """The crowd pay figures /pay shows after the knowledge-base facts."""
    return pay_fields(await crowd_pay(inv.app, platform_id, inv.now), platform_id)

