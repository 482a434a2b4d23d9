"""Rendering a Digest to a neutral Reply that fits both platforms' limits."""

from __future__ import annotations

from datetime import datetime

from bot.core.model import Field, Reply
from bot.core.plural import plural
from bot.features.digest.model import Digest

MAX_TEXT = 3800  # under Telegram's 4096 per message and Discord's 4096 embed description / 6000 total
MAX_BLOCK = 1024  # a block may become a Discord embed field value
FOOTER = "Crowd reports from every community queuewatch serves. /status for live status, /subscribe for alerts."


def _since(at: int | None, zone) -> str:
    if at is None:
        return ""
    moment = datetime.fromtimestamp(at, zone)
    return f" since {moment:%a} {moment.day} {moment:%b}"


def _date(moment: datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _section(heading: str, lines: list[str], shown: int, noun: str) -> str:
    text = "\n".join([heading, *(f"• {line}" for line in lines[:shown])])
    if len(lines) > shown:
        text += f"\n…and {len(lines) - shown} more {noun}"
    return text


def digest_reply(digest: Digest, intro: list[str] | None = None) -> Reply:
    """The digest as a Reply: changes first, then status, pay, counts and the chart; trimmed to fit."""
    zone = digest.end.tzinfo
    changes = [change.text for change in digest.changes]
    status = [f"{row.name}: {row.label}{_since(row.since, zone)} · {plural(row.reports, 'report')} from "
              f"{plural(row.contributors, 'person', 'people')}" for row in digest.status]
    pay = [f"{move.name}: median ${move.median_before:.2f}/h → ${move.median_now:.2f}/h ({move.change:+.0%}, "
           f"n={move.n_now})" for move in digest.pay_moves]
    here = "" if digest.community is None else f"{digest.reports_here:,} here · "
    people_here = "" if digest.community is None else f"{digest.contributors_here:,} here · "
    fields = [
        Field("Reports this week", f"{here}{digest.reports_all:,} across all communities", inline=True),
        Field("Contributors", f"{people_here}{digest.contributors_all:,} across all communities", inline=True),
    ]
    title = f"Weekly digest · {_date(digest.start)} – {_date(digest.end)} {digest.end:%Y}"
    shown = [min(len(changes), 12), min(len(status), 20), min(len(pay), 8)]
    while True:
        blocks = [*(intro or [])]
        blocks.append(_section("What changed this week", changes, shown[0], "changes") if changes else
                      "What changed this week\nA quiet week: no droughts started or ended, no projects reported "
                      "ended and no payment problems.")
        if status:
            blocks.append(_section("Status now", status, shown[1], "platforms with reports"))
        if pay:
            blocks.append(_section("Pay medians that moved (vs the 4 weeks before)", pay, shown[2], "platforms"))
        footer = FOOTER if digest.live_url is None else f"{FOOTER} Live status: {digest.live_url}"
        reply = Reply(title=title, blocks=blocks, fields=list(fields), image=digest.chart, footer=footer)
        too_long = len(reply.plain_text()) > MAX_TEXT or any(len(b) > MAX_BLOCK for b in blocks[len(intro or []):])
        if not too_long or sum(shown) == 0:
            return reply
        biggest = max(range(3), key=shown.__getitem__)
        shown[biggest] = max(0, shown[biggest] - max(1, shown[biggest] // 4))
