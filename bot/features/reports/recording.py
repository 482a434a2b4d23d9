"""Recording crowd reports: kinds, dedupe windows, a per-person rate limit, clean notes and plausible values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.errors import BadArgument, RateLimited, quoted
from bot.core.expiring import ExpiringCache
from bot.core.feature import Person
from bot.core.i18n import N_, _
from bot.core.model import Actor
from bot.core.plural import plural
from bot.core.ratelimit import RateLimiter
from bot.features.knowledge import parse_currency, to_usd
from bot.features.moderation.actions import ensure_not_barred
from bot.features.reports.kinds import KINDS, PROJECT_KINDS
from bot.features.reports.projects import project_names
from storage import project_names as project_store
from storage import reports as store
from storage.database import Row

if TYPE_CHECKING:
    from bot.wiring import App



ROLE_TIERS = {
    "generalist": N_("generalist (writing, rating, general tasks)"),
    "specialist": N_("specialist (coding, STEM, languages)"),
    "expert": N_("expert (professional or PhD)"),
}

# A person may file this many reports an hour (across platforms); generous for honest use, a wall for floods.
REPORTS_PER_HOUR = 20
NOTE_MAX = 200
# Shown project names known to be stored: a project's report then costs no read of its name and no write. Kept
# briefly, so a name another process deleted (a retraction from the command line) is written again soon.
NAME_CACHE_SIZE, NAME_CACHE_SECONDS = 5_000, 300.0
PROJECT_MAX = 60
# Plausible ranges: anything outside is refused with the range, so one typo cannot skew a median.
HOURLY_USD_RANGE = (0.5, 300.0)
ONBOARDING_HOURS_RANGE = (0.25, 200.0)

_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """Strip control and format characters (including bidi overrides) and collapse whitespace."""
    kept = "".join(" " if ch in "\t\r\n" else ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf")
                   or ch in "\t\r\n")
    return _WHITESPACE.sub(" ", kept).strip()


def clean_note(note: str | None) -> str | None:
    """A note fit to store: cleaned, at most NOTE_MAX characters, None when empty."""
    if note is None:
        return None
    cleaned = clean_text(note)
    if len(cleaned) > NOTE_MAX:
        raise BadArgument(
            _("Your note is {length} characters long; notes can be at most {limit}.").format(
                length=len(cleaned), limit=NOTE_MAX),
            hint=_("Shorten it and send the report again. Notes are shown only to moderators."),
        )
    return cleaned or None


def shown_project(project: str | None) -> str:
    """A project name as typed, fit to show: cleaned, case kept; '' for the platform as a whole."""
    if project is None:
        return ""
    cleaned = clean_text(project)
    if len(cleaned) > PROJECT_MAX:
        raise BadArgument(_("That project name is {length} characters long; at most {limit}, please.").format(
            length=len(cleaned), limit=PROJECT_MAX))
    return cleaned


def window_start(kind: str, at: int) -> int:
    """The start of the dedupe window of this kind that contains `at`."""
    length = KINDS[kind].window
    return at - at % length


@dataclass(frozen=True)
class Recorded:
    """What was recorded, for the acknowledgement."""

    platform: str
    kind: str
    project: str  # the normalised key
    window: int
    refreshed: bool = False  # it refreshed the member's earlier report in the same window
    project_name: str = ""  # the project as shown (the first reporter's form)


class Reports:
    """The report-recording service (one per app): validation, rate limit, one-statement upsert."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._limiter = RateLimiter(app.clock, REPORTS_PER_HOUR, timedelta(hours=1))
        self._names: ExpiringCache[tuple[str, str], str] = ExpiringCache(NAME_CACHE_SIZE, NAME_CACHE_SECONDS,
                                                                         app.clock.monotonic)
        self._newest_write: int | None = None  # the time of this process's latest report; None before the first

    def reporter_key(self, actor: Actor) -> str:
        """The keyed hash a member's reports are stored under."""
        return self.app.person_key(str(actor.platform), actor.user_id)

    async def mine(self, actor: Actor, limit: int) -> list[Row]:
        """A member's newest reports."""
        return await store.reports_of(self.app.db, self.reporter_key(actor), limit)

    async def clamp_future(self, now: datetime) -> int:
        """Bring report times stamped later than now (by a clock that ran ahead) back to now; how many changed."""
        at = unix(now)
        self._newest_write = min(self._newest_write or at, at)
        return await store.clamp_future(self.app.db, tuple(KINDS), at, at)

    async def count_of(self, reporter: str) -> int:
        """How many reports a reporter (keyed hash) has stored."""
        return await store.count_of(self.app.db, reporter)

    async def retract(self, actor: Actor, report_id: int) -> tuple[Row, str] | None:
        """Delete one of the member's own reports; returns it with its project's shown name, or None when it is
        not theirs."""
        row = await store.delete_report(self.app.db, report_id, self.reporter_key(actor))
        if row is None:
            return None
        pair = (row["platform"], row["project"])
        shown = (await project_names(self.app, [pair])).of(*pair)
        self._names.pop(pair)
        await project_store.forget_unused(self.app.db, [pair])
        return row, shown

    async def _shown_name(self, pair: tuple[str, str], typed: str) -> str:
        """The name a project is shown by: the stored one, else this report's form, stored now."""
        shown = self._names.get(pair)
        if shown is None:
            shown = await project_store.shown_name(self.app.db, *pair)
            if shown is None:
                await project_store.remember(self.app.db, *pair, typed)
            shown = self._names[pair] = shown or typed
        return shown

    def forget_names(self, pairs: list[tuple[str, str]]) -> None:
        """Drop remembered shown names of projects whose names may be deleted."""
        for pair in pairs:
            self._names.pop(pair)

    def _check_rate(self, reporter: str) -> None:
        wait = self._limiter.hit(reporter)
        if wait is not None:
            minutes = max(1, round(wait / 60))
            raise RateLimited(
                _("You've sent {count} reports in the last hour, the most I take from one person.").format(
                    count=REPORTS_PER_HOUR),
                hint=_("Try again in about {minutes}. Your earlier reports are all counted.").format(
                    minutes=plural(minutes, "minute", "minutes")),
            )

    async def record(
        self,
        actor: Actor,
        community: str | None,
        platform: str,
        kind: str,
        now: datetime,
        project: str | None = None,
        note: str | None = None,
        **values: float | str | bool | None,
    ) -> Recorded:
        """Validate and store one report (a repeat in the same window refreshes the earlier one)."""
        if kind not in KINDS:
            raise BadArgument(_("I don't know the report kind {kind}.").format(kind=quoted(kind)),
                              hint=_("Use one of: {kinds}").format(kinds=", ".join(KINDS)))
        project_name = shown_project(project)
        project_key = project_name.lower()
        if kind in PROJECT_KINDS and not project_key:
            raise BadArgument(
                (_("Which project was paused? Add its name.") if kind == "project_paused" else
                 _("Which project ended? Add its name.")),
                hint=_('Example: /report {platform} {kind} "Project Name"').format(platform=platform, kind=kind),
            )
        clean = clean_note(note)
        reporter = self.reporter_key(actor)
        at = unix(now)
        await ensure_not_barred(self.app, reporter, at, community)
        self._check_rate(reporter)
        report = store.NewReport(
            reporter=reporter, platform=platform, kind=kind, project=project_key,
            window_start=window_start(kind, at), at=at, community=community, note=clean, **values,  # type: ignore[arg-type]
        )
        if self._newest_write is None or at < self._newest_write:
            # The first write, or the wall clock went back: no stored report may stay later than this one, or
            # it would outweigh it as the member's latest word. Seen from now, those were made just before.
            await store.clamp_future(self.app.db, tuple(KINDS), at, at - 1)
        self._newest_write = at
        refreshed = await store.upsert_report(self.app.db, report)
        self.app.metrics.report_recorded(kind)
        if project_key:  # the first reporter's form is kept: read it, and write only a project's first name
            project_name = await self._shown_name((platform, project_key), project_name)
        return Recorded(platform, kind, project_key, KINDS[kind].window, refreshed, project_name)

    async def record_payrate(
        self, actor: Actor, community: str | None, platform: str, amount: float, currency: str, now: datetime,
        role: str | None = None, project: str | None = None,
    ) -> tuple[Recorded, float, date]:
        """Validate and store an hourly pay figure; returns it normalised to USD, and the date of the rates used."""
        code = parse_currency(clean_text(currency))
        table = self.app.fx.table(code, "USD")  # the newest exchange rates the app has
        usd = to_usd(amount, code, table)
        low, high = HOURLY_USD_RANGE
        if not low <= usd <= high:
            scale = usd / amount if amount else 1.0
            raise BadArgument(
                f"{amount:g} {code} an hour is outside the range I accept "
                f"({low / scale:,.2f} to {high / scale:,.2f} {code}, that is ${low:,.2f} to ${high:,.2f} an hour).",
                hint=_("Report what you earned per hour of work (not per task or per week)."),
            )
        recorded = await self.record(
            actor, community, platform, "payrate", now, project=project,
            amount=amount, currency=code, hourly_usd=round(usd, 2), role=role,
        )
        return recorded, usd, table.date

    async def record_onboarding(
        self, actor: Actor, community: str | None, platform: str, hours: float, paid: bool, now: datetime
    ) -> Recorded:
        """Validate and store hours spent on assessments and training."""
        low, high = ONBOARDING_HOURS_RANGE
        if not low <= hours <= high:
            raise BadArgument(
                f"{hours:g} hours is outside the range I accept ({low:g} to {high:g} hours).",
                hint=_("Count the hours you spent on assessments, tests and training before regular paid work."),
            )
        return await self.record(actor, community, platform, "onboarding", now, hours=hours, paid=paid)


async def forget_reports(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete every report a person filed, and the project names no one else's report uses."""
    projects = await store.projects_of(app.db, person.key)
    deleted = await store.delete_reporter(app.db, person.key)
    app.reports.forget_names(projects)
    await project_store.forget_unused(app.db, projects)
    return [(N_("reports"), deleted)]


DATA_KEPT = ((
    N_("Reports"),
    N_("what you reported (platform, kind, project, time, pay or hours, your note) under a keyed hash of your "
       "account, never your name or id; /myreports lists them, /retract removes one, /forget removes all"),
),)
