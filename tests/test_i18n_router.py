"""The plain-language router in Spanish and Portuguese: legit, pay, payout schedule, status and drought talk, scam
check. At least 60 phrasings per language, at least 90% exactly right per language (printed per intent), and the
English corpora untouched by the new tables."""

from __future__ import annotations

import pytest

from bot.features.knowledge.intents import classify
from bot.features.knowledge.language import language_of
from tests.support.figures import report
from tests.support.intent_corpus import CORPUS, label_of, read_corpus, score

MAIN = {"legit", "pay", "payout", "status", "report", "scamcheck"}
FILES = {"es": ("intent_es.tsv", "intent_es_fresh.tsv"), "pt_BR": ("intent_pt_BR.tsv", "intent_pt_BR_fresh.tsv")}
LANGUAGE_NAMES = {"es": "Spanish", "pt_BR": "Portuguese"}


def route(text: str) -> tuple[str, tuple[str, ...], str, str]:
    return label_of(classify(text))


@pytest.mark.parametrize("locale", list(FILES))
def test_each_language_has_60_phrasings_of_the_main_intents(locale) -> None:
    rows = [row for name in FILES[locale] for row in read_corpus(CORPUS / name)]
    assert len(rows) >= 60
    assert {row.intent for row in rows} >= MAIN
    assert all(sum(row.intent == intent for row in rows) >= 2 for intent in MAIN)
    assert len({row.text for row in rows}) == len(rows), "a phrasing is listed twice"


@pytest.mark.parametrize("locale", list(FILES))
@pytest.mark.parametrize("which", [0, 1], ids=["tuned", "fresh"])
def test_the_router_is_right_on_90_percent_per_language(locale, which) -> None:
    path = CORPUS / FILES[locale][which]
    result = score(read_corpus(path), route)
    report(f"intent router: {path.stem}", result.table(path.name))
    misses = "\n".join(f"  {row.text!r}: wanted {row.label}, got {got}" for row, got in result.misses)
    assert result.accuracy >= 0.90, f"{result.accuracy:.1%}\n{misses}"


@pytest.mark.parametrize("locale", list(FILES))
def test_a_question_carries_the_language_to_answer_in(locale) -> None:
    rows = read_corpus(CORPUS / FILES[locale][0])
    said = [classify(row.text).language for row in rows if len(row.text) < 150]
    assert sum(language == locale for language in said) >= 0.9 * len(said)


def test_other_languages_still_get_the_not_yet_answer() -> None:
    for text in ("Ist Outlier seriös?", "combien paie DataAnnotation en France ?", "Outlier это развод?"):
        assert classify(text).kind == "other_language"


def test_english_questions_are_never_read_as_spanish_or_portuguese() -> None:
    rows = [r for name in ("intent_corpus.tsv", "intent_holdout.tsv", "intent_fresh.tsv")
            for r in read_corpus(CORPUS / name) if r.intent != "other_language"]
    assert len(rows) > 400
    assert [r.text for r in rows if classify(r.text).language] == []
    assert [r.text for r in rows if language_of(r.text) in LANGUAGE_NAMES.values()] == []
