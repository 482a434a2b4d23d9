"""The labelled corpus of plain questions, and scoring a classifier against it, per intent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.features.knowledge.intents import Intent

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TUNING = CORPUS / "intent_corpus.tsv"
HOLDOUT = CORPUS / "intent_holdout.tsv"


@dataclass(frozen=True)
class Row:
    """One labelled phrasing: what a member wrote and what it asks."""

    text: str
    intent: str
    platforms: tuple[str, ...]
    country: str
    detail: str

    @property
    def label(self) -> tuple[str, tuple[str, ...], str, str]:
        """Everything the router must get right for the row to count."""
        return self.intent, self.platforms, self.country, self.detail


def read_corpus(path: Path) -> list[Row]:
    """The rows of a corpus file (tab-separated; lines starting with # are comments)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        assert len(parts) == 5, f"{path.name}:{number}: expected 5 tab-separated columns, got {len(parts)}"
        text, intent, platforms, country, detail = parts
        rows.append(Row(text, intent, tuple(p for p in platforms.split("+") if p), country, detail))
    return rows


def label_of(intent: Intent) -> tuple[str, tuple[str, ...], str, str]:
    """The router's answer in the corpus's terms."""
    kind = intent.message if intent.kind == "need_platform" else intent.kind
    platforms = tuple(p for p in (intent.platform, *intent.also) if p)
    detail = intent.report or intent.domain or ""
    return kind, platforms, intent.country or "", detail


@dataclass
class Score:
    """How many rows a classifier got right, overall and per intent, and which it got wrong."""

    right: Counter[str]
    total: Counter[str]
    misses: list[tuple[Row, tuple[str, tuple[str, ...], str, str]]]

    @property
    def accuracy(self) -> float:
        """The share of rows labelled exactly right."""
        return sum(self.right.values()) / max(1, sum(self.total.values()))

    def table(self, title: str) -> str:
        """Accuracy per intent as a printable table."""
        lines = [f"{title}: {sum(self.right.values())}/{sum(self.total.values())} = {self.accuracy:.1%}"]
        for intent in sorted(self.total):
            lines.append(f"  {intent:<16} {self.right[intent]:>3}/{self.total[intent]:<3} "
                         f"{self.right[intent] / self.total[intent]:>7.1%}")
        return "\n".join(lines)


def score(rows: list[Row], classify: Callable[[str], tuple[str, tuple[str, ...], str, str]]) -> Score:
    """Score a classifier (text -> label) on labelled rows."""
    result = Score(Counter(), Counter(), [])
    for row in rows:
        got = classify(row.text)
        result.total[row.intent] += 1
        if got == row.label:
            result.right[row.intent] += 1
        else:
            result.misses.append((row, got))
    return result
