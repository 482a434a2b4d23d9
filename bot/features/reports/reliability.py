"""Payment reliability from crowd reports: paid on time / late / missing, "x of n", 90 days and all time.

Importing this module adds its section to /legit through the knowledge base's LEGIT_EXTRA_SECTIONS seam
(commands/report.py imports it, so it is registered whenever the commands are loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.i18n import _, number
from bot.core.model import Field, Invocation
from bot.features.reports.kinds import DAY, PAYMENT_KINDS, label
from storage import reports as store

if TYPE_CHECKING:
    from bot.wiring import App

RECENT_SPAN = 90 * DAY


@dataclass(frozen=True)
class Reliability:
    """Payment report counts per kind, recent (90 days) and all time; account restrictions too."""

    recent: dict[str, int]
    total: dict[str, int]
    restricted_recent: int

    @property
    def recent_n(self) -> int:
        """Payment reports in the last 90 days."""
        return sum(self.recent.values())

    @property
    def total_n(self) -> int:
        """Payment reports all time."""
        return sum(self.total.values())


async def reliability(app: App, platform: str, now: datetime) -> Reliability:
    """Payment reliability of one platform."""
    rows = await store.kind_counts(app.db, platform, (*PAYMENT_KINDS, "account_restricted"), unix(now) - RECENT_SPAN)
    recent = dict.fromkeys(PAYMENT_KINDS, 0)
    total = dict.fromkeys(PAYMENT_KINDS, 0)
    restricted = 0
    for kind, count, recent_count in rows:
        if kind == "account_restricted":
            restricted = int(recent_count or 0)
        else:
            total[kind], recent[kind] = int(count), int(recent_count or 0)
    return Reliability(recent, total, restricted)


def _x_of_n(counts: dict[str, int], n: int) -> str:
    return "; ".join(_("{kind} {count} of {n}").format(kind=label(kind), count=number(counts[kind]), n=number(n))
                     for kind in PAYMENT_KINDS)


def reliability_fields(result: Reliability, platform_id: str) -> list[Field]:
    """Payment reliability as reply fields (plain text)."""
    if result.total_n == 0:
        text = _("No payment reports yet. Got paid? /report {platform} paid_on_time (or paid_late, "
                 "payment_missing).").format(platform=platform_id)
    else:
        recent = _x_of_n(result.recent, result.recent_n) if result.recent_n else _("no reports")
        text = _("Last 90 days: {recent}.").format(recent=recent) + "\n" + _("All time: {total}.").format(
            total=_x_of_n(result.total, result.total_n))
    fields = [Field(_("Payments reported by members"), text)]
    if result.restricted_recent:
        fields.append(Field(_("Account restrictions reported (90 days)"), number(result.restricted_recent)))
    return fields


async def reliability_section(inv: Invocation, platform_id: str, **context: object) -> list[Field | str]:
    """The payment record /legit shows after the knowledge-base facts."""
    return reliability_fields(await reliability(inv.app, platform_id, inv.now), platform_id)

