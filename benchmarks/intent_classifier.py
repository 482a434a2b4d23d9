"""Benchmark: the rule-based intent router against a small classifier trained on the same corpus.

The classifier is multinomial naive Bayes over word unigrams and bigrams (add-one smoothing), the usual
baseline for short texts. It predicts the intent only, so both are scored on the intent only here (the
router's platform, country and report kind come from the same matcher either way). Printed: 5-fold
cross-validation on the tuning corpus (rules need no training, so they are scored on every fold's test part),
then trained on the whole tuning corpus and scored on the two held-out sets.

    .venv/bin/python benchmarks/intent_classifier.py
"""

from __future__ import annotations

import itertools
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.features.knowledge.intents import classify, platform_words
from tests.support.intent_corpus import CORPUS, HOLDOUT, TUNING, Row, label_of, read_corpus


def features(text: str) -> list[str]:
    """Lower-case words and word pairs; platform names become one token, so the intent is learnt, not the name."""
    names = platform_words()
    words = ["<platform>" if w in names else w for w in re.findall(r"[\w$£€'?]+", text.lower())]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class NaiveBayes:
    """Multinomial naive Bayes with add-one smoothing."""

    def __init__(self, rows: list[Row]) -> None:
        self.priors = Counter(r.intent for r in rows)
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            self.counts[row.intent].update(features(row.text))
        self.vocabulary = {f for c in self.counts.values() for f in c}
        self.totals = {intent: sum(c.values()) for intent, c in self.counts.items()}

    def predict(self, text: str) -> str:
        """The most likely intent."""
        n = sum(self.priors.values())
        size = len(self.vocabulary) + 1

        def score(intent: str) -> float:
            total = self.totals[intent] + size
            return math.log(self.priors[intent] / n) + sum(
                math.log((self.counts[intent][f] + 1) / total) for f in features(text))

        return max(self.priors, key=score)


def rules(text: str) -> str:
    """The router's intent."""
    return label_of(classify(text))[0]


def accuracy(rows: list[Row], predict) -> float:
    """The share of rows whose intent is predicted right."""
    return sum(predict(r.text) == r.intent for r in rows) / len(rows)


def main() -> None:
    """Print the comparison."""
    tuning = read_corpus(TUNING)
    shuffled = tuning[:]
    random.Random(14).shuffle(shuffled)
    folds = [shuffled[i::5] for i in range(5)]
    nb_scores, rule_scores = [], []
    for i, test in enumerate(folds):
        train = [r for j, fold in enumerate(folds) if j != i for r in fold]
        nb_scores.append(accuracy(test, NaiveBayes(train).predict))
        rule_scores.append(accuracy(test, rules))
    print(f"tuning corpus ({len(tuning)} rows), 5-fold cross-validation, intent only:")
    print(f"  naive Bayes  {sum(nb_scores) / 5:.1%}   rules  {sum(rule_scores) / 5:.1%}")
    model = NaiveBayes(tuning)
    for path in (HOLDOUT, CORPUS / "intent_fresh.tsv"):
        rows = read_corpus(path)
        print(f"{path.name} ({len(rows)} rows), trained on the whole tuning corpus, intent only:")
        print(f"  naive Bayes  {accuracy(rows, model.predict):.1%}   rules  {accuracy(rows, rules):.1%}")


if __name__ == "__main__":
    main()
