"""Building a Digest from the reports and status events of the seven days before a moment."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.core.clock import unix
from bot.core.i18n import SOURCE, _, current, local_time
from bot.core.plural import plural
from bot.features.availability.changes import drought_endings, starts_drought
from bot.features.availability.links import live_status_url
from bot.features.availability.status import Status
from bot.features.availability.wording import label, state_label
from bot.features.digest.activity import catch_up
from bot.features.digest.chart import chart_image
from bot.features.digest.model import SHOWN_CHANGES, Change, Digest, PayMove, StatusRow
from bot.features.knowledge.platforms import get_platform
from bot.features.moderation.not_here import NotShown, not_shown
from bot.features.reports.kinds import PAYMENT_KINDS, PROJECT_KINDS
from bot.features.reports.projects import ProjectNames, project_names
from storage import digest_queries as q

if TYPE_CHECKING:
    from bot.wiring import App

WEEK = 7 * 86400
PAY_BASELINE_DAYS = 28
PAYBACK_SECONDS = PAY_BASELINE_DAYS * 86400
MIN_PAY_N = 5  # never show a median of fewer than five reports
MIN_PAY_MOVE = 0.05  # a 5% move or more is worth mentioning
MIN_REPORTERS = 2  # a project or payment problem needs two people before it is news
CHART_SERIES = 6  # the busiest platforms get their own colour; the rest are "others"


def platform_name(app: App, platform_id: str) -> str:
    """A platform's display name, or its id when the knowledge base does not know it."""
    found = get_platform(app, platform_id)
    return found.name if found is not None else platform_id


async def build_digest(app: App, community: str | None, now: datetime, timezone: str = "UTC",
                       chart: bool = True) -> Digest:
    """The digest of the seven days before `now` for a community (None: everyone), chart drawn off the loop."""
    zone = ZoneInfo(timezone)
    end = unix(now)
    start = end - WEEK
    db = app.db
    await catch_up(app, batches=1)  # the reports since the worker's last batch: the counts of people come from it
    digest = Digest(community, datetime.fromtimestamp(start, zone), datetime.fromtimestamp(end, zone))
    digest.live_url = live_status_url(app)
    bounds = day_bounds(digest.start, digest.end)
    digest.day_labels = [day_label(datetime.fromtimestamp(at, zone)) for at in bounds[:-1]]
    digest.daily, reports = await _daily(app, bounds)
    drawing = None
    if chart and any(sum(counts) for _name, counts in digest.daily):
        # The chart needs only the daily counts: draw it in a worker thread while the other queries run.
        drawing = asyncio.ensure_future(asyncio.to_thread(chart_image, digest))
    try:
        digest.changes, digest.more_changes = await _changes(app, start, end, zone, await not_shown(app, community))
        activity = await q.activity_by_platform(db, start, end, reports)
        # The status now, as /status says it: the same computation and the same words.
        live = {s.platform: s for s in await app.availability.statuses(now) if s.project == ""}
        digest.status = sorted((_status_row(app, row, live.get(row["platform"])) for row in activity),
                               key=lambda r: (-r.reports, r.name))
        digest.pay_moves = await _pay_moves(app, start, end)
        digest.reports_all, digest.contributors_all = await q.totals(db, start, end, reports=sum(reports.values()))
        if community is not None:
            digest.reports_here, digest.contributors_here = await q.totals(db, start, end, community)
        if drawing is not None:
            digest.chart = await drawing
    finally:
        if drawing is not None and not drawing.done():
            drawing.cancel()
    return digest


def day_bounds(start: datetime, end: datetime) -> list[int]:
    """The unix times that cut [start, end) into the calendar days of start's time zone: start, each local
    midnight in between, end. A week from Tuesday 08:26 has eight days, the first and last partial."""
    zone = start.tzinfo
    bounds = [unix(start)]
    day = start.date() + timedelta(days=1)
    while (midnight := unix(datetime.combine(day, time(0), zone))) < unix(end):
        bounds.append(midnight)
        day += timedelta(days=1)
    return [*bounds, unix(end)]


def day_label(moment: datetime) -> str:
    """A chart day's name: "Tue 1", "Mon 30"."""
    return local_time(moment, "EEE d") if current() != SOURCE else f"{moment:%a} {moment.day}"


def _status_row(app: App, row, status: Status | None) -> StatusRow:
    found = status or Status(row["platform"], "", "none", 0, 0, 0, 0.0, None)
    since = found.since if found.state != "none" else None
    return StatusRow(row["platform"], platform_name(app, row["platform"]), found.state, label(found), since,
                     row["reports"], row["contributors"])


CHANGE_ORDER = ("drought_started", "drought_ended", "project_ended", "project_paused", "payment_problems")


