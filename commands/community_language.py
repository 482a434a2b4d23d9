"""/community_language [language]: the community's default language (moderators): its digest and channel alerts,
and replies to members who chose no language and whose app's language the bot does not speak."""

from __future__ import annotations

from bot.core.clock import unix
from bot.core.declarations import Access, Choice, Command, Param
from bot.core.i18n import LOCALES, N_, _, language_name, use_locale
from bot.core.model import Invocation, Reply
from bot.features.languages import community_language, set_community_language

CHOICES = tuple(Choice(code, language_name(code), aliases=(code.replace("_", "-"),)) for code in LOCALES)


async def community_language_command(inv: Invocation, language: str | None = None) -> Reply:
    """Show or set the community's default language."""
    community = inv.place.community_key or ""
    if language is None:
        chosen = await community_language(inv.app, community)
        return Reply(
            title=_("Community language: {language}").format(language=language_name(chosen or "en")),
            blocks=[_("The weekly digest and channel alerts here are posted in this language, and members who "
                      "chose none (and whose app is in a language I don't speak) get answers in it. "
                      "Change it with /community_language es (en, es or pt_BR)."),
                    _("Each member can still choose their own with /settings language.")],
            ephemeral=True,
        )
    await set_community_language(inv.app, community, None if language == "en" else language, unix(inv.now))
    with use_locale(language):  # said in the language just chosen
        return Reply(
            title=_("Community language set: {language}").format(language=language_name(language)),
            blocks=[_("The weekly digest and channel alerts here will be posted in {language}.").format(
                language=language_name(language)),
                _("Each member can still choose their own with /settings language.")],
            ephemeral=True,
        )


COMMANDS = (
    Command(
        name="community_language",
        description=N_("The language of this community's digest and alerts (en, es, pt_BR)"),
        handler=community_language_command,
        params=(Param("language", N_("en, es or pt_BR; leave it out to see the current one"), required=False,
                      choices=CHOICES),),
        access=Access.MODERATOR,
        examples=("/community_language", "/community_language pt_BR"),
    ),
)
