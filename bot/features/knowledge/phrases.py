"""Finding phrases in a pasted message as statements: sentence by sentence, skipping the ones it denies
("we never ask for a fee") or warns about ("beware of scammers on Telegram")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

NEGATIONS = {"never", "not", "no", "don't", "dont", "doesn't", "won't", "cannot", "can't", "isn't", "aren't", "nor",
             "without", "zero"}
NEAR = 3  # a denial this close before a phrase denies it: "no registration fee", "work is not guaranteed"
# Further back in the clause, a denial of a request denies the whole list that follows it:
# "we will never ask you to send money, pay a fee or share your password".
REQUESTS = re.compile(r"^(ask|charg|request|requir|contact|messag|text|call|email|shar|send|giv|pay|accept|tak|"
                      r"use|have|has)", re.IGNORECASE)
# A clause naming scams is a warning about them, not a request ("beware of fake recruiters on Telegram";
# "if you get a WhatsApp message claiming to be from us, it is a scam").
WARNING = re.compile(r"\b(beware|scam\w*|fraud\w*|fake|impersonat\w*|phishing|pretend\w*|posing)\b", re.IGNORECASE)
# Idioms that look like denials but deny nothing ("don't miss out"); reassurance ("this is not a scam") is no
# warning, and proves nothing either.
IDIOMS = re.compile(r"\b(don'?t worry|do not worry|no worries|no problem|never mind|not only|don'?t miss|"
                    r"do not miss|don'?t hesitate|do not hesitate|don'?t wait|"
                    r"(?:not|no|never)\s+(?:a\s+)?(?:scam|fraud|fake)\w*)\b", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[\n;]+")
# A clause ends at a colon or bracket and before these words; one that starts with a condition is a threat
# ("if you don't pay the fee ..."), so its denials do not count.
CLAUSE_BREAK = re.compile(r"[:()]|\b(?=(?:but|until|unless|however|otherwise|if|before|so|then|because|or else)\b)",
                          re.IGNORECASE)
CONDITIONS = re.compile(r"^\s*(if|unless|until|otherwise|or else)\b", re.IGNORECASE)
WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class Hit:
    """A phrase found in a sentence: where it is in the message, and the sentence."""

    start: int
    end: int
    sentence: tuple[int, int]


def normalise(text: str) -> str:
    """The text with curly quotes made straight, same length, so positions stay valid."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence."""
    spans, start = [], 0
    for m in SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


@cache
def pattern(phrase: str) -> re.Pattern[str]:
    """A phrase as a case-insensitive whole-word pattern; a space or hyphen matches either, or several."""
    body = r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", normalise(phrase).strip()) if part)
    left = r"(?<![a-z0-9])" if phrase[0].isalnum() else ""
    right = r"(?![a-z0-9])" if phrase[-1].isalnum() else ""
    return re.compile(left + body + right, re.IGNORECASE)


def _clause(text: str, sentence: tuple[int, int], start: int, end: int) -> tuple[int, int]:
    """The clause a hit is in, within its sentence."""
    breaks = [(m.start(), m.end()) for m in CLAUSE_BREAK.finditer(text, *sentence)]
    return (max((b for _a, b in breaks if b <= start), default=sentence[0]),
            min((a for a, _b in breaks if a >= end), default=sentence[1]))


def denied(text: str, sentence: tuple[int, int], start: int, end: int | None = None) -> bool:
    """True when the hit's clause warns about it, or the words before it in the clause deny it."""
    clause = _clause(text, sentence, start, end or start)
    if WARNING.search(IDIOMS.sub(" ", text[clause[0]:clause[1]])):
        return True
    before = IDIOMS.sub(" ", text[clause[0]:start])
    if CONDITIONS.match(before):
        return False
    words = WORD.findall(before.lower())
    if any(w in NEGATIONS for w in words[-NEAR:]):
        return True
    return any(w in NEGATIONS and any(REQUESTS.match(v) for v in words[i + 1:i + 4]) for i, w in enumerate(words))


def _in(text: str, span: tuple[int, int], phrases: list[str], *, stated: bool = False) -> bool:
    """True when the sentence has one of the phrases; `stated`: not denied, and not done to the reader
    ("we'll send you a code", "at no cost")."""
    for phrase in phrases:
        for m in pattern(phrase).finditer(text, *span):
            if not stated or not (re.match(r"\s+you\b", text[m.end():span[1]], re.IGNORECASE)
                                  or denied(text, span, m.start(), m.end())):
                return True
    return False


def find(text: str, words: list[str], needs: list[str] = (), unless: list[str] = (),  # type: ignore[assignment]
         channels: list[str] = ()) -> Iterator[Hit]:  # type: ignore[assignment]
    """Where the message states one of the words: not denied, with one of `needs` in the sentence if any are
    given ("send ... passport", but not "we send you ..."), and not in a sentence naming one of `unless`
    unless it also names one of `channels` (a chat contact is never the platform's own route)."""
    text = normalise(text)
    for span in sentences(text):
        if needs and not _in(text, span, needs, stated=True):
            continue
        if unless and _in(text, span, unless) and not _in(text, span, channels):
            continue
        for word in words:
            for m in pattern(word).finditer(text, *span):
                if not denied(text, span, m.start(), m.end()):
                    yield Hit(m.start(), m.end(), span)
