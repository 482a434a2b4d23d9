"""/help, /status outlier, /pay telus uk and /legit toloka in Spanish and Portuguese through the console (a
subprocess with --lang), the real python-telegram-bot against the fake Bot API (from.language_code) and the real
discord.py against the fake Discord (interaction.locale); the localized command menus of both platforms; and
replies within every platform's limits in every language."""

from __future__ import annotations

import pytest

from bot.adapters.discord.tree import slash_commands
from bot.core import i18n
from bot.wiring import build_app, load_registry
from tests.cli_support import queuewatch
from tests.discord_fake import FakeDiscord, connected, discord_settings, message_problems, messages, text_of
from tests.telegram_fake import private_chat, running_bot, user

LINES = ("/help", "/status outlier", "/pay telus uk", "/legit toloka")
# What each line must say, in order, per language (titles and labels the catalogues translate).
EXPECTED = {
    "es": ("Comandos de queuewatch", "Todos los comandos, o cómo usar uno",
           "Outlier: sin reportes recientes", "Último reporte",
           "Cuánto paga TELUS Digital (reportado)", "Salario mínimo, United Kingdom",
           "¿Toloka es legítima? Legítima, con riesgos", "Lo que lo decide",
           "Los datos se muestran en el idioma de sus fuentes (inglés)."),
    "pt_BR": ("Comandos do queuewatch", "Todos os comandos, ou como usar um",
              "Outlier: sem relatos recentes", "Último relato",
              "Quanto a TELUS Digital paga (relatado)", "Salário mínimo, United Kingdom",
              "A Toloka é confiável? Legítima, com riscos", "O que decide",
              "Os fatos aparecem no idioma das fontes (inglês)."),
}
TELEGRAM_CODES = {"es": "es", "pt_BR": "pt-br"}  # as Telegram sends from.language_code
DISCORD_LOCALES = {"es": "es-419", "pt_BR": "pt-BR"}
TELEGRAM_LIMIT = 4096


