"""The catalogues: every message the code marks is translated in every language (no missing, empty or fuzzy entry),
keeps every placeholder of the English, compiles, and every declared description and choice label is marked."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.core import i18n
from bot.wiring import load_registry

ROOT = Path(__file__).resolve().parent.parent
# The keywords docs/TRANSLATING.md gives pybabel: _, N_, ngettext and plural(n, one, many).
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "plural": (2, 3)}
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")
TRANSLATED = i18n.LOCALES[1:]


def marked_in_code() -> set[str | tuple[str, str]]:
    """Every message id the code marks, as `pybabel extract` finds it."""
    found: set[str | tuple[str, str]] = set()
    for folder in ("bot", "commands"):
        for _filename, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**/templates/**.html", "jinja2"), ("**.py", "python")],
                options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}, keywords=KEYWORDS):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalogue(locale: str):
    """A language's catalogue as Babel reads it."""
    with i18n.catalogue_path(locale).open("rb") as source:
        return read_po(source, locale=locale)


def entries(locale: str) -> dict[str | tuple[str, str], object]:
    """A catalogue's entries by message id (singular, or (singular, plural))."""
    return {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalogue(locale) if m.id}


def test_the_code_marks_what_the_replies_say() -> None:
    marked = marked_in_code()
    assert len(marked) > 400
    for sample in ("Every command, or how to use one", "Is {name} legit? {category}", ("person", "people"),
                   "Weekly digest · {start} – {end} {year}", "tasks flowing", "Is the queue empty?"):
        assert sample in marked


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_marked_message_is_translated_and_nothing_is_fuzzy_or_empty(locale: str) -> None:
    found = entries(locale)
    missing = marked_in_code() - set(found)
    assert not missing, f"{locale}: not in the catalogue (run pybabel update): {sorted(map(str, missing))[:10]}"
    fuzzy = [key for key, m in found.items() if m.fuzzy]
    empty = [key for key, m in found.items()
             if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert not fuzzy and not empty, (fuzzy, empty)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_placeholder_of_the_english_is_in_the_translation(locale: str) -> None:
    wrong = []
    for key, message in entries(locale).items():
        sources = (key,) if isinstance(key, str) else key
        wanted = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((key, text))
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("locale", TRANSLATED)
def test_the_catalogue_compiles_and_says_its_plural_rule(locale: str) -> None:
    found = catalogue(locale)
    assert found.num_plurals == 2, "plural(n, one, many) gives two forms"
    assert not [problem for _message, problems in found.check() for problem in problems]
    compiled = BytesIO()
    write_mo(compiled, found)
    assert compiled.getvalue()
    i18n.translations.cache_clear()
    with i18n.use_locale(locale):
        assert i18n._("Status") != "Status" or locale == "pt_BR"  # "Status" is Portuguese too
        assert i18n.ngettext("person", "people", 2) != "people"


def test_every_declared_description_and_choice_label_is_in_every_catalogue() -> None:
    """Declarations are marked with N_ so pybabel finds them; this catches one that is not."""
    texts = set()
    for command in load_registry():
        texts.add(command.description)
        texts.update(p.description for p in command.params)
        texts.update(c.label for p in command.params for c in p.choices
                     if c.label and c.label not in i18n.LANGUAGE_NAMES.values())
    for locale in TRANSLATED:
        assert texts <= set(entries(locale)), sorted(texts - set(entries(locale)))


def test_an_unknown_message_falls_back_to_the_english() -> None:
    with i18n.use_locale("es"):
        assert i18n._("a sentence no catalogue has") == "a sentence no catalogue has"
    assert i18n.current() == "en"
