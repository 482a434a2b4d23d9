"""Telling a question in another language from English, cheaply: stopword lists and letters, no model."""

from __future__ import annotations

import re
import unicodedata

# Common words of each language that are not also everyday English words (so "no", "me", "a", "in", "per",
# "was", "con" are left out); accents count too. Enough to tell what language a short question is in.


def _list(words: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(words.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "Spanish": _list(
        "el los las es que del en por para cuánto cuanto cuántos paga pagan pago pagos hay tareas tarea hoy cómo "
        "como mi mis alguien sabe si desde ayer una con legítimo legitimo estafa trabajo dinero semana qué dónde "
        "cuándo cuando pero muy está esta estoy tengo puedo hola gracias dólares ganar tiene algún alguna "
        "también ser confiable"),
    "Portuguese": _list(
        "os é da do das dos na em por para quanto paga pagam pagamento tem tarefas tarefa hoje como alguém "
        "alguem recebeu essa esse semana isso uma com golpe confiável confiavel trabalho dinheiro você voce eu "
        "meu minha não nao sim olá obrigado também já ainda ganhar quando qual quais tá pra gente fila seca "
        "sacar recebo voltaram nenhuma"),
    "German": _list(
        "ist sind der die das ein eine und oder nicht wie viel zahlt zahlen pro stunde muss ich auf mein meine "
        "von gibt es heute aufgaben bei seriös serios echt kann mir jemand sagen ob hallo lohnt sich arbeit "
        "geld steuern deutschland woche danke noch keine kein mich wer wann warum betrug"),
    "French": _list(
        "est ce que une le les des du pour combien paie payé payer je dois sur mes gains il elle fiable "
        "arnaque bonjour merci travail argent semaine tâches taches aujourd hui quand pourquoi vous nous "
        "impôts impots pas"),
    "Italian": _list(
        "è il lo gli di quanto paga affidabile truffa lavoro soldi settimana ciao grazie italia sono "
        "oggi perché quando ci sono compiti"),
    "Dutch": _list(
        "hoeveel betaalt uur het een niet ik mijn werk geld betrouwbaar oplichting vandaag taken wanneer "
        "waarom"),
    "Polish": _list("czy jest oszustwo ile płaci placi godzinę godzine praca pieniądze dzisiaj zadania"),
}
LETTERS: dict[str, str] = {
    "Spanish": "ñ¿¡áíóú",
    "Portuguese": "ãõçâê",
    "German": "äöüß",
    "French": "àâêèëîïôûùçœ",
    "Italian": "àèìòù",
    "Polish": "ąćęłńśźż",
}
ENGLISH = _list(
    "the is are a an in on at to for of and or me my no do does did how what when where which who why can "
    "could will would should it this that be been get got paid pay pays much per hour site any anyone there "
    "tasks task i you they we from with have has not yet")
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
OTHER_SCRIPTS = {"CJK": "Chinese", "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HANGUL": "Korean",
                 "CYRILLIC": "Russian or another Cyrillic-script language", "ARABIC": "Arabic",
                 "DEVANAGARI": "Hindi", "HEBREW": "Hebrew", "THAI": "Thai", "GREEK": "Greek"}


def _script(text: str) -> str | None:
    """The non-Latin script most of a text's letters are in, as a language name, or None."""
    counts: dict[str, int] = {}
    letters = 0
    for char in text:
        if not char.isalpha():
            continue
        letters += 1
        name = unicodedata.name(char, "")
        for script, language in OTHER_SCRIPTS.items():
            if name.startswith(script):
                counts[language] = counts.get(language, 0) + 1
    if not counts or sum(counts.values()) * 2 < letters:
        return None
    if "Japanese" in counts:  # Japanese mixes kana with Chinese characters
        return "Japanese"
    return max(counts, key=lambda language: counts[language])


def language_of(text: str, ignore: frozenset[str] = frozenset()) -> str | None:
    """The language a question is written in when it is clearly not English, else None.

    `ignore` holds words never to count (platform names such as "DA", which is also Portuguese for "of the").
    """
    script = _script(text)
    if script:
        return script
    words = [w for w in (w.lower() for w in WORD.findall(text)) if w not in ignore]
    english = sum(w in ENGLISH for w in words)
    lowered = text.lower()
    best, best_score = None, 0
    for language, stopwords in STOPWORDS.items():
        score = sum(w in stopwords for w in words) + sum(ch in LETTERS.get(language, "") for ch in set(lowered))
        if score > best_score:
            best, best_score = language, score
    return best if best_score >= 2 and best_score > english else None
