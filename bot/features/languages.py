"""Which language a reply is in: the member's choice, the platform's locale, the community's default, English.

The dispatcher asks `reply_locale` once per invocation; public posts (digest, channel alerts) use
`community_locale`, messages to one member `member_locale`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.core.clock import Clock
from bot.core.expiring import ExpiringCache
from bot.core.i18n import choose, normalize
from bot.core.model import Actor, Place
from storage import community_languages, member_settings
from storage.database import Executor

if TYPE_CHECKING:
    from bot.wiring import App


# Every reply asks for these, so they are kept a while instead of read each time: changes made here drop them at
# once; a change made by another process (PostgreSQL, several processes) is seen within CHOICES_SECONDS.
CHOICES_SECONDS = 60.0
CHOICES_KEPT = 20_000


class LanguageChoices:
    """The members' and communities' chosen languages, as last read ('' for none chosen).

    While at most CHOICES_KEPT members have chosen a language, every choice is held (read again once
    CHOICES_SECONDS old, or after a change here), so a member who chose none, the most common case and every
    newcomer, costs no read; past that, each member's choice is read and kept CHOICES_SECONDS.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.members: ExpiringCache[str, str] = ExpiringCache(CHOICES_KEPT, CHOICES_SECONDS, clock.monotonic)
        self.communities: ExpiringCache[str, str] = ExpiringCache(CHOICES_KEPT, CHOICES_SECONDS, clock.monotonic)
        self._chosen: dict[str, str] | None = None  # every member's choice; None when too many to hold
        self._read_at: float | None = None
        self._reading: asyncio.Future | None = None

    async def all_chosen(self, db: Executor) -> dict[str, str] | None:
        """Every member's chosen language by person key, fresh within CHOICES_SECONDS; None past CHOICES_KEPT."""
        if self._read_at is None or self._clock.monotonic() - self._read_at >= CHOICES_SECONDS:
            if self._reading is None:  # one read for every command that finds the copy old
                self._reading = asyncio.ensure_future(self._read_all(db))
            await asyncio.shield(self._reading)
        return self._chosen

    async def _read_all(self, db: Executor) -> None:
        reading = self._reading
        started = self._clock.monotonic()
        try:
            rows = await member_settings.chosen_languages(db, CHOICES_KEPT + 1)
            if reading is self._reading:  # not superseded by a change made meanwhile
                self._chosen = None if len(rows) > CHOICES_KEPT else {row[0]: row[1] for row in rows}
                self._read_at = started
        finally:
            if reading is self._reading:
                self._reading = None

    def changed(self, person: str) -> None:
        """A member's choice changed here: read it (and, while all are held, all of them) again at next use."""
        self.members.pop(person)
        self._read_at = None
        self._reading = None  # a read already under way may have missed the change


async def member_language(app: App, platform: str, user_id: str) -> str | None:
    """The language a member chose with /settings language, or None."""
    person = app.person_key(str(platform), user_id)
    choices = app.languages
    known = choices.members.get(person)
    if known is None:
        chosen = await choices.all_chosen(app.db)
        if chosen is not None:
            return normalize(chosen.get(person))
        known = choices.members[person] = await member_settings.language_of(app.db, person) or ""
    return normalize(known or None)


def member_changed(app: App, person: str) -> None:
    """Forget what was read of a member's language (after /settings or /forget changed it)."""
    app.languages.changed(person)


async def community_language(app: App, community: str | None) -> str | None:
    """The default language a community's moderators set, or None."""
    if community is None:
        return None
    known = app.languages.communities.get(community)
    if known is None:
        known = app.languages.communities[community] = await community_languages.get(app.db, community) or ""
    return normalize(known or None)


async def reply_locale(app: App, actor: Actor, place: Place) -> str:
    """The locale of a reply to this person here, by the chain member -> platform -> community -> English."""
    member = await member_language(app, actor.platform, actor.user_id)
    if member is not None:
        return member
    if normalize(actor.locale) is not None:
        return choose(actor.locale)
    return choose(await community_language(app, place.community_key))


async def community_locale(app: App, community: str | None) -> str:
    """The locale of a public post in a community (its default, else English)."""
    return choose(await community_language(app, community))


async def member_locale(app: App, platform: str, user_id: str, community: str | None = None) -> str:
    """The locale of a message to one member (their choice, else the community's, else English)."""
    return choose(await member_language(app, platform, user_id), await community_language(app, community))


async def set_community_language(app: App, community: str, language: str | None, now: int) -> None:
    """Set (or with None clear) a community's default language."""
    await community_languages.put(app.db, community, language, now)
    app.languages.communities.pop(community)
