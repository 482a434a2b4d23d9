"""Moderation: hide reports for a stated rule, bar reporters without revealing them, notes, the audit log.

Glassdoor's rule applies: nothing is hidden for being negative; a hide or a bar needs a reason that
names a broken rule, and every moderator action lands in the community's audit log (Turkopticon 2).
Moderators act only on reports made in their own community. Operators (QUEUEWATCH_OPERATORS), from a private
chat with the bot or the `queuewatch mod` command line, act on every report, private-chat ones included: their
action on a report goes in the log of the community the report came from, or in the OPERATOR_LOG for a report
sent in a private chat, and a bar they place is theirs (only an operator lifts it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.clock import unix
from bot.core.errors import BadArgument, NotAllowed, NotFound
from bot.core.feature import Person
from bot.core.i18n import N_, _
from bot.core.model import Field
from bot.core.timetext import format_time
from bot.features.availability import brigading, trust
from storage import moderation as store
from storage import reports as reports_store
from storage.database import Row

if TYPE_CHECKING:
    from bot.core.model import Invocation
    from bot.wiring import App

MAX_REASON = 300
MIN_REASON = 3
MAX_NOTE = 500
MAX_BAR_DAYS = 365
BARS_CACHE_SECONDS = 60  # another process changing bars is seen within a minute; this one's changes at once
CLEAR_WORDS = {"clear", "remove", "delete", "none", "-"}
OPERATOR_LOG = "operator"  # the audit log (and bar owner) of operators; never a community key ("platform:id")

# What a hide or bar may be for; shown whenever a reason is refused.
RULES = "spam or advertising, abuse or harassment, personal information, off-topic, a duplicate, or false/brigading"
# A reason naming one of these is accepted (substring match on the lower-cased reason).
RULE_WORDS = (
    "spam", "advert", "promo", "referral", "abus", "harass", "insult", "slur", "threat", "hate", "nsfw",
    "personal", "private", "doxx", "email", "phone", "address", "real name", "off-topic", "off topic",
    "offtopic", "unrelated", "duplicate", "dupe", "false", "fake", "made up", "brigad", "troll",
    "coordinated", "sockpuppet", "impersonat", "scam link", "phishing", "malware", "illegal", "mistake",
    "wrong platform", "test report", "requested by",
)
# A reason made only of these says the report is unwelcome, not that it breaks a rule: refused.
NEGATIVE_WORDS = (
    "negative", "bad review", "complain", "complaint", "disagree", "don't like", "dont like", "dislike",
    "unflattering", "critic", "pessimis", "harsh", "look bad", "looks bad", "bad press", "bad publicity",
    "not positive", "too negative", "unfair to", "hurts the", "bad for", "whining", "whine",
)

# What /forget says it removed (storage/moderation.py names them), marked here so they are translated when shown.
FORGOTTEN = (N_("expired reporting bars"), N_("moderation log entries (no longer linked to you, the actions kept)"),
             N_("community notes (no longer linked to you)"))
DATA_KEPT = ((
    N_("Moderation"),
    N_("if a moderator bars you from reporting: the bar's end date and reason under your keyed hash (kept "
       "until the bar ends, even after /forget, so /forget cannot lift a bar); if you are a moderator: your "
       "keyed hash on the actions you took, in that community's moderation log (shown as \"a moderator\"; "
       "/forget unlinks you from them)"),
),)


@dataclass(frozen=True)
class ModContext:
    """Who is moderating, in which community, and when."""

    app: App
    community: str  # OPERATOR_LOG for an operator
    actor: str  # keyed hash (never a name: the audit log shows "a moderator")
    now: int
    operator: bool = False  # an operator, acting on every community's reports

    @classmethod
    def of(cls, inv: Invocation) -> ModContext:
        """The context of a moderator command (the dispatcher has checked access and the community)."""
        operator = inv.actor.is_operator and inv.place.is_private
        community = OPERATOR_LOG if operator else inv.place.community_key
        if community is None:
            raise NotAllowed("Moderator commands work in a community, not in a private chat.")
        key = inv.app.person_key(inv.actor.platform, inv.actor.user_id)
        return cls(inv.app, community, key, unix(inv.now), operator)

    @property
    def reports_of(self) -> str | None:
        """The community whose reports this context acts on; None for an operator (every report)."""
        return None if self.operator else self.community

    def log_for(self, report: Row | None) -> str:
        """Whose audit log an action on this report goes in: this community's; for an operator, the report's
        community's, or the OPERATOR_LOG for a private-chat report (or one deleted since)."""
        if self.operator:
            return (report["community"] if report is not None else None) or OPERATOR_LOG
        return self.community


