"""`queuewatch run`, `console` and `migrate`."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import fail, quiet_logs, with_settings
from bot.core.errors import StartupError
from bot.settings import Settings

MEMORY_URL = "sqlite:///:memory:"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add run, console and migrate."""
    run = subparsers.add_parser("run", help="start every adapter whose token is set (none: the console chat) and the "
                                "status page")
    run.add_argument("--roles", default="discord,telegram,worker,web",
                     help="what this process does, comma-separated: discord and telegram receive from the "
                          "platform, worker delivers the outbox and runs the background jobs, web serves the status "
                          "page (default: all; several processes need PostgreSQL, see docs/DEPLOY.md)")
    run.set_defaults(func=_run)

    console = subparsers.add_parser("console", help="chat with the bot in this terminal (also piped)")
    console.add_argument("--user", default="you", help="act as this user name (default: you)")
    console.add_argument("--moderator", action="store_true", help="act as a moderator of the community")
    console.add_argument("--community", default="local", help="act in this community (default: local)")
    console.add_argument("--private", action="store_true", help="act in a private chat with the bot")
    console.add_argument("--lang", type=_language, default=None,
                         help="your app's language, as a platform would say it: en, es or pt_BR (default: en)")
    console.set_defaults(func=_console)

    migrate = subparsers.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(func=_migrate)


def _language(text: str) -> str:
    """A --lang value: a language the bot speaks."""
    from bot.core.i18n import LOCALES, normalize

    found = normalize(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"unknown language {text!r}: use one of {', '.join(LOCALES)}")
    return found


def _console_factory(user: str = "you", moderator: bool = False, community: str | None = "local",
                     lang: str | None = None):
    from bot.adapters.console import ConsoleAdapter

    return lambda app, stop: ConsoleAdapter(app, stop, user=user, moderator=moderator, community=community,
                                            locale=lang)


def _console_with_notice(app, stop):
    """The console chat, told about once the database is open (so a refused start prints only its reason)."""
    print(
        "No DISCORD_TOKEN or TELEGRAM_TOKEN set: starting the console chat. "
        "Add tokens to .env (see .env.example) to join Discord or Telegram.",
        file=sys.stderr,
    )
    return _console_factory()(app, stop)


def _announce_page(address: str) -> None:
    """Say where the status page is (stderr, so piped console output stays the bot's replies)."""
    print(f"Status page: {address} (QUEUEWATCH_HTTP_PORT=0 turns it off)", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    from bot import runner

    try:
        roles = runner.parse_roles(args.roles)
    except runner.RolesError as exc:
        return fail(str(exc))

    async def body(settings: Settings) -> None:
        if settings.database_url == MEMORY_URL:
            raise StartupError(
                f"DATABASE_URL: {MEMORY_URL} keeps everything in memory, so every report, subscription and "
                "setting would vanish when the bot stops; point it at a file, e.g. sqlite:///data/queuewatch.db"
            )
        factories = runner.platform_adapters(settings, roles)
        if not factories and roles == runner.ALL_ROLES:
            factories = [_console_with_notice]
            quiet_logs(settings)
        elif not factories and not roles & {"worker", "web"}:
            raise StartupError(f"--roles {args.roles}: nothing to run here (no token is set for "
                               f"{' or '.join(sorted(roles - {'worker', 'web'})) or 'that role'}); set "
                               "DISCORD_TOKEN or TELEGRAM_TOKEN, or add the worker role")
        await runner.run(settings, factories, roles, announce=_announce_page)

    return with_settings(body)


def _console(args: argparse.Namespace) -> int:
    from bot import runner

    async def body(settings: Settings) -> None:
        quiet_logs(settings)
        community = None if args.private else args.community
        await runner.run(settings, [_console_factory(args.user, args.moderator, community, args.lang)])

    return with_settings(body)


def _migrate(args: argparse.Namespace) -> int:
    from storage.database import open_database

    async def body(settings: Settings) -> None:
        db = await open_database(settings.database_url)
        try:
            before, after = await db.migrate()
        finally:
            await db.close()
        if before == after:
            print(f"Database is up to date (schema version {after}).")
        else:
            print(f"Migrated the database from schema version {before} to {after}.")

    return with_settings(body)
