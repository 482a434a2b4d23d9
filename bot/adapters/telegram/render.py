"""A neutral Reply as Telegram HTML: escaped text, split at paragraph boundaries within Telegram's limits."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from bot.core.model import Image, Reply

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
TITLE_LIMIT = 256
ERROR_MARK = "⚠️ "


@dataclass(frozen=True)
class Unit:
    """One piece of HTML that is never split, and the separator that goes before it."""

    html: str
    separator: str = "\n\n"


@dataclass
class Rendered:
    """What goes out: an optional photo with its caption, then text messages (buttons go on the last one)."""

    messages: list[str] = field(default_factory=list)
    image: Image | None = None
    caption: str = ""


def escape(text: str) -> str:
    """User or knowledge-base text made safe for parse_mode=HTML."""
    return html.escape(text, quote=False)


def split_raw(text: str, limit: int) -> list[str]:
    """Split text into pieces whose *escaped* length is at most `limit`: at lines, then words, then anywhere."""
    if len(escape(text)) <= limit:
        return [text]
    for separator in ("\n", " "):
        if separator in text.strip(separator):
            return _pack_raw(text.split(separator), separator, limit)
    pieces, current = [], ""
    for char in text:
        if current and len(escape(current + char)) > limit:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _pack_raw(parts: list[str], separator: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for part in parts:
        for piece in split_raw(part, limit):
            joined = f"{current}{separator}{piece}" if current else piece
            if len(escape(joined)) <= limit:
                current = joined
            else:
                if current:
                    pieces.append(current)
                current = piece
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece.strip()]


def _wrapped(text: str, before: str, after: str, separator: str = "\n\n") -> list[Unit]:
    room = MESSAGE_LIMIT - len(before) - len(after)
    pieces = split_raw(text, room)
    return [Unit(f"{before}{escape(piece)}{after}", separator if i == 0 else "\n") for i, piece in enumerate(pieces)]


def units(reply: Reply) -> list[Unit]:
    """The reply as unsplittable HTML units: bold title, text blocks, "<b>name</b>: value" fields, italic footer."""
    result: list[Unit] = []
    if reply.title:
        title = (ERROR_MARK if reply.is_error else "") + reply.title[:TITLE_LIMIT]
        result.append(Unit(f"<b>{escape(title)}</b>"))
    for block in reply.blocks:
        if block and block.strip():
            result.extend(_wrapped(block, "", ""))
    for index, item in enumerate(reply.fields):
        label = f"<b>{escape(item.name[:TITLE_LIMIT])}</b>: "
        # A multi-line value starts on its own line, so it reads as a list under its label.
        value = ("\n" + item.value) if "\n" in item.value else item.value
        result.extend(_wrapped(value, label, "", "\n\n" if index == 0 else "\n"))
    if reply.footer:
        result.extend(_wrapped(reply.footer, "<i>", "</i>"))
    return result


def pack(pieces: list[Unit], first_limit: int = MESSAGE_LIMIT, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join units into messages, each within its limit; the first may have a smaller one (a caption)."""
    messages: list[str] = [""]
    for unit in pieces:
        current = messages[-1]
        room = first_limit if len(messages) == 1 else limit
        joined = f"{current}{unit.separator}{unit.html}" if current else unit.html
        if len(joined) <= room:
            messages[-1] = joined
        else:  # (a first unit too big for a caption leaves the caption empty)
            messages.append(unit.html)
    return messages


def render(reply: Reply, header: str | None = None) -> Rendered:
    """Render a reply: text messages under 4096 characters, or a photo with a caption under 1024 and the rest;
    `header` (HTML, short) goes first."""
    pieces = ([Unit(header)] if header else []) + units(reply)
    if reply.image is None:
        messages = [m for m in pack(pieces) if m] or [escape("(no text)")]
        return Rendered(messages=messages)
    caption, *rest = pack(pieces, first_limit=CAPTION_LIMIT)
    if not caption:
        caption = escape(reply.image.alt_text[:CAPTION_LIMIT])
    return Rendered(messages=[m for m in rest if m], image=reply.image, caption=caption)
