"""/mod_log: the community's audit log of moderator actions: who did what, when, why."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.core.timetext import format_time
from bot.features.moderation import actions as moderation

DEFAULT = 20
VERBS = {
    "hide": "hid report #{report_id}",
    "unhide": "showed report #{report_id} again",
    "bar": "barred the sender of report #{report_id}",
    "unbar": "lifted the bar on the sender of report #{report_id}",
    "note": "set the note on {platform}",
    "note_cleared": "cleared the note on {platform}",
    "not_here": "stopped report #{report_id} from elsewhere showing here",
    "here_again": "showed report #{report_id} from elsewhere here again",
}


def describe(row, viewer: str | None = None, with_log: bool = False) -> str:
    """One audit-log entry as a line; the actor is "a moderator" (never a name), or "you" for `viewer`'s own;
    prefixed with whose log it is in, for operators."""
    verb = VERBS.get(row["action"], row["action"]).format(report_id=row["report_id"], platform=row["platform"])
    if row["report_id"] is not None and row["platform"] and row["action"] in ("hide", "unhide", "bar", "unbar"):
        verb += f" ({row['platform']})"
    who = "you" if viewer and row["actor"] == viewer else "a moderator"
    line = f"{format_time(row['at'])} — {who} {verb}"
    if with_log:
        line = f"[{row['community']}] {line}"
    return line + (f": {row['reason']}" if row["reason"] else "")


async def mod_log(inv: Invocation, count: int = DEFAULT) -> Reply:
    """Show the newest moderator actions in this community."""
    ctx = moderation.ModContext.of(inv)
    rows = await moderation.audit_log(ctx, count)
    if not rows:
        where = "anywhere" if ctx.operator else "in this community"
        return Reply(title="Moderation log", blocks=[f"No moderator actions {where} yet."], ephemeral=True)
    return Reply(
        title=f"Moderation log{' of every community' if ctx.operator else ''} (newest {len(rows)})",
        blocks=["\n".join(describe(row, ctx.actor, ctx.operator) for row in rows)],
        footer="Every hide, unhide, bar, unbar, note and not-shown-here mark is logged here.",
        ephemeral=True,
    )


COMMANDS = (
    Command(
        name="mod_log",
        description=N_("The moderation log: who did what, when and why (moderators)"),
        handler=mod_log,
        params=(
            Param("count", N_("How many entries (1-50)"), kind=ParamKind.INTEGER, required=False, min_value=1,
                  max_value=50, example="20"),
        ),
        access=Access.MODERATOR,
        operators=True,
        examples=("/mod_log", "/mod_log 50"),
    ),
)
