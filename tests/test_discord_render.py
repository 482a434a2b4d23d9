"""Rendering a Reply for Discord: one embed within every documented limit, images and buttons."""

from __future__ import annotations

from bot.adapters.discord.render import build_embed, render
from bot.core.buttons import decode
from bot.core.model import Button, Field, Image, Reply
from tests.discord_fake import message_problems
from tests.support.sample_commands import TINY_PNG


def problems(reply: Reply) -> list[str]:
    return message_problems({"embeds": [build_embed(reply).to_dict()]})


def test_a_long_reply_is_cut_to_the_description_limit():
    embed = build_embed(Reply(title="t", blocks=["x" * 5000, "tail"]))
    assert len(embed.description) == 4096 and embed.description.endswith("…")
    assert problems(Reply(title="t", blocks=["x" * 5000])) == []
    assert problems(Reply(title="t" * 300, blocks=["x" * 5000], footer="f" * 3000)) == []


def test_fields_are_capped_in_number_length_and_total():
    reply = Reply(title="T" * 300, fields=[Field("n" * 300, "v" * 2000) for _ in range(40)], footer="f" * 3000)
    embed = build_embed(reply)
    assert len(embed.fields) <= 25
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert len(embed) <= 6000
    assert problems(reply) == []


def test_the_description_gives_way_when_everything_together_is_too_long():
    reply = Reply(blocks=["d" * 4096], fields=[Field("name", "v" * 1000) for _ in range(3)], footer="source, 2026")
    embed = build_embed(reply)
    assert len(embed.fields) == 3 and len(embed) <= 6000
    assert embed.description.endswith("…")


def test_empty_field_values_and_empty_replies_are_still_valid():
    assert problems(Reply(fields=[Field("", "")])) == []
    assert build_embed(Reply()).description == "Done."


def test_errors_are_red_and_the_footer_carries_sources():
    embed = build_embed(Reply(title="No", blocks=["bad"], is_error=True, footer="Source: X, 2026-01-01"))
    assert embed.colour.value == 0xDC2626
    assert embed.footer.text == "Source: X, 2026-01-01"


async def test_images_become_attachments_with_alt_text(app):
    message = await render(app, Reply(title="chart", image=Image(TINY_PNG, "weekly chart", "my chart.png")))
    assert [f.filename for f in message.files] == ["my_chart.png"]
    assert message.files[0].description == "weekly chart"
    assert message.embed.image.url == "attachment://my_chart.png"


async def test_buttons_become_at_most_25_persistent_components(app):
    buttons = [Button(f"Option {n}", "help", {"command": "about"}) for n in range(30)]
    message = await render(app, Reply(blocks=["pick"], buttons=buttons, ephemeral=True))
    rows = message.view.to_components()
    assert len(rows) == 5 and all(len(row["components"]) == 5 for row in rows)
    assert message.view.is_finished()  # sent as plain components, never held in memory
    custom_id = rows[0]["components"][0]["custom_id"]
    assert await decode(app.button_payloads, custom_id, "anyone", app.clock.now()) == ("help", {"command": "about"})
    assert message.ephemeral
    assert message.send_kwargs()["allowed_mentions"].to_dict() == {"parse": []}
