"""The members' chosen languages held in memory: a change made here counts at once, one made by another process
(a row written straight into the database) within CHOICES_SECONDS, and past CHOICES_KEPT choices each member's
is read on its own; either way every member gets their own language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.model import Actor, Place, Platform
from bot.features import languages
from storage import member_settings

COMMUNITY = Place(Platform.TELEGRAM, "-100777", "-100777", is_private=False)
SPANISH_TITLE, PORTUGUESE_TITLE, ENGLISH_TITLE = "Comandos de queuewatch", "Comandos do queuewatch", \
    "queuewatch commands"


def member(user: str) -> Actor:
    return Actor(Platform.TELEGRAM, user, "Ana")


async def help_title(app, user: str) -> str | None:
    return (await app.dispatcher.dispatch_line("/help", member(user), COMMUNITY)).title


async def chosen_elsewhere(app, clock, user: str, language: str | None) -> None:
    """Another process saves a member's language: straight into the database, nothing here hears of it."""
    await member_settings.save(app.db, app.person_key("telegram", user), int(clock.now().timestamp()),
                               language=language)


async def test_a_choice_made_by_another_process_counts_within_the_refresh_time(app, clock) -> None:
    assert await help_title(app, "601") == ENGLISH_TITLE
    await chosen_elsewhere(app, clock, "601", "es")
    clock.advance(timedelta(seconds=languages.CHOICES_SECONDS + 1))
    assert await help_title(app, "601") == SPANISH_TITLE
    await chosen_elsewhere(app, clock, "601", None)
    await chosen_elsewhere(app, clock, "602", "pt_BR")
    clock.advance(timedelta(seconds=languages.CHOICES_SECONDS + 1))
    assert await help_title(app, "601") == ENGLISH_TITLE
    assert await help_title(app, "602") == PORTUGUESE_TITLE


async def test_a_choice_made_here_counts_at_once_for_that_member_and_leaves_the_others_theirs(app, clock) -> None:
    await chosen_elsewhere(app, clock, "611", "pt_BR")
    clock.advance(timedelta(seconds=languages.CHOICES_SECONDS + 1))
    assert await help_title(app, "611") == PORTUGUESE_TITLE
    saved = await app.dispatcher.dispatch_line("/settings language es", member("612"), COMMUNITY)
    assert not saved.is_error, saved.plain_text()
    assert await help_title(app, "612") == SPANISH_TITLE
    assert await help_title(app, "611") == PORTUGUESE_TITLE
    assert await help_title(app, "613") == ENGLISH_TITLE


async def test_past_the_held_number_each_members_choice_is_read_on_its_own(app, clock, monkeypatch) -> None:
    monkeypatch.setattr(languages, "CHOICES_KEPT", 2)
    for user, language in (("621", "es"), ("622", "pt_BR"), ("623", "es")):
        await chosen_elsewhere(app, clock, user, language)
    clock.advance(timedelta(seconds=languages.CHOICES_SECONDS + 1))
    assert [await help_title(app, user) for user in ("621", "622", "623", "624")] == [
        SPANISH_TITLE, PORTUGUESE_TITLE, SPANISH_TITLE, ENGLISH_TITLE]
    await app.dispatcher.dispatch_line("/settings language clear", member("621"), COMMUNITY)
    assert await help_title(app, "621") == ENGLISH_TITLE


@pytest.mark.parametrize("held", [20_000, 2])
async def test_forget_takes_the_choice_away_at_once(app, clock, monkeypatch, held) -> None:
    monkeypatch.setattr(languages, "CHOICES_KEPT", held)
    for user in ("631", "632", "633"):
        await app.dispatcher.dispatch_line("/settings language es", member(user), COMMUNITY)
    assert await help_title(app, "631") == SPANISH_TITLE
    forgot = await app.dispatcher.dispatch_line("/forget yes", member("631"), COMMUNITY)
    assert not forgot.is_error, forgot.plain_text()
    assert await help_title(app, "631") == ENGLISH_TITLE
