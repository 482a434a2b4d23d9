"""Telegram behaviour over the fake Bot API: keyboards, questions, admins, escaping, limits and errors."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.core.declarations import Access
from bot.core.delivery import Destination, PermanentDeliveryError, RetryableDeliveryError
from bot.core.model import Reply
from tests.telegram_fake import BOT_USERNAME, group_chat, private_chat, running_bot, user

GROUP = -100_777
ALICE, BOB, OWNER = 501, 502, 503


def buttons_of(call) -> list[dict]:
    """The inline keyboard buttons of a recorded message, flattened."""
    rows = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


@pytest.fixture
async def bot(settings, clock):
    """A running adapter on the sample registry, talking to a fresh fake."""
    async with running_bot(settings, clock) as running:
        running.fake.admins[GROUP] = {ALICE}
        running.fake.creators[GROUP] = OWNER
        yield running


async def test_start_registers_and_publishes_menus(bot):
    """After start: the username and the outbox sender are registered; menus split by who may run what."""
    assert bot.app.bot_usernames["telegram"] == BOT_USERNAME
    assert bot.app.senders["telegram"] is bot.adapter
    menus = {c.params["scope"]["type"]: [x["command"] for x in c.params["commands"]]
             for c in bot.fake.of("setMyCommands")}
    members = [c.name for c in bot.app.registry.visible(Access.MEMBER)]
    moderators = [c.name for c in bot.app.registry.visible(Access.MODERATOR)]
    assert menus["default"] == members
    assert sorted(menus["all_chat_administrators"]) == sorted(members + moderators)
    assert "sample_mod" not in menus["default"]


async def test_missing_choice_offered_as_keyboard_and_pressing_runs_the_command(bot):
    """`/sample_echo hi 3` lacks the colour: the choices come back as buttons; pressing one runs the command."""
    bot.fake.message(private_chat(ALICE), user(ALICE), "/sample_echo hi 3")
    [prompt] = await bot.fake.wait_sent(ALICE)
    labels = {b["text"]: b["callback_data"] for b in buttons_of(prompt)}
    assert set(labels) == {"red", "green", "blue"}
    assert all(len(data.encode()) <= 64 for data in labels.values())

    query_id = bot.fake.press(user(ALICE), prompt.result, labels["green"])
    replies = await bot.fake.wait_sent(ALICE, 2)
    assert "colour='green'" in replies[1].text and "number=3 (int)" in replies[1].text
    assert [c.params["callback_query_id"] for c in bot.fake.of("answerCallbackQuery")] == [query_id]


async def test_long_button_payload_and_expired_button_are_both_answered(bot):
    """A payload too long for 64 bytes goes through the database; an unknown one gets an alert, not silence."""
    bot.fake.message(private_chat(BOB), user(BOB), "/sample_buttons")
    [menu] = await bot.fake.wait_sent(BOB)
    long_button = next(b for b in buttons_of(menu) if b["text"] == "Long")
    bot.fake.press(user(BOB), menu.result, long_button["callback_data"])
    replies = await bot.fake.wait_sent(BOB, 2)
    assert "w" * 80 in replies[1].text

    bot.fake.press(user(BOB), menu.result, "q1t|no-such-token")
    answers = await bot.fake.wait_for(lambda: len(bot.fake.of("answerCallbackQuery")) >= 2 and
                                      bot.fake.of("answerCallbackQuery"))
    assert "expired" in answers[1].params["text"] and answers[1].params["show_alert"] == "true"
    await asyncio.sleep(0.2)
    assert len(bot.fake.sent(BOB)) == 2


async def test_questions_answered_in_private_and_only_when_addressed_in_groups(bot, monkeypatch):
    """Plain text: always answered in private; in a group only when the bot is mentioned or replied to."""
    async def echo_question(invocation, text):
        return Reply(blocks=[f"Q: {text}"])

    monkeypatch.setattr(bot.app.dispatcher, "_ask", echo_question)
    bot.fake.message(private_chat(BOB), user(BOB), "is outlier legit?")
    [answer] = await bot.fake.wait_sent(BOB)
    assert answer.text == "Q: is outlier legit?"

    bot.fake.message(group_chat(GROUP), user(BOB), "is outlier legit?")  # chatter: ignored
    bot.fake.message(group_chat(GROUP), user(BOB), f"🙂 @{BOT_USERNAME} is outlier legit?")
    [mentioned] = await bot.fake.wait_sent(GROUP)
    assert mentioned.text == "Q: 🙂 is outlier legit?"
    assert "reply_parameters" in mentioned.params  # answers the member's message in the group

    bot.fake.message(group_chat(GROUP), user(BOB), "and appen?", reply_to=mentioned.result)
    replies = await bot.fake.wait_sent(GROUP, 2)
    assert replies[1].text == "Q: and appen?"
    await asyncio.sleep(0.2)
    assert len(bot.fake.sent(GROUP)) == 2


async def test_group_commands_for_other_bots_are_left_alone(bot):
    """In a group, /unknown and /help@otherbot are not ours; /unknown@ourbot gets suggestions; DMs always answer."""
    bot.fake.message(group_chat(GROUP), user(BOB), "/start_game")
    bot.fake.message(group_chat(GROUP), user(BOB), "/help@some_other_bot")
    bot.fake.message(group_chat(GROUP), user(BOB), f"/hlep@{BOT_USERNAME}")
    [reply] = await bot.fake.wait_sent(GROUP)
    assert "Unknown command /hlep" in reply.text and "/help" in reply.text
    bot.fake.message(private_chat(BOB), user(BOB), "/hlep")
    [private] = await bot.fake.wait_sent(BOB)
    assert "Unknown command /hlep" in private.text
    await asyncio.sleep(0.2)
    assert len(bot.fake.sent(GROUP)) == 1


async def test_arguments_after_emoji_and_quotes(bot):
    """Arguments are parsed against the declaration: UTF-16 entity offsets, quotes, the rest of the line."""
    bot.fake.message(private_chat(ALICE), user(ALICE), '/sample_echo 🙂 3 blue 2,5 no here "the rest" of it')
    [reply] = await bot.fake.wait_sent(ALICE)
    for expected in ("word='🙂'", "number=3 (int)", "colour='blue'", "ratio=2.5 (float)", "flag=False",
                     "where='here'", "rest='\"the rest\" of it'"):
        assert expected in reply.text
    bot.fake.message(private_chat(BOB), user(BOB), "/sample_echo hi eleven red")
    [bad] = await bot.fake.wait_sent(BOB)
    assert "not a whole number" in bad.text and "Example: /sample_echo hi 3 red" in bad.text


async def test_moderator_commands_need_a_group_admin(bot, clock):
    """A member is refused, the admin and the creator are allowed, answers are cached briefly, DMs redirect."""
    bot.fake.message(group_chat(GROUP), user(BOB), "/sample_mod hello")
    [refused] = await bot.fake.wait_sent(GROUP)
    assert "Not allowed" in refused.text and "Noted" not in refused.text
    for admin in (ALICE, OWNER):
        bot.fake.message(group_chat(GROUP), user(admin), f"/sample_mod@{BOT_USERNAME} from {admin}")
        [noted] = await bot.fake.wait_sent(admin)  # moderator replies go to the private chat
        assert "Noted" in noted.text
    replies = await bot.fake.wait_sent(GROUP, 3)
    assert sum("private message" in r.text for r in replies) == 2 and not [r for r in replies if "Noted" in r.text]

    checks = len(bot.fake.of("getChatMember"))
    bot.fake.message(group_chat(GROUP), user(BOB), "/sample_mod again")
    await bot.fake.wait_sent(GROUP, 4)
    assert len(bot.fake.of("getChatMember")) == checks  # cached
    clock.advance(minutes=2)
    bot.fake.admins[GROUP].add(BOB)  # promoted meanwhile
    bot.fake.message(group_chat(GROUP), user(BOB), "/sample_mod promoted")
    [noted] = await bot.fake.wait_sent(BOB)
    assert "Noted" in noted.text

    bot.fake.message(private_chat(ALICE), user(ALICE), "/sample_mod hello")
    private = (await bot.fake.wait_sent(ALICE, 2))[-1]
    assert "in the group" in private.text


async def test_user_text_is_escaped(bot):
    """A platform name with HTML in it comes back escaped, so it can neither inject markup nor break parsing."""
    bot.fake.message(private_chat(BOB), user(BOB), "/sample_platform <b>x</b> & <script>")
    [reply] = await bot.fake.wait_sent(BOB)
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;" in reply.text
    assert "<script>" not in reply.text and "<b>x</b>" not in reply.text


async def test_retry_after_is_waited_out_and_delivered_once(bot):
    """A 429 with retry_after: the rate limiter waits that long and sends again; one message arrives."""
    bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    bot.fake.message(private_chat(BOB), user(BOB), "/about")
    [delivered] = await bot.fake.wait_sent(BOB, timeout=5)
    attempts = [c for c in bot.fake.of("sendMessage") if c.chat_id == BOB]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0
    await asyncio.sleep(0.2)
    assert len(bot.fake.sent(BOB)) == 1 and "About queuewatch" in delivered.text


async def test_polling_survives_a_server_error(bot):
    """A 502 from getUpdates is logged and retried with backoff; the bot keeps answering."""
    bot.fake.fail("getUpdates", 502, "Bad Gateway")
    await bot.fake.wait_for(lambda: any(c.status == 502 for c in bot.fake.calls))
    bot.fake.message(private_chat(BOB), user(BOB), "/help")
    await bot.fake.wait_sent(BOB, timeout=5)
    assert bot.adapter.poller.running


async def test_long_reply_split_under_limits_with_buttons_last(bot):
    """A 9,000-character reply goes out as several messages under 4096, at paragraph boundaries."""
    bot.fake.message(group_chat(GROUP), user(BOB), "/sample_long")
    await bot.fake.wait_sent(GROUP, 3)
    await asyncio.sleep(0.2)
    messages = bot.fake.sent(GROUP)
    assert len(messages) >= 3 and all(len(m.text) <= 4096 for m in messages)
    paragraphs = "\n\n".join(m.text for m in messages).split("\n\n")
    assert [p.split(":")[0] for p in paragraphs if p.startswith("Paragraph")] == [f"Paragraph {n}" for n in
                                                                                   range(1, 41)]
    for current, following in itertools.pairwise(messages):  # split only where needed
        assert following.text.startswith("Paragraph")
        assert len(current.text) + 2 + len(following.text.split("\n\n")[0]) > 4096
    assert [bool(buttons_of(m)) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert "reply_parameters" in messages[0].params and "reply_parameters" not in messages[1].params
    assert "&amp; &lt;dolor&gt;" in messages[0].text and messages[-1].text.endswith("<i>the end</i>")


async def test_image_goes_with_a_short_caption_and_the_rest_follows(bot):
    """An image reply is a sendPhoto with a caption under 1024 characters, then the rest as messages."""
    bot.fake.message(private_chat(ALICE), user(ALICE), "/sample_long yes")
    await bot.fake.wait_sent(ALICE, 4)
    await asyncio.sleep(0.2)
    photo, *rest = bot.fake.sent(ALICE)
    assert photo.method == "sendPhoto" and photo.params["photo"].startswith(b"\x89PNG")
    assert 0 < len(photo.text) <= 1024 and photo.params["parse_mode"] == "HTML"
    assert rest and all(m.method == "sendMessage" and len(m.text) <= 4096 for m in rest)


async def test_private_chat_messages_are_spaced(settings, clock):
    """At most one message per interval to a private chat (1 s in production; 0.3 s here)."""
    async with running_bot(settings, clock, private_chat_interval=0.3) as bot:
        bot.fake.message(private_chat(BOB), user(BOB), "/sample_long")
        messages = await bot.fake.wait_sent(BOB, 3)
        gaps = [b.at - a.at for a, b in itertools.pairwise(messages)]
        assert all(gap >= 0.28 for gap in gaps), gaps


async def test_send_delivers_and_maps_errors(bot):
    """The outbox's send(): delivered; 403 and 400 are permanent; 5xx and an exhausted 429 are retryable."""
    destination = Destination("telegram", "user", "777")
    await bot.adapter.send(destination, Reply(title="Alert", blocks=["Tasks are back on <Outlier>."]))
    [sent] = bot.fake.sent(777)
    assert "Tasks are back on &lt;Outlier&gt;." in sent.text and "reply_parameters" not in sent.params

    bot.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(PermanentDeliveryError, match="blocked"):
        await bot.adapter.send(destination, Reply(blocks=["hi"]))
    bot.fake.fail("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(PermanentDeliveryError, match=r"(?i)chat not found"):
        await bot.adapter.send(Destination("telegram", "channel", "-100999"), Reply(blocks=["hi"]))
    bot.fake.fail("sendMessage", 500, "Internal Server Error")
    with pytest.raises(RetryableDeliveryError):
        await bot.adapter.send(destination, Reply(blocks=["hi"]))
    bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 0.05", times=4, retry_after=0.05)
    with pytest.raises(RetryableDeliveryError) as caught:
        await bot.adapter.send(destination, Reply(blocks=["hi"]))
    assert caught.value.retry_after == pytest.approx(0.05)
    assert len(bot.fake.sent(777)) == 1


async def test_rejected_token_is_one_clear_startup_error(settings, clock):
    """A token Telegram rejects (401 on getMe) raises StartupError with one line that never shows the token."""
    from bot.adapters.base import StartupError
    from bot.adapters.telegram import TelegramAdapter

    async with running_bot(settings, clock, start=False) as bot:
        bot.fake.token = "999:another-token"
        adapter = TelegramAdapter(bot.app)
        with pytest.raises(StartupError) as caught:
            await adapter.start()
        message = str(caught.value)
        assert "TELEGRAM_TOKEN" in message and "\n" not in message
        assert bot.app.settings.telegram_token.get_secret_value() not in message
        assert "telegram" not in bot.app.senders


async def test_not_found_suggestions_become_buttons_in_a_group(bot):
    """A NotFound with suggestions (here /help abot) offers them as buttons; pressing one runs it in the group."""
    bot.fake.message(group_chat(GROUP), user(BOB), f"/help@{BOT_USERNAME} abot")
    [suggestion] = await bot.fake.wait_sent(GROUP)
    assert "There is no command called /abot" in suggestion.text
    [about] = [b for b in buttons_of(suggestion) if b["text"] == "/about"]
    bot.fake.press(user(ALICE), suggestion.result, about["callback_data"])
    replies = await bot.fake.wait_sent(GROUP, 2)
    assert replies[1].text.startswith("<b>/about</b>")
    assert replies[1].params["reply_parameters"]["message_id"] == suggestion.result["message_id"]
    assert len(bot.fake.of("answerCallbackQuery")) == 1


async def test_start_deep_link_runs_subscribe_and_plain_start_shows_help(bot):
    """`/start subscribe_outlier` (from /subscribe's t.me link) runs /subscribe outlier; `/start` alone shows help."""
    bot.fake.message(private_chat(BOB), user(BOB), "/start subscribe_outlier")
    [subscribed] = await bot.fake.wait_sent(BOB)
    assert "Outlier" in subscribed.text and "Unknown command" not in subscribed.text
    bot.fake.message(private_chat(BOB), user(BOB), "/start")
    replies = await bot.fake.wait_sent(BOB, 2)
    assert "queuewatch commands" in replies[1].text


async def test_personal_replies_asked_in_a_group_go_to_the_private_chat(bot):
    """/myreports and /digest_preview in a group: the answer goes privately, the group gets a pointer only."""
    bot.fake.message(group_chat(GROUP), user(BOB), f"/report@{BOT_USERNAME} outlier drought")
    await bot.fake.wait_sent(GROUP, 1)
    bot.fake.message(group_chat(GROUP), user(BOB), f"/myreports@{BOT_USERNAME}")
    [mine] = await bot.fake.wait_sent(BOB)
    assert "Outlier" in mine.text and "no tasks" in mine.text
    pointer = (await bot.fake.wait_sent(GROUP, 2))[-1]
    assert "private message" in pointer.text and "Outlier" not in pointer.text

    bot.fake.message(group_chat(GROUP), user(ALICE), f"/digest_preview@{BOT_USERNAME}")
    [preview] = await bot.fake.wait_sent(ALICE)
    assert "digest" in preview.text.lower()
    assert "private message" in (await bot.fake.wait_sent(GROUP, 3))[-1].text


async def test_a_personal_reply_to_someone_who_never_started_the_bot_says_how(bot):
    """Telegram refuses a first private message: the group gets a start link, never the personal answer."""
    bot.fake.fail("sendMessage", 403, "Forbidden: bot can't initiate conversation with a user")
    bot.fake.message(group_chat(GROUP), user(BOB), f"/myreports@{BOT_USERNAME}")
    [told] = await bot.fake.wait_sent(GROUP)
    assert f"https://t.me/{BOT_USERNAME}" in told.text and "press Start" in told.text
    assert bot.fake.sent(BOB) == []
