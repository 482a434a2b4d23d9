"""Which language a reply is in: the member's choice, the platform's locale, the community's default, English;
/settings language and /community_language; Accept-Language for the web; Babel's numbers, money and dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.core import i18n
from bot.core.model import Actor, Place, Platform
from bot.core.plural import plural
from storage import member_settings

COMMUNITY = Place(Platform.TELEGRAM, "-100777", "-100777", is_private=False)
PRIVATE = Place(Platform.TELEGRAM, None, None, is_private=True)
SPANISH_TITLE, PORTUGUESE_TITLE, ENGLISH_TITLE = "Comandos de queuewatch", "Comandos do queuewatch", \
    "queuewatch commands"


def person(locale: str | None = None, user: str = "501") -> Actor:
    """A Telegram member whose app is set to `locale`."""
    return Actor(Platform.TELEGRAM, user, "Ana", locale=locale)


async def help_title(app, actor: Actor, place: Place = COMMUNITY) -> str | None:
    return (await app.dispatcher.dispatch_line("/help", actor, place)).title


async def test_the_platform_locale_is_used_when_the_member_chose_none(app) -> None:
    assert await help_title(app, person("es-MX")) == SPANISH_TITLE
    assert await help_title(app, person("pt-br")) == PORTUGUESE_TITLE
    assert await help_title(app, person("en-GB")) == ENGLISH_TITLE
    assert await help_title(app, person(None)) == ENGLISH_TITLE


async def test_the_members_choice_wins_over_the_platform_and_clear_gives_it_back(app) -> None:
    ana = person("es")
    saved = await app.dispatcher.dispatch_line("/settings language pt_BR", ana, COMMUNITY)
    assert saved.title == "Configurações salvas" and "Português (Brasil)" in saved.plain_text()
    assert await help_title(app, ana) == PORTUGUESE_TITLE
    cleared = await app.dispatcher.dispatch_line("/settings language clear", ana, COMMUNITY)
    assert cleared.title == "Configuración guardada"  # back to the app's Spanish at once
    assert await help_title(app, ana) == SPANISH_TITLE


async def test_a_language_can_be_named_as_people_write_it(app) -> None:
    for typed, locale in (("español", "es"), ("pt-BR", "pt_BR"), ("Português", "pt_BR"), ("EN", "en")):
        reply = await app.dispatcher.dispatch_line(f"/settings language {typed}", person(), COMMUNITY)
        assert not reply.is_error, reply.plain_text()
        stored = await member_settings.load(app.db, app.person_key("telegram", "501"))
        assert stored.language == locale


async def test_an_unknown_language_gets_a_clear_answer(app) -> None:
    reply = await app.dispatcher.dispatch_line("/settings language klingon", person(), COMMUNITY)
    assert reply.is_error and "klingon" in reply.plain_text() and "pt_BR" in reply.plain_text()
    missing = await app.dispatcher.dispatch_line("/settings language", person(), COMMUNITY)
    assert missing.is_error and "/settings language es" in missing.plain_text()


async def test_settings_still_take_a_country_and_currency_and_keep_the_language(app) -> None:
    ana = person()
    await app.dispatcher.dispatch_line("/settings language es", ana, COMMUNITY)
    reply = await app.dispatcher.dispatch_line("/settings united kingdom GBP", ana, COMMUNITY)
    fields = {f.name: f.value for f in reply.fields}
    assert fields == {"País": "United Kingdom", "Moneda de visualización": "GBP", "Idioma": "Español"}


async def test_the_community_default_comes_after_the_platform_locale(app, clock) -> None:
    mod = Actor(Platform.TELEGRAM, "9", "Mod", is_moderator=True)
    shown = await app.dispatcher.dispatch_line("/community_language", mod, COMMUNITY)
    assert "English" in shown.title
    done = await app.dispatcher.dispatch_line("/community_language es", mod, COMMUNITY)
    assert done.title == "Idioma de la comunidad: Español" and done.private
    assert await help_title(app, person(None)) == SPANISH_TITLE  # no locale: the community's
    assert await help_title(app, person("fr-FR")) == SPANISH_TITLE  # a locale the bot does not speak
    assert await help_title(app, person("pt-BR")) == PORTUGUESE_TITLE  # the member's app comes first
    assert await help_title(app, person(None), PRIVATE) == ENGLISH_TITLE  # no community in a private chat
    await app.dispatcher.dispatch_line("/community_language en", mod, COMMUNITY)
    assert await help_title(app, person(None)) == ENGLISH_TITLE


async def test_members_may_not_set_the_community_language(app) -> None:
    reply = await app.dispatcher.dispatch_line("/community_language es", person("es"), COMMUNITY)
    assert reply.is_error and reply.title == "No permitido" and "moderadores" in reply.plain_text()


async def test_errors_and_unknown_commands_are_translated_too(app) -> None:
    unknown = await app.dispatcher.dispatch_line("/hlep", person("es"), COMMUNITY)
    assert unknown.title == "Comando desconocido" and "¿Quisiste decir /help?" in unknown.plain_text()
    bad = await app.dispatcher.dispatch_line("/pay", person("pt-BR"), COMMUNITY)
    assert bad.is_error and bad.title == "Confira o comando" and "precisa de platform" in bad.plain_text()


async def test_forget_takes_the_language_with_the_other_settings(app) -> None:
    ana = person("es")
    await app.dispatcher.dispatch_line("/settings language pt_BR", ana, COMMUNITY)
    await app.dispatcher.dispatch_line("/forget yes", ana, COMMUNITY)
    assert (await member_settings.load(app.db, app.person_key("telegram", "501"))).language is None
    assert await help_title(app, ana) == SPANISH_TITLE  # at once: nothing kept of the forgotten choice


async def test_a_question_in_spanish_is_answered_in_spanish_unless_the_member_chose_otherwise(app) -> None:
    ana = person(None)
    reply = await app.dispatcher.dispatch_line("¿Toloka es legítima?", ana, PRIVATE)
    assert reply.title == "¿Toloka es legítima? Legítima, con riesgos"
    assert "Los datos se muestran en el idioma de sus fuentes (inglés)." in reply.plain_text()
    await app.dispatcher.dispatch_line("/settings language en", ana, PRIVATE)
    assert (await app.dispatcher.dispatch_line("¿Toloka es legítima?", ana, PRIVATE)).title == \
        "Is Toloka legit? Legit, with risks"


@pytest.mark.parametrize(("header", "lang", "expected"), [
    ("es-ES,es;q=0.9,en;q=0.8", None, "es"),
    ("fr-FR,fr;q=0.9,pt-BR;q=0.8,en;q=0.5", None, "pt_BR"),
    ("en-US,en;q=0.9", None, "en"),
    ("de, pt;q=0.1, es;q=0.4", None, "es"),
    ("es;q=0, pt;q=0.2", None, "pt_BR"),
    ("*", None, "en"),
    ("garbage;;;q=x,,", None, "en"),
    (None, None, "en"),
    ("en-US", "pt_BR", "pt_BR"),
    ("es", "xx", "es"),  # an unknown ?lang= is ignored
])
def test_a_web_request_gets_its_locale_from_lang_then_accept_language(header, lang, expected) -> None:
    assert i18n.negotiate(header, lang) == expected


def test_numbers_money_dates_and_plurals_follow_the_locale() -> None:
    assert (i18n.money(1802.5, "USD"), plural(2, "person", "people")) == ("$1,802.50", "2 people")
    with i18n.use_locale("es"):
        assert i18n.money(1802.5, "USD") == "1.802,50\xa0US$"
        assert i18n.number(1234567) == "1.234.567"
        assert i18n.percent(0.25) == "25\xa0%"
        assert i18n.day(date(2025, 2, 28)) == "28 feb 2025"
        assert plural(1, "person", "people") == "1 persona"
    with i18n.use_locale("pt_BR"):
        assert i18n.money(12.5, "GBP") == "£\xa012,50"
        assert i18n.day("2025-02-28") == "28 de fev. de 2025"
        assert plural(3, "member", "members") == "3 membros"
    assert i18n.current() == "en"


async def test_a_reply_in_one_task_does_not_leak_its_locale_into_the_next(app) -> None:
    await help_title(app, person("es"))
    assert await help_title(app, replace(person(None), user_id="502")) == ENGLISH_TITLE
