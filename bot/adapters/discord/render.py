"""A neutral Reply rendered as a Discord message: one embed within Discord's limits, an image, buttons.

Reply text is plain text on every platform: the bot's own words use no markup, and much of what a
reply shows was typed by members (project names, notes, community notes). Telegram escapes it all as
HTML; here `escape` does the same for Discord markdown, in every part Discord reads markdown in (the
title, the description, field names and values; footers are shown as they are). So a member's
`[Claim your bonus](https://evil.example/x) **now**` shows exactly as typed, never as a link, with no
list of which strings came from whom to keep up to date. The one construct left live is a channel
mention `<#id>` (digits only), which the bot writes to name a digest channel: it links inside Discord,
cannot carry a URL, and pings no one (every message goes out with allowed_mentions none).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord.components import build_view
from bot.core.model import Reply
from bot.wiring import App

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
MIN_DESCRIPTION = 1000  # when the total is too long, the description keeps at least this much before fields go
COLOUR = discord.Colour(0x3B82F6)
ERROR_COLOUR = discord.Colour(0xDC2626)
NO_MENTIONS = discord.AllowedMentions.none()

# Discord shows a backslash before any ASCII punctuation as that character alone, so escaping is always
# safe. Escaped: every character that opens or closes markup anywhere (emphasis, strike, spoiler, code,
# masked links, <mentions, timestamps, emoji, autolinks>, @everyone, "scheme:" links and :emoji:), the
# dot of a domain (Discord links discord.gg/... without a scheme), and what starts a line as a heading,
# block quote, list or "-#" small text.
_MARKUP = re.compile(
    r"(?P<channel><#\d+>)"
    r"|(?P<char>[\\*_~|`\[\]<@:])"
    r"|(?P<dot>(?<=[^\W_])\.(?=[^\W\d_]))"
    r"|^(?P<indent>[ \t]*)(?P<lead>[#>+-]|\d+[.)])",
    re.MULTILINE,
)


@dataclass
class Message:
    """What to send for one Reply; build a fresh one per send (discord.File is single-use)."""

    embed: discord.Embed
    files: list[discord.File] = field(default_factory=list)
    view: discord.ui.View | None = None
    ephemeral: bool = False

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for channel.send / followup.send / response.send_message (no ephemeral)."""
        kwargs: dict[str, Any] = {"embeds": [self.embed], "allowed_mentions": NO_MENTIONS}
        if self.files:
            kwargs["files"] = self.files
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for edit_original_response (files go in as attachments)."""
        kwargs = self.send_kwargs()
        if "files" in kwargs:
            kwargs["attachments"] = kwargs.pop("files")
        return kwargs


async def render(app: App, reply: Reply, viewer: str | None = None) -> Message:
    """The Discord message for a reply to `viewer` (a keyed hash; None: no one in particular); buttons become
    persistent components."""
    embed = build_embed(reply)
    files = []
    if reply.image is not None:
        filename = _safe_filename(reply.image.filename)
        files.append(discord.File(io.BytesIO(reply.image.data), filename=filename, description=reply.image.alt_text))
        embed.set_image(url=f"attachment://{filename}")
    view = await build_view(app, reply.buttons, viewer) if reply.buttons else None
    return Message(embed, files, view, reply.ephemeral)


def escape(text: str) -> str:
    """Plain text as Discord markdown that shows exactly that text: no links, formatting or mentions."""
    return _MARKUP.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    if match["channel"]:
        return match["channel"]
    if match["char"]:
        return "\\" + match["char"]
    if match["dot"]:
        return "\\."
    lead = match["lead"]
    if lead[0].isdigit():  # "1." starts a numbered list: escape the dot (or bracket) after the number
        return match["indent"] + lead[:-1] + "\\" + lead[-1]
    return match["indent"] + "\\" + lead


def build_embed(reply: Reply) -> discord.Embed:
    """One embed: title, blocks as the description, fields and footer, escaped and cut to Discord's limits."""
    title = cut(escape(reply.title), TITLE_LIMIT) if reply.title else None
    description = cut(escape("\n\n".join(b for b in reply.blocks if b)), DESCRIPTION_LIMIT) or None
    footer = cut(reply.footer, FOOTER_LIMIT) if reply.footer else None  # Discord shows footers as plain text
    fields = [
        (cut(escape(f.name), FIELD_NAME_LIMIT) or "\u200b", cut(escape(f.value), FIELD_VALUE_LIMIT) or "\u200b",
         f.inline)
        for f in reply.fields[:FIELD_COUNT_LIMIT]
    ]
    if not (title or description or fields):
        description = "Done."
    description, fields = _fit_total(len(title or "") + len(footer or ""), description, fields)
    embed = discord.Embed(title=title, description=description, colour=ERROR_COLOUR if reply.is_error else COLOUR)
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if footer:
        embed.set_footer(text=footer)
    return embed


def _fit_total(fixed: int, description: str | None, fields: list) -> tuple[str | None, list]:
    """Keep the embed within 6000 characters: shorten the description first, then drop fields from the end."""
    def total() -> int:
        return fixed + len(description or "") + sum(len(name) + len(value) for name, value, _ in fields)

    excess = total() - EMBED_TOTAL_LIMIT
    if excess > 0 and description:
        description = cut(description, max(len(description) - excess, MIN_DESCRIPTION))
    while fields and total() > EMBED_TOTAL_LIMIT:
        fields.pop()
    if description and total() > EMBED_TOTAL_LIMIT:
        description = cut(description, EMBED_TOTAL_LIMIT - fixed)
    return description, fields


def cut(text: str, limit: int) -> str:
    """The text, shortened with an ellipsis when it is longer than limit characters (never mid-escape)."""
    if len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if (len(kept) - len(kept.rstrip("\\"))) % 2:  # a lone backslash would escape the ellipsis
        kept = kept[:-1]
    return kept + "…"


def _safe_filename(name: str) -> str:
    """A filename Discord can reference as attachment://name (letters, digits, dot, dash, underscore)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "image.png"
