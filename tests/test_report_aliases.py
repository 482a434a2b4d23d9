"""/report takes the words members use for a kind ("EQ", "dry", "empty", "no tasks", "back"), typed in the
console, sent on Telegram, and typed (or picked) in Discord's autocompleted option."""

from __future__ import annotations

import pytest

from bot.core import arguments
from bot.wiring import build_app, load_registry
from tests.discord_fake import FakeDiscord, connected, discord_settings, messages, text_of
from tests.reports_helpers import count_reports
from tests.telegram_fake import private_chat, running_bot, user

ALIASES = [("EQ", "drought"), ("eq", "drought"), ("dry", "drought"), ("empty", "drought"),
           ("no tasks", "drought"), ("No-Tasks", "drought"), ("back", "tasks_back"), ("tasks back", "tasks_back"),
           ("late", "paid_late"), ("banned", "account_restricted")]


@pytest.mark.parametrize(("typed", "kind"), ALIASES)
async def test_a_typed_alias_records_its_kind(app, member, group, typed: str, kind: str) -> None:
    reply = await app.dispatcher.dispatch_line(f"/report outlier {typed}", member, group)
    assert not reply.is_error, reply.plain_text()
    assert await count_reports(app, "kind = ?", (kind,)) == 1


async def test_a_kind_of_two_words_leaves_the_project_and_note_in_place(app, member, group) -> None:
    command = app.registry.get("report")
    assert arguments.parse_line(command, 'outlier project ended Falcon "went quiet"') == {
        "platform": "outlier", "what": "project ended", "project": "Falcon", "note": "went quiet"}
    assert arguments.parse_line(command, "outlier no tasks") == {"platform": "outlier", "what": "no tasks"}
    reply = await app.dispatcher.dispatch_line("/report outlier project ended Falcon", member, group)
    assert not reply.is_error, reply.plain_text()
    assert await count_reports(app, "kind = 'project_ended' AND project = 'falcon'") == 1


async def test_an_unknown_word_is_still_refused_with_the_kinds(app, member, group) -> None:
    reply = await app.dispatcher.dispatch_line("/report outlier sideways", member, group)
    assert reply.is_error and "“sideways” is not one of: drought, tasks_back" in reply.plain_text()
    assert await count_reports(app) == 0


async def test_an_alias_sent_on_telegram_records_it(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        bot.fake.message(private_chat(601), user(601), "/report outlier EQ")
        [reply] = await bot.fake.wait_sent(601)
        assert "Recorded: Outlier — no tasks (empty queue)" in reply.text
        assert await count_reports(bot.app, "kind = 'drought'") == 1


async def test_discord_autocompletes_the_kind_from_its_aliases_and_takes_a_typed_alias(clock) -> None:
    """Fixed choices on Discord accept only their own names, so "EQ" could not be sent: the option is
    autocompleted from every alias, and what is typed without picking is read the same way."""
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=load_registry())
        try:
            async with connected(app):
                what = next(o for o in fake.synced("report")["options"] if o["name"] == "what")
                assert what.get("autocomplete") is True and "choices" not in what
                calls = await fake.interact(fake.autocomplete("report", "what", "EQ"))
                assert [c["value"] for c in calls[0].json["data"]["choices"]] == ["drought"]
                calls = await fake.interact(fake.autocomplete("report", "what", ""))
                assert len(calls[0].json["data"]["choices"]) == 8
                calls = await fake.interact(fake.command("report", {"platform": "outlier", "what": "no tasks"}))
                assert "Recorded: Outlier — no tasks (empty queue)" in text_of(messages(calls)[0])
                assert await count_reports(app, "kind = 'drought'") == 1
        finally:
            await app.db.close()
