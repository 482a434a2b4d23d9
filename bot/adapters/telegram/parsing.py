"""Reading a Telegram message: the command and its argument text, and whether the bot is addressed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, MessageEntity

COMMAND_TOKEN = re.compile(r"^/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?$")


@dataclass(frozen=True)
class ParsedCommand:
    """A `/name@bot args` message: the lower-case name, the argument text, and whether @bot was given."""

    name: str
    args: str
    addressed: bool


# surrogatepass: a lone surrogate (JSON can carry one) goes through untouched; the dispatcher replaces it.
def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of `text` at a Telegram entity's offset and length, which count UTF-16 code units."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    return encoded[offset * 2:(offset + length) * 2].decode("utf-16-le", "surrogatepass")


def utf16_remove(text: str, offset: int, length: int) -> str:
    """`text` without the part at a Telegram entity's UTF-16 offset and length."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    return (encoded[:offset * 2] + encoded[(offset + length) * 2:]).decode("utf-16-le", "surrogatepass")


def parse_command(text: str, entities: tuple[MessageEntity, ...], bot_username: str) -> ParsedCommand | None:
    """The command at the start of a message, or None (not a command, or addressed to another bot)."""
    if not text.startswith("/"):
        return None
    first = next((e for e in entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
    if first is not None:
        token = utf16_slice(text, 0, first.length)
        rest = utf16_remove(text, 0, first.length)
    else:  # clients always send the entity; be lenient with hand-made updates
        token, rest = [*text.split(maxsplit=1), ""][:2]
    match = COMMAND_TOKEN.match(token.strip())
    if match is None:
        return None
    name, target = match.groups()
    if target and target.lower() != bot_username.lower():
        return None
    return ParsedCommand(name.lower(), rest.strip(), addressed=bool(target))


def mentions_bot(message: Message, bot_username: str, bot_id: int) -> bool:
    """True when the message @mentions the bot (by username or as a text mention)."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.MENTION:
            if utf16_slice(text, entity.offset, entity.length).lower() == f"@{bot_username.lower()}":
                return True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
    return _mention_pattern(bot_username).search(text) is not None


def _mention_pattern(bot_username: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)


def replies_to_bot(message: Message, bot_id: int) -> bool:
    """True when the message is a reply to one of the bot's messages."""
    original = message.reply_to_message
    return bool(original and original.from_user and original.from_user.id == bot_id)


def without_mention(text: str, bot_username: str) -> str:
    """The question without the @bot mention, so the question handler sees only the question."""
    cleaned = _mention_pattern(bot_username).sub(" ", text)
    return " ".join(cleaned.split())


def start_target(args: str) -> tuple[str, str]:
    """What `/start PAYLOAD` (a t.me deep link, or a first contact) should run: `subscribe_<id>` runs
    /subscribe <id>; anything else shows /help."""
    payload = args.strip()
    command, _, value = payload.partition("_")
    if command == "subscribe" and value:
        return "subscribe", value
    return "help", ""
