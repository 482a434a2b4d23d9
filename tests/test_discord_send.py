"""The outbox's Sender: posting to a channel or a member's DMs, and how failures are classified."""

from __future__ import annotations

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.core.delivery import Destination, PermanentDeliveryError, RetryableDeliveryError
from bot.core.model import Button, Image, Reply
from tests.discord_fake import custom_ids, text_of
from tests.support.sample_commands import TINY_PNG

pytest_plugins = ("tests.support.discord_fixtures",)  # the `fake` and `adapter` fixtures

ANNOUNCEMENTS = "925000000000000001"
MEMBER = "777000000000000001"
REPLY = Reply(title="Drought over", blocks=["@everyone tasks are back on <@&123>"], buttons=[Button("Status", "about")])




async def test_send_to_a_channel(fake, adapter):
    await adapter.send(Destination("discord", "channel", ANNOUNCEMENTS), REPLY)
    [call] = fake.calls_to("POST", f"/channels/{ANNOUNCEMENTS}/messages$")
    assert "tasks are back" in text_of(call.json)
    assert call.json["allowed_mentions"] == {"parse": []}
    assert set(custom_ids(call.json)) == {"Status"}


async def test_send_to_a_member_opens_a_direct_message(fake, adapter):
    await adapter.send(Destination("discord", "user", MEMBER), Reply(blocks=["hi"], image=Image(TINY_PNG, "x")))
    [dm] = fake.calls_to("POST", "/users/@me/channels$")
    assert dm.json == {"recipient_id": int(MEMBER)}
    [post] = fake.calls_to("POST", r"/channels/\d+/messages$")
    assert post.path == f"/channels/{940000000000000000 + int(MEMBER)}/messages"
    assert [f[1] for f in post.files] == ["image.png"]


@pytest.mark.parametrize(
    ("status", "code", "kind", "expected"),
    [
        (403, 50001, "channel", "Missing Access"),
        (404, 10003, "channel", "Unknown Channel"),
        (403, 50007, "user", "does not accept direct messages"),
    ],
)
async def test_refusals_are_permanent(fake, adapter, status, code, kind, expected):
    fake.fail("POST", r"/channels/\d+/messages$", status, code, expected)
    with pytest.raises(PermanentDeliveryError, match=expected):
        await adapter.send(Destination("discord", kind, MEMBER), REPLY)


async def test_a_long_rate_limit_is_retryable_after_its_wait(fake, adapter):
    fake.fail("POST", r"/channels/\d+/messages$", 429, 0, "You are being rate limited.", headers={"Via": "1.1 google"},
              body={"message": "You are being rate limited.", "retry_after": 64.5, "global": False})
    with pytest.raises(RetryableDeliveryError) as raised:
        await adapter.send(Destination("discord", "channel", ANNOUNCEMENTS), REPLY)
    assert raised.value.retry_after == 64.5


async def test_a_bad_id_is_permanent_and_a_stopped_client_is_retryable(app):
    adapter = DiscordAdapter(app)
    with pytest.raises(RetryableDeliveryError):
        await adapter.send(Destination("discord", "channel", ANNOUNCEMENTS), REPLY)
    adapter.client = object.__new__(type("Open", (), {"is_closed": lambda self: False}))
    with pytest.raises(PermanentDeliveryError):
        await adapter.send(Destination("discord", "channel", "general"), REPLY)
