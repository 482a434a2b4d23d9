"""Turning sourced lines into a Reply that fits platform limits: citations numbered, detail trimmed.

Order: the answer (blocks), then the facts (fields), then the numbered sources (footer), so every
front end shows answer, facts and sources in that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.i18n import SOURCE, _, current
from bot.core.model import Button, Field, Reply
from bot.features.knowledge.check import fact_date
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import KIND_LABELS, format_date, weak_flag

TOTAL_LIMIT = 3500  # the whole reply as plain text (Discord embed 6000, Telegram message 4096)
BLOCK_LIMIT = 1400  # one text block
FIELD_LIMIT = 1000  # one field value (Discord allows 1024)
FOOTER_LIMIT = 2000  # the footer with the sources (Discord allows 2048)
# The body (answer and facts, without title and footer) of /legit, /platform and /pay: about one phone screen,
# half the old answers' bodies (1,950-2,140), so the verdict and its facts are read before any list.
BRIEF_BODY_LIMIT = 1500


@dataclass
class Line:
    """A sentence, with the sources behind it (none for the bot's own words or crowd data)."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass
class Section:
    """A named group of lines, shown as one field. `keep` sections are never trimmed; a higher `rank`
    is trimmed first, and never below `min_lines` lines."""

    name: str
    lines: list[Line]
    keep: bool = False
    rank: int = 0
    min_lines: int = 0


@dataclass
class Answer:
    """A reply before rendering: the answer first, then sections of facts, then the sources."""

    title: str
    lead: list[Line]
    sections: list[Section] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    note: str | None = None  # shown in the footer before the sources
    ephemeral: bool = False


def cite(sources: tuple[str, ...], numbers: dict[str, int]) -> str:
    """The inline citation of a line: date (and kind of source when there is one), then the numbers, then
    "(forum only)" / "(SEO site only)" when every source is a forum or SEO-tier page."""
    if not sources:
        return ""
    kb = knowledge_base()
    for source_id in sources:
        numbers.setdefault(source_id, len(numbers) + 1)
    marks = "".join(f"[{numbers[s]}]" for s in sources)
    when = format_date(fact_date(kb, sources))
    flag = weak_flag([kb.source(s) for s in sources])
    flag = f" ({flag})" if flag else ""
    if len(sources) == 1:
        return f" ({when}, {KIND_LABELS[kb.source(sources[0]).kind]}) {marks}{flag}"
    newest = _("newest {date}").format(date=when) if when != _("n.d.") else when
    return f" ({newest}) {marks}{flag}"


def _join(lines: list[Line], numbers: dict[str, int], limit: int) -> str:
    """Whole lines with citations, up to a limit; a line that does not fit is left out, never cut."""
    kept: list[str] = []
    for line in lines:
        tentative = dict(numbers)
        text = line.text + cite(line.sources, tentative)
        if sum(len(t) + 1 for t in kept) + len(text) > limit and kept:
            break
        numbers.update(tentative)
        kept.append(text)
    return "\n".join(kept)


def source_list(numbers: dict[str, int]) -> str:
    """The numbered sources with URL, date and kind."""
    kb = knowledge_base()
    lines = []
    for source_id, number in sorted(numbers.items(), key=lambda item: item[1]):
        source = kb.source(source_id)
        lines.append(f"[{number}] {source.url} ({format_date(source.date)}, {source.kind_label})")
    return _("Sources:") + "\n" + "\n".join(lines) if lines else ""


def _render(answer: Answer) -> Reply:
    numbers: dict[str, int] = {}
    blocks = [_join(answer.lead, numbers, BLOCK_LIMIT)] if answer.lead else []
    fields = [Field(s.name, _join(s.lines, numbers, FIELD_LIMIT)) for s in answer.sections if s.lines]
    # Knowledge-base facts keep their sources' language (English); a reply in another language says so.
    source_note = _("Facts are shown in the language of their sources (English).") if (
        numbers and current() != SOURCE) else None
    footer = "\n\n".join(part for part in (answer.note, source_note, source_list(numbers)) if part) or None
    return Reply(title=answer.title, blocks=blocks, fields=fields, buttons=answer.buttons, footer=footer,
                 ephemeral=answer.ephemeral)


def body_text(reply: Reply) -> str:
    """A reply's body as plain text: its blocks and fields, without title and footer."""
    return Reply(blocks=reply.blocks, fields=reply.fields).plain_text()


def render(answer: Answer, limit: int = TOTAL_LIMIT, body_limit: int | None = None) -> Reply:
    """Render, trimming the least important detail (last lines of high-rank, long sections) until it fits."""
    while True:
        reply = _render(answer)
        fits_body = body_limit is None or len(body_text(reply)) <= body_limit
        if fits_body and len(reply.plain_text()) <= limit and len(reply.footer or "") <= FOOTER_LIMIT:
            return reply
        trimmable = [s for s in answer.sections if not s.keep and len(s.lines) > s.min_lines]
        if not trimmable:
            return reply
        max(reversed(trimmable), key=lambda s: (s.rank, len(s.lines))).lines.pop()
