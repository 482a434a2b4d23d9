"""Rendering replies as Telegram HTML and parsing Telegram messages, without a network."""

from __future__ import annotations

from telegram import Message, MessageEntity

from bot.adapters.telegram.parsing import mentions_bot, parse_command, utf16_slice, without_mention
from bot.adapters.telegram.render import CAPTION_LIMIT, MESSAGE_LIMIT, render, split_raw
from bot.core.model import Field, Image, Reply
from tests.support.sample_commands import TINY_PNG
from tests.telegram_fake import BOT_ID, BOT_USERNAME, entities_for, group_chat, user

HOSTILE = "<b>x</b> & <script>"


def _message(text: str, **extra) -> Message:
    data = {"message_id": 1, "date": 0, "chat": group_chat(-1), "from": user(7), "text": text,
            "entities": entities_for(text), **extra}
    return Message.de_json(data, None)


def test_every_part_is_escaped_and_formatted():
    """Title bold, blocks plain, fields as <b>name</b>: value, footer italic; all user text escaped."""
    reply = Reply(title=HOSTILE, blocks=[HOSTILE], fields=[Field(HOSTILE, HOSTILE)], footer=HOSTILE)
    [text] = render(reply).messages
    safe = "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;"
    assert text == f"<b>{safe}</b>\n\n{safe}\n\n<b>{safe}</b>: {safe}\n\n<i>{safe}</i>"


def test_error_title_is_marked_and_empty_reply_still_says_something():
    """An error reply is flagged in its title; a reply with no text is never an empty message."""
    assert render(Reply(title="Not allowed", is_error=True)).messages[0].startswith("<b>⚠️ Not allowed</b>")
    assert render(Reply()).messages == ["(no text)"]


def test_one_huge_paragraph_is_split_within_the_limit_counting_escapes():
    """Even a single paragraph with no spaces splits under 4096 characters once escaped."""
    for raw in ("&" * 5000, "word " * 2000, "line\n" * 2000):
        messages = render(Reply(blocks=[raw])).messages
        assert len(messages) >= 2 and all(len(m) <= MESSAGE_LIMIT for m in messages)
        assert "".join(messages).replace("\n", "").replace(" ", "") == \
            raw.replace("&", "&amp;").replace("\n", "").replace(" ", "")
    assert split_raw("a" * 10, 4) == ["aaaa", "aaaa", "aa"]


def test_image_caption_within_1024_and_the_rest_follows():
    """The caption takes what fits in 1024 characters; the rest goes as messages; alt text when nothing fits."""
    image = Image(TINY_PNG, "chart of <reports>")
    rendered = render(Reply(title="Digest", blocks=["short", "x" * 3000], image=image))
    assert rendered.caption == "<b>Digest</b>\n\nshort" and rendered.messages == ["x" * 3000]
    bare = render(Reply(blocks=["y" * 2000], image=image))
    assert bare.caption == "chart of &lt;reports&gt;" and len(bare.caption) <= CAPTION_LIMIT
    assert bare.messages == ["y" * 2000]


def test_commands_with_bot_names_and_entities():
    """/cmd, /cmd@ourbot (addressed), /cmd@otherbot (not ours), case, and text on the next line."""
    def parse(text):
        return parse_command(text, tuple(MessageEntity.de_list(entities_for(text), None)), BOT_USERNAME)

    assert (parse("/Help about").name, parse("/Help about").args) == ("help", "about")
    assert parse("/help   about").args == "about" and not parse("/help about").addressed
    addressed = parse(f"/report@{BOT_USERNAME.upper()} outlier drought")
    assert (addressed.name, addressed.args, addressed.addressed) == ("report", "outlier drought", True)
    assert parse("/report@other_bot outlier") is None
    assert parse("hello /help") is None and parse("/") is None
    newline = parse_command("/help\nabout", (MessageEntity("bot_command", 0, 5),), BOT_USERNAME)
    assert (newline.name, newline.args) == ("help", "about")


def test_utf16_offsets_and_mentions():
    """Entity offsets count UTF-16 units (an emoji is two); mentions are found by entity or text mention."""
    text = f"👍🏽 hi @{BOT_USERNAME} ok"
    [mention] = entities_for(text)
    assert mention["offset"] == 8  # 👍 and 🏽 are two units each, then " hi "
    assert utf16_slice(text, mention["offset"], mention["length"]) == f"@{BOT_USERNAME}"
    assert mentions_bot(_message(text), BOT_USERNAME, BOT_ID)
    assert not mentions_bot(_message(f"hi @{BOT_USERNAME}x"), BOT_USERNAME, BOT_ID)
    text_mention = [{"type": "text_mention", "offset": 0, "length": 3, "user": {**user(BOT_ID), "is_bot": True}}]
    assert mentions_bot(_message("bot, is it legit?", entities=text_mention), BOT_USERNAME, BOT_ID)
    assert without_mention(f"@{BOT_USERNAME} is  Outlier legit?", BOT_USERNAME) == "is Outlier legit?"
