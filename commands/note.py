"""/note: a moderators' note about a platform, shown under /legit in this community only."""

from __future__ import annotations

from bot.core.declarations import Access, Command, Param
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.platforms import platform_for, platform_param
from bot.features.moderation import actions as moderation


async def note(inv: Invocation, platform: str, text: str) -> Reply:
    """Set or clear this community's note about a platform."""
    ctx = moderation.ModContext.of(inv)
    found = platform_for(inv, platform)
    if await moderation.set_note(ctx, found.id, text):
        return Reply(
            title=f"Note on {found.name} saved",
            blocks=[f"/legit {found.id} in this community now shows it:", text.strip(),
                    f"Clear it with /note {found.id} clear. Logged in /mod_log."],
            ephemeral=True,
        )
    return Reply(title=f"Note on {found.name} cleared", blocks=["Logged in /mod_log."], ephemeral=True)


COMMANDS = (
    Command(
        name="note",
        description=N_("Add this community's note to /legit for a platform (moderators)"),
        handler=note,
        params=(
            platform_param(),
            Param("text", N_("The note (up to 500 characters), or clear to remove it"), max_length=moderation.MAX_NOTE,
                  example="Our pinned thread has the onboarding tips"),
        ),
        access=Access.MODERATOR,
        examples=("/note outlier Our pinned thread has onboarding tips", "/note outlier clear"),
        help=N_("One note per platform per community; a new note replaces the old one. Only this community sees it."),
    ),
)