def in_order(text: str, expected: tuple[str, ...]) -> None:
    """Every expected piece appears, in this order."""
    position = 0
    for piece in expected:
        found = text.find(piece, position)
        assert found >= 0, f"{piece!r} missing after position {position}:\n{text[position:position + 600]}"
        position = found + len(piece)


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
def test_the_console_speaks_the_language_given_with_lang(tmp_path, locale) -> None:
    result = queuewatch("console", "--lang", locale, cwd=tmp_path, stdin="\n".join(LINES) + "\n",
                        DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    in_order(result.stdout, EXPECTED[locale])
    assert "queuewatch commands" not in result.stdout


def test_the_console_refuses_a_language_it_does_not_speak(tmp_path) -> None:
    result = queuewatch("console", "--lang", "klingon", cwd=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 2 and "unknown language 'klingon'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
async def test_telegram_answers_in_the_language_of_the_members_app(settings, clock, locale) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        member = {**user(4100, "Ana"), "language_code": TELEGRAM_CODES[locale]}
        for count, line in enumerate(LINES, start=1):
            bot.fake.message(private_chat(4100, "Ana"), member, line)
            await bot.fake.wait_sent(4100, count, timeout=10)
        sent = bot.fake.sent(4100)
        assert all(len(call.text) <= TELEGRAM_LIMIT for call in sent)
        in_order("\n".join(call.text for call in sent), EXPECTED[locale])


async def test_telegram_sets_each_command_menu_once_per_language(settings, clock) -> None:
    async with running_bot(settings, clock, registry=load_registry()) as bot:
        calls = bot.fake.of("setMyCommands")
        seen = [(str(call.params.get("scope")), call.params.get("language_code")) for call in calls]
        assert len(seen) == len(set(seen)), "a menu was set twice"
        codes = {code for _scope, code in seen}
        assert codes == {None, "es", "pt"}
        assert len(calls) == 2 * 3  # members' and admins' menus, in English (the default), Spanish, Portuguese
        by_code = {call.params.get("language_code"): call.params["commands"] for call in calls}
        spanish = {c["command"]: c["description"] for c in by_code["es"]}
        english = {c["command"]: c["description"] for c in by_code[None]}
        assert set(spanish) == set(english), "command names stay the same in every language"
        assert spanish["help"] == "Todos los comandos, o cómo usar uno"
        assert english["help"] == "Every command, or how to use one"
        assert all(0 < len(c["description"]) <= 256 for menu in by_code.values() for c in menu)


@pytest.mark.parametrize("locale", ["es", "pt_BR"])
async def test_discord_answers_in_the_interactions_locale(clock, locale) -> None:
    async with FakeDiscord() as fake:
        app = await build_app(discord_settings(), clock, registry=load_registry())
        try:
            async with connected(app):
                texts = []
                for line in LINES:
                    name = line[1:].split()[0]
                    options = {"status": {"platform": "outlier"}, "legit": {"platform": "toloka"},
                               "pay": {"platform": "telus", "role": "uk"}}.get(name, {})
                    payload = fake.command(name, options)
                    payload["locale"] = DISCORD_LOCALES[locale]
                    for message in messages(await fake.interact(payload, timeout=10)):
                        assert message_problems(message) == []
                        texts.append(text_of(message))
                # discord.py's embed puts the footer (the note on the facts' language) before the fields
                in_order("\n".join(texts), EXPECTED[locale][:-1])
                assert EXPECTED[locale][-1] in texts[-1]
        finally:
            await app.db.close()


def test_the_synced_discord_commands_carry_their_localizations() -> None:
    payload = slash_commands(load_registry())
    by_name = {command["name"]: command for command in payload}
    help_command = by_name["help"]
    assert help_command["description"] == "Every command, or how to use one"
    assert help_command["description_localizations"] == {
        "es-ES": "Todos los comandos, o cómo usar uno", "es-419": "Todos los comandos, o cómo usar uno",
        "pt-BR": "Todos os comandos, ou como usar um"}
    assert "name_localizations" not in help_command, "command names are the same everywhere"
    weekday = next(o for o in by_name["digest_setup"]["options"] if o["name"] == "weekday")
    monday = weekday["choices"][0]
    assert (monday["name"], monday["value"]) == ("Monday", "monday")
    assert monday["name_localizations"] == {"es-ES": "Lunes", "es-419": "Lunes", "pt-BR": "Segunda-feira"}
    for command in payload:
        for text in (command["description_localizations"], *(o["description_localizations"]
                                                             for o in command["options"])):
            assert set(text) == {"es-ES", "es-419", "pt-BR"} and all(0 < len(v) <= 100 for v in text.values())
        for option in command["options"]:
            for choice in option.get("choices", []):
                assert all(0 < len(v) <= 100 for v in choice["name_localizations"].values())


def test_the_sync_hash_changes_when_a_translation_does(monkeypatch) -> None:
    from bot.adapters.discord.sync import commands_hash

    payload = slash_commands(load_registry())
    before = commands_hash(1, [2], payload)
    i18n.translations.cache_clear()
    real = i18n.translations("es")
    monkeypatch.setattr(i18n, "translations", lambda locale: _Changed(real) if locale == "es" else
                        i18n.NullTranslations())
    assert commands_hash(1, [2], slash_commands(load_registry())) != before


class _Changed:
    """A Spanish catalogue in which /help's description was reworded."""

    def __init__(self, real) -> None:
        self.real = real

    def gettext(self, message: str) -> str:
        return "Todos los comandos (nuevo)" if message == "Every command, or how to use one" else \
            self.real.gettext(message)


@pytest.mark.parametrize("locale", i18n.LOCALES)
async def test_answers_fit_every_platform_in_every_language(app, locale) -> None:
    """The longest answers: every platform's /legit, /pay and /platform, /sources, /platforms, /help."""
    from bot.adapters.telegram.render import render as telegram_render
    from bot.core.model import Actor, Place, Platform
    from bot.features.knowledge.loader import knowledge_base
    from bot.features.knowledge.render import BRIEF_BODY_LIMIT, TOTAL_LIMIT, body_text

    asker = Actor(Platform.TELEGRAM, "77", "Ana", locale=locale, rate_limited=False)
    where = Place(Platform.TELEGRAM, "-1001", "-1001", is_private=False)
    lines = ["/help", "/platforms", "/scamcheck", "/status"]
    for pid in knowledge_base().platforms:
        lines += [f"/legit {pid}", f"/pay {pid} uk", f"/platform {pid}", f"/sources {pid}"]
    for line in lines:
        reply = await app.dispatcher.dispatch_line(line, asker, where)
        assert not reply.is_error, (line, reply.plain_text())
        if line.split()[0] in ("/legit", "/pay", "/platform"):
            assert len(body_text(reply)) <= BRIEF_BODY_LIMIT and len(reply.plain_text()) <= TOTAL_LIMIT, line
        rendered = telegram_render(reply)
        assert all(len(text) <= TELEGRAM_LIMIT for text in rendered.messages) and len(rendered.caption) <= 1024, line