def check_reason(reason: str | None, action: str, example: str) -> str:
    """A usable reason for a hide or a bar; refuses empty reasons and reasons that only say "negative"."""
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON:
        raise BadArgument(
            f"Please give a reason to {action}: which rule does it break? ({RULES})",
            hint=f"Example: {example}",
        )
    if len(text) > MAX_REASON:
        raise BadArgument(f"Please keep the reason under {MAX_REASON} characters.", hint=f"Example: {example}")
    lowered = text.lower()
    if not any(word in lowered for word in RULE_WORDS) and any(word in lowered for word in NEGATIVE_WORDS):
        raise BadArgument(
            f"I can't {action} for being negative. Negative reports are how members warn each other; "
            "hiding them would make the data lie.",
            hint=f"Hide or bar only for a broken rule: {RULES}. Example: {example}",
        )
    return text


async def find_report(ctx: ModContext, report_id: int) -> Row | None:
    """A report this context may act on: this community's, or any for an operator; None when there is none."""
    if ctx.operator:
        return await store.report_by_id(ctx.app.db, report_id)
    return await store.report_in_community(ctx.app.db, report_id, ctx.community)


async def report_here(ctx: ModContext, report_id: int) -> Row:
    """A report made in this community, or NotFound (reports from elsewhere are not this community's to act on)."""
    row = await find_report(ctx, report_id)
    if row is None:
        raise NotFound(
            f"There's no report #{report_id}." if ctx.operator else
            f"There's no report #{report_id} from this community.",
            hint="Use /mod_reports to see recent reports and their ids.",
        )
    return row


async def hide_report(ctx: ModContext, report_id: int, reason: str) -> Row:
    """Hide a report (it stops counting everywhere) and log it; returns the report."""
    text = check_reason(reason, "hide a report", f"/mod_hide {report_id} spam: advert for a referral link")
    row = await report_here(ctx, report_id)
    if row["hidden"]:
        raise BadArgument(
            f"Report #{report_id} is already hidden (reason: {row['hidden_reason'] or 'not given'}).",
            hint=f"Use /mod_unhide {report_id} to show it again.",
        )
    async with ctx.app.db.transaction() as tx:
        await store.set_hidden(tx, report_id, True, text)
        await store.add_log(tx, ctx.log_for(row), ctx.actor, "hide", ctx.now, report_id,
                            row["platform"], text)
    return row


async def unhide_report(ctx: ModContext, report_id: int, reason: str | None) -> Row:
    """Show a hidden report again and log it; returns the report."""
    row = await report_here(ctx, report_id)
    if not row["hidden"]:
        raise BadArgument(f"Report #{report_id} is not hidden.", hint="Use /mod_reports to see which are.")
    async with ctx.app.db.transaction() as tx:
        await store.set_hidden(tx, report_id, False, None)
        await store.add_log(tx, ctx.log_for(row), ctx.actor, "unhide", ctx.now, report_id,
                            row["platform"], " ".join((reason or "").split())[:MAX_REASON])
    return row


async def bar_reporter(ctx: ModContext, report_id: int, days: int, reason: str) -> int:
    """Bar the reporter of a report from reporting for `days` (their reports weigh 0); returns when it ends."""
    text = check_reason(reason, "bar a reporter", f"/mod_bar {report_id} 14 brigading: 20 copies of one claim")
    if not 1 <= days <= MAX_BAR_DAYS:
        raise BadArgument(f"A bar lasts from 1 to {MAX_BAR_DAYS} days.", hint=f"Example: /mod_bar {report_id} 14 spam")
    row = await report_here(ctx, report_id)
    until = ctx.now + days * 86400
    async with ctx.app.db.transaction() as tx:
        await store.put_bar(tx, row["reporter"], ctx.community, report_id, until, text, ctx.now)
        await store.add_log(tx, ctx.log_for(row), ctx.actor, "bar", ctx.now, report_id,
                            row["platform"], f"{days} days: {text}")
    trust.forget_cached(ctx.app, [row["reporter"]])
    ctx.app.bars.invalidate()
    return until


async def unbar_reporter(ctx: ModContext, report_id: int, reason: str | None) -> None:
    """Lift this community's bar on the reporter of a report (even if the report is gone since), and log it.

    An operator lifts every bar on that reporter; each lift goes in the log of the community that placed it.
    """
    report = await find_report(ctx, report_id)
    bar = await store.bar_by_report(ctx.app.db, report_id, ctx.reports_of)
    if report is None and bar is None:
        await report_here(ctx, report_id)  # raises NotFound
    reporter = report["reporter"] if report is not None else bar["reporter"]
    async with ctx.app.db.transaction() as tx:
        lifted = await store.lift_bars(tx, reporter, ctx.reports_of)
        for owner in lifted:
            await store.add_log(tx, ctx.log_for(report) if owner == OPERATOR_LOG else owner, ctx.actor,
                                "unbar", ctx.now, report_id,
                                report["platform"] if report is not None else None,
                                " ".join((reason or "").split())[:MAX_REASON])
    if not lifted:
        raise BadArgument(
            f"The reporter of report #{report_id} is not barred" + ("." if ctx.operator else " by this community."),
            hint="Bars placed by other communities can only be lifted by their moderators (or an operator).",
        )
    trust.forget_cached(ctx.app, [reporter])
    ctx.app.bars.invalidate()


