"""/mod_log: the community's audit log of moderator actions: who did what, when, why."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.core.timetext import format_time
from bot.features.moderation import actions as moderation

DEFAULT = 20
# Whole sentences per actor ("a moderator" / "you"): word order and agreement differ between languages.
VERBS = {
    "hide": (N_("a moderator hid report #{report_id}"), N_("you hid report #{report_id}")),
    "unhide": (N_("a moderator showed report #{report_id} again"), N_("you showed report #{report_id} again")),
    "bar": (N_("a moderator barred the sender of report #{report_id}"),
            N_("you barred the sender of report #{report_id}")),
    "unbar": (N_("a moderator lifted the bar on the sender of report #{report_id}"),
              N_("you lifted the bar on the sender of report #{report_id}")),
    "note": (N_("a moderator set the note on {platform}"), N_("you set the note on {platform}")),
    "note_cleared": (N_("a moderator cleared the note on {platform}"), N_("you cleared the note on {platform}")),
    "not_here": (N_("a moderator stopped report #{report_id} from elsewhere showing here"),
                 N_("you stopped report #{report_id} from elsewhere showing here")),
    "here_again": (N_("a moderator showed report #{report_id} from elsewhere here again"),
                   N_("you showed report #{report_id} from elsewhere here again")),
}


def describe(row, viewer: str | None = None, with_log: bool = False) -> str:
    """One audit-log entry as a line; the actor is "a moderator" (never a name), or "you" for `viewer`'s own;
    prefixed with whose log it is in, for operators."""
    own = bool(viewer and row["actor"] == viewer)
    forms = VERBS.get(row["action"])
    verb = _(forms[own]).format(report_id=row["report_id"], platform=row["platform"]) if forms else \
        f"{_('you') if own else _('a moderator')} {row['action']}"
    if row["report_id"] is not None and row["platform"] and row["action"] in ("hide", "unhide", "bar", "unbar"):
        verb += f" ({row['platform']})"
    line = f"{format_time(row['at'])} — {verb}"
    if with_log:
        line = f"[{row['community']}] {line}"
    return line + (f": {row['reason']}" if row["reason"] else "")


async def mod_log(inv: Invocation, count: int = DEFAULT) -> Reply:
    """Show the newest moderator actions in this community."""
    ctx = moderation.ModContext.of(inv)
    rows = await moderation.audit_log(ctx, count)
    if not rows:
        text = _("No moderator actions anywhere yet.") if ctx.operator else \
            _("No moderator actions in this community yet.")
        return Reply(title=_("Moderation log"), blocks=[text], ephemeral=True)
    title = _("Moderation log of every community (newest {count})") if ctx.operator else \
        _("Moderation log (newest {count})")
    return Reply(
        title=title.format(count=len(rows)),
        blocks=["\n".join(describe(row, ctx.actor, ctx.operator) for row in rows)],
        footer=_("Every hide, unhide, bar, unbar, note and not-shown-here mark is logged here."),
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
