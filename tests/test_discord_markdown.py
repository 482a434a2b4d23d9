"""Member text on Discord shows as typed: no masked links, formatting, headings, lists or bare links.

Every message the real discord.py client sends to the fake is read by an independent parser of
Discord's markdown (discord-markdown-py): none may carry live markup, and the planted text must still
show, character for character.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.discord.render import build_embed, escape
from bot.core.model import Actor, Field, Place, Platform, Reply
from bot.wiring import build_app, load_registry
from tests.discord_fake import (
    CHANNEL_ID,
    MANAGE_GUILD,
    FakeDiscord,
    connected,
    discord_settings,
    live_markup,
    messages,
    shown,
    text_of,
)

PLANTED = "[claim your bonus](https://evil.example/x) **now**"  # project names are stored lower-case
MOD_NAME = "**Mod** [site](https://evil.example/m)"
MODERATOR = {"user_id": 500, "permissions": MANAGE_GUILD | (1 << 11)}
MARKUP = ["# Heading", "## Sub", "-# small", "- item", "* item", "1. first", "> quote", ">>> quote", "||spoiler||",
          "`code`", "```block```", "__under__", "_it_", "*it*", "~~gone~~", "<@123>", "<@&5>", "@everyone",
          "<t:1700000000:R>", "<:emo:123>", "</cmd:1>", "<https://evil.example>", "https://evil.example/x",
          "discord.gg/abcdef", "discord.com/invite/abc", ":smile:", "\\*not\\*", "[a](<https://evil.example>)"]


def as_moderator(payload: dict) -> dict:
    """The interaction, sent by a moderator whose display name is planted markdown."""
    payload["member"]["user"].update(username="mod", global_name=MOD_NAME)
    return payload


def _embed_message(reply: Reply) -> dict:
    return {"embeds": [build_embed(reply).to_dict()]}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MARKUP) | st.text(string.printable, max_size=4), min_size=1, max_size=12)
       .map("".join).filter(str.strip))
def test_any_text_in_any_part_shows_as_typed_with_no_live_markup(text: str) -> None:
    message = _embed_message(Reply(title=text[:200], blocks=[text], fields=[Field(text[:200], text)]))
    assert live_markup(message) == [], text
    embed = message["embeds"][0]
    assert shown(embed["description"]) == text
    assert shown(embed["fields"][0]["value"]) == text


def test_each_kind_of_markup_is_neutralised() -> None:
    for markup in MARKUP:
        line = f"a {markup} b\n{markup}"
        assert live_markup(_embed_message(Reply(title=markup, blocks=[line]))) == [], markup
        # The oracle is awake: unescaped, each of these is markup (a member's own escapes are not).
        assert bool(live_markup({"content": markup})) is not markup.startswith("\\"), markup


def test_the_digest_channel_mention_stays_a_mention_and_the_footer_is_untouched() -> None:
    reply = Reply(blocks=["The digest is on its way to <#920000000000000001>."], footer="Sources: https://x.example")
    embed = _embed_message(reply)["embeds"][0]
    assert "<#920000000000000001>" in embed["description"]
    assert embed["footer"]["text"] == "Sources: https://x.example"  # Discord shows footers as plain text


def test_cutting_an_escaped_text_never_leaves_a_lone_backslash() -> None:
    embed = build_embed(Reply(title="*" * 300, blocks=["_" * 5000]))
    assert embed.title.endswith("…") and not embed.title.endswith("\\…")
    assert len(embed.description) <= 4096 and live_markup({"embeds": [embed.to_dict()]}) == []


def test_escape_keeps_plain_words_and_numbers_as_they_are() -> None:
    assert escape("Outlier: 12.50 USD an hour, n = 7") == "Outlier\\: 12.50 USD an hour, n = 7"


async def test_planted_markdown_shows_as_plain_text_in_every_public_message(clock) -> None:
    """Status, alerts channel, digest, /legit community note and moderator lists, all through the fake."""
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=load_registry())
        try:
            async with connected(app):
                elsewhere = Place(Platform.TELEGRAM, "-100777", "-100777", is_private=False)
                for n in range(2):  # two people in another community: the project's end is news
                    actor = Actor(Platform.TELEGRAM, str(900 + n), f"Member {n}")
                    reply = await app.dispatcher.dispatch(
                        "report", {"platform": "outlier", "what": "project_ended", "project": PLANTED}, actor,
                        elsewhere)
                    assert not reply.is_error, reply.plain_text()
                await fake.interact(fake.command("report", {"platform": "outlier", "what": "drought",
                                                            "note": PLANTED}, user_id=321))
                await fake.interact(as_moderator(fake.command("alerts_here", {"state": "on"}, **MODERATOR)))
                await fake.interact(as_moderator(fake.command("note", {"platform": "outlier", "text": PLANTED},
                                                              **MODERATOR)))
                public = [fake.command(name, {"platform": "outlier"}) for name in ("status", "legit")]
                moderator = [as_moderator(fake.command(name, {}, **MODERATOR)) for name in ("mod_reports", "mod_log")]
                for payload in [*public, *moderator]:
                    await fake.interact(payload, timeout=10)
                assert await app.alerts.scan() >= 1
                clock.advance(minutes=5)  # the digest covers the week before now
                await fake.interact(as_moderator(fake.command("digest_post", {}, **MODERATOR)), timeout=10)
                await app.outbox.run_once()
                await app.outbox.run_once()

                posts = [c.json for c in fake.calls_to("POST", f"/channels/{CHANNEL_ID}/messages$") if c.status < 300]
                answers = {name: [text_of(m) for m in messages(fake.answers(p))]
                           for name, p in zip(("status", "legit", "mod_reports", "mod_log"),
                                              [*public, *moderator], strict=True)}
        finally:
            await app.db.close()

    everything = messages(fake.calls)
    assert [problem for message in everything for problem in live_markup(message)] == []
    post_texts = [text_of(post) for post in posts]
    assert any("reported ended" in t and PLANTED in t for t in post_texts), post_texts  # the alert
    assert any("digest" in t.lower() and PLANTED in t for t in post_texts), post_texts  # the weekly digest
    for name, planted in (("status", PLANTED), ("legit", PLANTED), ("mod_reports", PLANTED),
                          ("mod_log", PLANTED)):
        assert any(planted in text for text in answers[name]), (name, answers[name])