async def _changes(app: App, start: int, end: int, zone: ZoneInfo, hidden: NotShown) -> tuple[list[Change], int]:
    """The week's changes in the order shown, the first SHOWN_CHANGES worded, and how many came after those (a
    busy week has thousands: only what a post shows is named and worded)."""
    found: list[tuple[str, int, Any]] = []  # (kind, at, the row it is told from)
    events = await q.status_events_between(app.db, start, end)
    endings = await drought_endings(app.db, events)
    for event in events:
        if starts_drought(event):
            found.append(("drought_started", event["at"], event))
        elif event["id"] in endings:
            found.append(("drought_ended", event["at"], event))
    found += [(row["kind"], row["last"], row)
              for row in await q.project_reports(app.db, PROJECT_KINDS, start, end, MIN_REPORTERS)]
    payments: dict[str, dict[str, int]] = defaultdict(dict)
    for row in await q.payment_reports(app.db, PAYMENT_KINDS, start, end):
        payments[row["platform"]][row["kind"]] = row["reporters"]
    found += [("payment_problems", end, (platform_id, kinds)) for platform_id, kinds in sorted(payments.items())
              if kinds.get("paid_late", 0) + kinds.get("payment_missing", 0) >= MIN_REPORTERS]
    found.sort(key=lambda change: (CHANGE_ORDER.index(change[0]), change[1]))
    shown = found[:SHOWN_CHANGES]
    names = await project_names(app, [(row["platform"], row["project"]) for kind, _at, row in shown
                                      if kind != "payment_problems"])
    worded = [Change(kind, *_worded(app, kind, row, names, hidden, zone), at) for kind, at, row in shown]
    return worded, len(found) - len(shown)


def _worded(app: App, kind: str, row: Any, names: ProjectNames, hidden: NotShown, zone: ZoneInfo
            ) -> tuple[str, str]:
    """A change's platform name and its line."""
    if kind == "payment_problems":
        platform_id, kinds = row
        name = platform_name(app, platform_id)
        return name, _("{name}: payment problems — {late} late, {missing} missing ({on_time} paid on time)").format(
            name=name, late=kinds.get("paid_late", 0), missing=kinds.get("payment_missing", 0),
            on_time=kinds.get("paid_on_time", 0))
    name = platform_name(app, row["platform"])
    shown = names.of(row["platform"], row["project"])
    if kind in PROJECT_KINDS:
        text = (_("{name}: {project} reported ended by {people}") if kind == "project_ended" else
                _("{name}: {project} reported paused by {people}"))
        return name, text.format(name=name, project=hidden.quoted(row["platform"], row["project"], shown),
                                 people=plural(row["reporters"], "person", "people"))
    project = hidden.project(row["platform"], row["project"], shown)
    where = f"{name} ({project})" if project else name
    if kind == "drought_ended":
        return name, _("{where}: drought over, {state} again from {day}").format(
            where=where, state=state_label("flowing"), day=_event_day(row["at"], zone))
    return name, _("{where}: {state} from {day} ({members})").format(
        where=where, state=state_label("drought"), day=_event_day(row["at"], zone),
        members=plural(row["reporters"], "member", "members"))


def _event_day(at: int, zone: ZoneInfo) -> str:
    moment = datetime.fromtimestamp(at, zone)
    return local_time(moment, "EEE HH:mm") if current() != SOURCE else moment.strftime("%a %H:%M")


async def _pay_moves(app: App, start: int, end: int) -> list[PayMove]:
    medians = {(platform_id, recent): (median, n) for platform_id, recent, n, median
               in await q.pay_medians(app.db, start - PAYBACK_SECONDS, start, end, MIN_PAY_N)}
    moves = []
    for (platform_id, recent), (median_now, n_now) in medians.items():
        if not recent:
            continue
        median_before, n_before = medians[(platform_id, 0)]  # pay_medians gives both spans or neither
        move = PayMove(platform_name(app, platform_id), median_now, median_before, n_now, n_before)
        if move.median_before > 0 and abs(move.change) >= MIN_PAY_MOVE:
            moves.append(move)
    return sorted(moves, key=lambda m: (-abs(m.change), m.name))


async def _daily(app: App, bounds: list[int]) -> tuple[list[tuple[str, list[int]]], dict[str, int]]:
    """The chart's series (the busiest platforms, then the others together) and each platform's reports in all."""
    days = len(bounds) - 1
    per_platform: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for platform_id, span, reports in await q.daily_counts(app.db, bounds):
        if 0 <= span < days:
            per_platform[platform_id][span] = reports
    busiest = sorted(per_platform.items(), key=lambda item: (-sum(item[1]), item[0]))
    series = [(platform_name(app, pid), counts) for pid, counts in busiest[:CHART_SERIES]]
    rest = busiest[CHART_SERIES:]
    if rest:
        series.append((plural(len(rest), "other", "others"),
                       [sum(counts[d] for _pid, counts in rest) for d in range(days)]))
    return series, {pid: sum(counts) for pid, counts in per_platform.items()}
