"""/forget: delete everything the bot keeps about the member, after a confirm button."""

from __future__ import annotations

from bot.core.declarations import Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Button, Invocation, Reply
from bot.core.plural import plural
from bot.features import privacy


async def forget(inv: Invocation, confirm: bool | None = None) -> Reply:
    """Ask for confirmation, then delete the member's data and say what was deleted; "no" deletes nothing."""
    reports = inv.app.reports
    person = privacy.Person(reports.reporter_key(inv.actor), str(inv.actor.platform), inv.actor.user_id)
    if confirm is False:
        return Reply(title=_("Nothing deleted"), blocks=[_("Your data stays as it is. /forget asks again whenever "
                                                         "you want it deleted; /myreports lists your reports.")],
                     private=True)
    if confirm is None:
        count = await reports.count_of(person.key)
        kept = "\n".join(f"- {feature}: {what}" for feature, what in privacy.data_kept(inv.app))
        return Reply(
            title=_("Delete everything about you?"),
            blocks=[_("This deletes all your data here, including your {reports}. It cannot be undone. What the bot "
                      "keeps about members:").format(reports=plural(count, "report", "reports")), kept,
                    _("Press the button to confirm.")],
            buttons=[Button(_("Yes, delete everything"), "forget", {"confirm": "yes"}, style="danger")],
            private=True,
        )
    deleted = await privacy.forget_person(inv.app, person)
    if not deleted:
        return Reply(title=_("Nothing to delete"), blocks=[_("The bot keeps nothing about you.")], private=True)
    lines = "\n".join(f"- {_(label)}: {count}" for label, count in deleted)
    return Reply(title=_("Deleted"), blocks=[_("I deleted everything about you:") + f"\n{lines}"], private=True)


COMMANDS = (
    Command(
        name="forget",
        description=N_("Delete everything the bot keeps about you (asks to confirm first)"),
        handler=forget,
        params=(Param("confirm", N_("Type yes to skip the question (no: keep everything)"), kind=ParamKind.BOOLEAN,
                      required=False),),
        examples=("/forget",),
    ),
)
