"""Rendering a Digest to a neutral Reply that fits both platforms' limits."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import N_, SOURCE, _, current, local_time, money, number, percent
from bot.core.model import Field, Reply
from bot.core.plural import plural
from bot.features.digest.model import SHOWN_CHANGES, Digest

MAX_TEXT = 3800  # under Telegram's 4096 per message and Discord's 4096 embed description / 6000 total
MAX_BLOCK = 1024  # a block may become a Discord embed field value
FOOTER = N_("Crowd reports from every community queuewatch serves. /status for live status, /subscribe for alerts.")


def _since(at: int | None, zone) -> str:
    if at is None:
        return ""
    moment = datetime.fromtimestamp(at, zone)
    if current() != SOURCE:
        return " " + _("since {date}").format(date=local_time(moment, "EEE d MMM"))
    return f" since {moment:%a} {moment.day} {moment:%b}"


def _date(moment: datetime) -> str:
    return local_time(moment, "d MMM") if current() != SOURCE else f"{moment.day} {moment:%b}"


def _section(heading: str, lines: list[str], shown: int, more: str, beyond: int = 0) -> str:
    """A heading and bullet lines; `more` says how many were left out ("…and {count} more changes"): the lines
    after the first `shown`, and `beyond` more that were never worded."""
    text = "\n".join([heading, *(f"• {line}" for line in lines[:shown])])
    if left_out := len(lines) - shown + beyond:
        text += "\n" + _(more).format(count=number(left_out))
    return text


def _pay_line(move) -> str:
    if current() == SOURCE:
        return (f"{move.name}: median ${move.median_before:.2f}/h → ${move.median_now:.2f}/h ({move.change:+.0%}, "
                f"n={move.n_now})")
    change = ("+" if move.change > 0 else "") + percent(move.change)
    return _("{name}: median {before}/h → {now}/h ({change}, n={n})").format(
        name=move.name, before=money(move.median_before, "USD"), now=money(move.median_now, "USD"), change=change,
        n=number(move.n_now))


def digest_reply(digest: Digest, intro: list[str] | None = None) -> Reply:
    """The digest as a Reply: changes first, then status, pay, counts and the chart; trimmed to fit."""
    zone = digest.end.tzinfo
    changes = [change.text for change in digest.changes]
    status = [f"{row.name}: {row.label}{_since(row.since, zone)} · " + _("{reports} from {people}").format(
        reports=plural(row.reports, "report", "reports"), people=plural(row.contributors, "person", "people"))
        for row in digest.status]
    pay = [_pay_line(move) for move in digest.pay_moves]
    here = "" if digest.community is None else _("{count} here").format(count=number(digest.reports_here)) + " · "
    people_here = "" if digest.community is None else _("{count} here").format(
        count=number(digest.contributors_here)) + " · "
    everywhere = _("{count} across all communities")
    fields = [
        Field(_("Reports this week"), here + everywhere.format(count=number(digest.reports_all)), inline=True),
        Field(_("Contributors"), people_here + everywhere.format(count=number(digest.contributors_all)),
              inline=True),
    ]
    title = _("Weekly digest · {start} – {end} {year}").format(start=_date(digest.start), end=_date(digest.end),
                                                              year=f"{digest.end:%Y}")
    shown = [min(len(changes), SHOWN_CHANGES), min(len(status), 20), min(len(pay), 8)]
    while True:
        blocks = [*(intro or [])]
        blocks.append(_section(_("What changed this week"), changes, shown[0], N_("…and {count} more changes"),
                               digest.more_changes)
                      if changes else _("What changed this week") + "\n" + _(
                          "A quiet week: no droughts started or ended, no projects reported ended and no payment "
                          "problems."))
        if status:
            blocks.append(_section(_("Status now"), status, shown[1], N_("…and {count} more platforms with reports")))
        if pay:
            blocks.append(_section(_("Pay medians that moved (vs the 4 weeks before)"), pay, shown[2],
                                   N_("…and {count} more platforms")))
        footer = _(FOOTER) if digest.live_url is None else _(FOOTER) + " " + _("Live status: {url}").format(
            url=digest.live_url)
        reply = Reply(title=title, blocks=blocks, fields=list(fields), image=digest.chart, footer=footer)
        too_long = len(reply.plain_text()) > MAX_TEXT or any(len(b) > MAX_BLOCK for b in blocks[len(intro or []):])
        if not too_long or sum(shown) == 0:
            return reply
        biggest = max(range(3), key=shown.__getitem__)
        shown[biggest] = max(0, shown[biggest] - max(1, shown[biggest] // 4))
