"""/forget: delete everything the bot keeps about the member, after a confirm button."""

from __future__ import annotations

from bot.core.declarations import Command, Param, ParamKind
from bot.core.i18n import N_
from bot.core.model import Button, Invocation, Reply
from bot.core.plural import plural
from bot.features import privacy


async def forget(inv: Invocation, confirm: bool | None = None) -> Reply:
    """Ask for confirmation, then delete the member's data and say what was deleted; "no" deletes nothing."""
    reports = inv.app.reports
    person = privacy.Person(reports.reporter_key(inv.actor), str(inv.actor.platform), inv.actor.user_id)
    if confirm is False:
        return Reply(title="Nothing deleted", blocks=["Your data stays as it is. /forget asks again whenever you "
                                                      "want it deleted; /myreports lists your reports."],
                     private=True)
    if confirm is None:
        count = await reports.count_of(person.key)
        kept = "\n".join(f"- {feature}: {what}" for feature, what in privacy.data_kept(inv.app))
        return Reply(
            title="Delete everything about you?",
            blocks=[f"This deletes all your data here, including your {plural(count, 'report', 'reports')}. "
                    "It cannot be undone. What the bot keeps about members:", kept,
                    "Press the button to confirm."],
            buttons=[Button("Yes, delete everything", "forget", {"confirm": "yes"}, style="danger")],
            private=True,
        )
    deleted = await privacy.forget_person(inv.app, person)
    if not deleted:
        return Reply(title="Nothing to delete", blocks=["The bot keeps nothing about you."], private=True)
    lines = "\n".join(f"- {label}: {count}" for label, count in deleted)
    return Reply(title="Deleted", blocks=[f"I deleted everything about you:\n{lines}"], private=True)


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
