"""The signs a scam check found, as reply sections: every one shown, within the field limit."""

from __future__ import annotations

from bot.core.i18n import _
from bot.features.knowledge.render import FIELD_LIMIT, Line, Section
from bot.features.knowledge.scams import Finding

FINDINGS_BUDGET = 1800  # characters for the signs found; past it each sign is shown without its explanation
CITATION = 45  # room a line's citation takes, roughly


def finding_line(finding: Finding, *, explain: bool) -> Line:
    """One sign found: what it is, the words that show it, why it matters, and its sources (or that it has none)."""
    signal = finding.signal
    text = f"{signal.label} (“{finding.evidence}”)." + (f" {signal.explain}" if explain else "")
    if signal.unsourced:
        text += " " + _("(Unsourced: {note}.)").format(note=signal.unsourced)
    return Line(text, tuple(signal.sources))


def findings_sections(findings: list[Finding]) -> list[Section]:
    """The signs found, as many fields as it takes to show every one within the field limit."""
    if not findings:
        return [Section(_("Warning signs found ({count})").format(count=0), [Line(_("None of the usual signs."))],
                        keep=True)]
    lines = [finding_line(f, explain=True) for f in findings]
    if sum(len(line.text) + CITATION for line in lines) > FINDINGS_BUDGET:
        lines = [finding_line(f, explain=False) for f in findings]
    chunks: list[list[Line]] = [[]]
    for line in lines:
        if chunks[-1] and sum(len(x.text) + CITATION for x in [*chunks[-1], line]) > FIELD_LIMIT:
            chunks.append([])
        chunks[-1].append(line)
    names = [_("Warning signs found ({count})").format(count=len(findings))] + [_("More warning signs found")] * (
        len(chunks) - 1)
    return [Section(name, chunk, keep=True) for name, chunk in zip(names, chunks, strict=True)]