async def set_note(ctx: ModContext, platform: str, text: str) -> bool:
    """Set this community's note about a platform, or clear it with "clear"; returns False when cleared."""
    note = text.strip()
    if note.lower() in CLEAR_WORDS:
        async with ctx.app.db.transaction() as tx:
            removed = await store.clear_note(tx, ctx.community, platform)
            if removed:
                await store.add_log(tx, ctx.community, ctx.actor, "note_cleared", ctx.now,
                                    platform=platform)
        if not removed:
            raise BadArgument("This community has no note about that platform to clear.")
        return False
    if len(note) > MAX_NOTE:
        raise BadArgument(f"A note can be at most {MAX_NOTE} characters (this one has {len(note)}).")
    async with ctx.app.db.transaction() as tx:
        await store.set_note(tx, ctx.community, platform, note, ctx.actor, ctx.now)
        await store.add_log(tx, ctx.community, ctx.actor, "note", ctx.now, platform=platform,
                            reason=note[:MAX_REASON])
    return True


async def audit_log(ctx: ModContext, count: int) -> list[Row]:
    """The community's newest moderator actions (an operator: every log's)."""
    return await store.recent_log(ctx.app.db, ctx.reports_of, count)


async def community_note(app: App, community: str | None, platform: str) -> str | None:
    """The note this community's moderators wrote about a platform, or None (always None in private)."""
    if community is None:
        return None
    row = await store.get_note(app.db, community, platform)
    return None if row is None else row["text"]


async def note_section(inv: Invocation, platform_id: str, **context: object) -> list[Field | str]:
    """This community's note under /legit (the knowledge base's LEGIT_EXTRA_SECTIONS seam); none in private."""
    text = await community_note(inv.app, inv.place.community_key, platform_id)
    return [Field(_("Note from this community's moderators"), text)] if text else []



class ActiveBars:
    """Every active bar, held in memory (bars are few; every report checks them), reloaded each BARS_CACHE_SECONDS
    of monotonic time (a wall clock stepped back must not keep an old copy)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._bars: dict[str, Row] = {}
        self._loaded: float | None = None

    def invalidate(self) -> None:
        """Reload on next use (after a bar or unbar)."""
        self._loaded = None

    async def get(self, reporter: str, now: int) -> Row | None:
        """The reporter's longest active bar, or None."""
        moment = self.app.clock.monotonic()
        if self._loaded is None or moment - self._loaded >= BARS_CACHE_SECONDS:
            rows = await store.all_active_bars(self.app.db, now)
            self._bars, self._loaded = {row["reporter"]: row for row in rows}, moment
        bar = self._bars.get(reporter)
        return bar if bar is not None and bar["until"] > now else None


async def active_bar(app: App, reporter: str, now: int) -> Row | None:
    """The reporter's longest active bar, or None."""
    return await app.bars.get(reporter, now)


async def ensure_not_barred(app: App, reporter: str, now: int, community: str | None = None) -> None:
    """Refuse a report from a barred reporter, saying until when, why, and how to appeal."""
    bar = await active_bar(app, reporter, now)
    if bar is None:
        return
    here = bar["community"] == community
    who = "this community's moderators" if here else "the moderators of a community you reported in"
    if bar["community"] == OPERATOR_LOG:
        who = "the bot's operators"
    raise NotAllowed(
        f"You can't send reports until {format_time(bar['until'])}: {who} barred you from reporting "
        f"(reason: {bar['reason']}). Everything else in the bot still works for you.",
        hint="If you think this is a mistake, message them and ask them to review it; "
        "they can lift the bar with /mod_unbar.",
    )


@dataclass(frozen=True)
class ReportView:
    """A report as moderators see it: no identity, but its weight and whether the brigading guard flagged it."""

    row: Row
    weight: float
    unconfirmed: bool


async def recent_reports(app: App, community: str | None, platform: str | None, limit: int = 20) -> list[ReportView]:
    """The newest reports made in this community (None: everywhere), hidden ones too, with trust and the
    brigading flag."""
    rows = await store.community_reports(app.db, community, platform, limit)
    if not rows:
        return []
    weights = await trust.trust_weights(app, [r["reporter"] for r in rows])
    unconfirmed: set[int] = set()
    for name in {r["platform"] for r in rows}:
        times = [r["updated_at"] for r in rows if r["platform"] == name]
        # Every community's reports on the platform: a burst spans communities.
        around = await reports_store.platform_reports_between(
            app.db, name, min(times) - brigading.BURST_WINDOW, max(times) + brigading.BURST_WINDOW)
        _confirmed, flagged = await brigading.split_rows(app, around)
        unconfirmed.update(r["id"] for r in flagged)
    return [ReportView(r, weights.get(r["reporter"], trust.NEW_WEIGHT), r["id"] in unconfirmed) for r in rows]


async def forget_moderation(app: App, person: Person) -> list[tuple[str, int]]:
    """Delete a person's expired bars and remove their name and hash from the log and notes they wrote."""
    return await store.forget_moderation(app.db, person.key, unix(app.clock.now()))
