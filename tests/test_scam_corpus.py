"""/scamcheck measured on real-shaped messages, scams and genuine platform and recruiter messages: precision
and recall are printed; no genuine message may be called a scam, and recall must be at least 90%.

tests/corpus/scam_messages.tsv is what the signs were tuned on; scam_fresh.tsv was written with it, before the
signs were tuned, and never used to tune them. scam_unseen.tsv was written after the last tuning and never tuned
on: its figures are the honest ones for new shapes of message, so it is held to no genuine message called a
scam and only guarded against falling further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.features.knowledge.scams import scan
from tests.support.figures import report

CORPUS = Path(__file__).resolve().parent / "corpus"
TUNING = CORPUS / "scam_messages.tsv"
FRESH = CORPUS / "scam_fresh.tsv"
UNSEEN = CORPUS / "scam_unseen.tsv"
LABELS = {"scam", "genuine"}


@dataclass(frozen=True)
class Row:
    """One message and whether it is a scam."""

    text: str
    label: str


def read(path: Path) -> list[Row]:
    """The rows of a corpus file (tab-separated text and label; lines starting with # are comments)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        assert len(parts) == 2 and parts[1] in LABELS, f"{path.name}:{number}: want text<TAB>scam|genuine"
        rows.append(Row(*parts))
    return rows


@dataclass
class Figures:
    """Counts of a scam check against the labels, and the messages it got wrong."""

    caught: list[Row]
    missed: list[Row]
    false_alarms: list[Row]  # genuine messages called a scam
    cautioned: list[Row]  # genuine messages shown any warning sign at all
    genuine: int

    @property
    def precision(self) -> float:
        """Of the messages called a scam, the share that are."""
        called = len(self.caught) + len(self.false_alarms)
        return len(self.caught) / called if called else 1.0

    @property
    def recall(self) -> float:
        """Of the scams, the share called a scam."""
        scams = len(self.caught) + len(self.missed)
        return len(self.caught) / scams if scams else 1.0

    def table(self, name: str) -> str:
        """The figures as printed lines."""
        lines = [f"{name}: {len(self.caught) + len(self.missed)} scams, {self.genuine} genuine",
                 f"  precision {self.precision:.1%}  recall {self.recall:.1%}  "
                 f"genuine called a scam: {len(self.false_alarms)}  genuine shown any sign: {len(self.cautioned)}"]
        lines += [f"  missed: {row.text[:90]!r}" for row in self.missed]
        return "\n".join(lines)


def measure(rows: list[Row]) -> Figures:
    """Run the scam check on every row."""
    figures = Figures([], [], [], [], sum(r.label == "genuine" for r in rows))
    for row in rows:
        result = scan(row.text)
        if row.label == "scam":
            (figures.caught if result.is_scam else figures.missed).append(row)
        else:
            if result.is_scam:
                figures.false_alarms.append(row)
            if result.findings:
                figures.cautioned.append(row)
    return figures


def test_the_corpus_is_big_varied_and_well_formed() -> None:
    rows = read(TUNING) + read(FRESH) + read(UNSEEN)
    assert len(rows) >= 40 and len({r.text for r in rows}) == len(rows)
    genuine = [r.text.lower() for r in rows if r.label == "genuine"]
    assert sum(r.label == "scam" for r in rows) >= 20 and len(genuine) >= 20
    # Genuine messages that share words with scams, so the check is tried where it could go wrong.
    for word in ("identity", "photo id", "selfie", "whatsapp", "telegram", "fee", "gift card", "guaranteed",
                 "deposit", "scammers"):
        assert any(re.search(rf"\b{word}\b", text) for text in genuine), word


@pytest.mark.parametrize("path", [TUNING, FRESH], ids=["tuning", "fresh"])
def test_no_genuine_message_is_called_a_scam_and_nine_scams_in_ten_are(path) -> None:
    figures = measure(read(path))
    report(f"scam check: {path.stem}" + (" (never tuned on)" if path == FRESH else ""), figures.table(path.name))
    assert not figures.false_alarms, [r.text for r in figures.false_alarms]
    assert not figures.cautioned, [r.text for r in figures.cautioned]
    assert figures.recall >= 0.90, figures.table(path.name)


def test_on_messages_written_after_the_tuning_no_genuine_one_is_called_a_scam() -> None:
    figures = measure(read(UNSEEN))
    report("scam check: scam_unseen (written after tuning, never tuned on)", figures.table(UNSEEN.name))
    assert not figures.false_alarms, [r.text for r in figures.false_alarms]
    assert figures.recall >= 0.60, figures.table(UNSEEN.name)  # a guard against falling further, not a target
