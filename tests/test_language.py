"""Telling another language from English with stopwords and letters: no network, no model."""

from __future__ import annotations

import pytest

from bot.features.knowledge.language import language_of
from tests.support.intent_corpus import HOLDOUT, TUNING, read_corpus

PLATFORM_WORDS = frozenset({"da", "outlier", "dataannotation", "toloka", "mercor"})


@pytest.mark.parametrize(("text", "language"), [
    ("¿Outlier es legítimo?", "Spanish"),
    ("alguém recebeu pagamento da DA essa semana?", "Portuguese"),
    ("Ist Outlier seriös?", "German"),
    ("Est-ce que Outlier est une arnaque ?", "French"),
    ("Outlier è affidabile?", "Italian"),
    ("Hoeveel betaalt Outlier per uur?", "Dutch"),
    ("Czy Outlier to oszustwo?", "Polish"),
    ("Outlier это развод?", "Russian or another Cyrillic-script language"),
    ("アウトライアーは安全ですか", "Japanese"),
])
def test_other_languages_are_recognised(text: str, language: str) -> None:
    assert language_of(text, PLATFORM_WORDS) == language


@pytest.mark.parametrize("text", ["DA is dry", "is dataannotation.cc legit", "is outlier legit in mexico",
                                  "can I get paid in euros on prolific", "résumé tips for DA", "gm", "👍", ""])
def test_english_is_not_flagged(text: str) -> None:
    assert language_of(text, PLATFORM_WORDS) is None


def test_no_english_phrasing_of_the_corpus_is_taken_for_another_language() -> None:
    rows = read_corpus(TUNING) + read_corpus(HOLDOUT)
    flagged = [r.text for r in rows if r.intent != "other_language" and language_of(r.text, PLATFORM_WORDS)]
    assert flagged == []
