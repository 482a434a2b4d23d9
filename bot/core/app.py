"""The running application: settings, clock, database, registry and the domain services."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from hashlib import sha256
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.clock import Clock, SystemClock
from bot.core.registry import Registry

if TYPE_CHECKING:
    from bot.core.delivery import Sender
    from bot.core.dispatcher import Dispatcher
    from bot.settings import Settings
    from storage.database import Database

T = TypeVar("T")

SECRET_META_KEY = "queuewatch_secret"


class App:
    """Everything a handler may need, reached through `invocation.app`."""

    def __init__(self, settings: Settings, db: Database, registry: Registry, clock: Clock, secret: bytes) -> None:
        from bot.core.dispatcher import Dispatcher

        self.settings = settings
        self.db = db
        self.registry = registry
        self.clock = clock
        self._secret = secret
        self._services: dict[type, Any] = {}
        # Adapters register themselves here when they start, so the outbox can deliver through them.
        self.senders: dict[str, Sender] = {}
        # The bot's own username per platform, once an adapter learns it (deep links, mentions).
        self.bot_usernames: dict[str, str] = {}
        self.dispatcher: Dispatcher = Dispatcher(self)

    def service(self, cls: Callable[[App], T]) -> T:
        """The one instance of a domain service class (built from the app on first use)."""
        instance = self._services.get(cls)  # type: ignore[call-overload]
        if instance is None:
            instance = self._services[cls] = cls(self)  # type: ignore[index]
        return instance

    def person_key(self, platform: str, user_id: str) -> str:
        """A keyed hash of a person's platform identity; the only way reporters are stored."""
        message = f"{platform}:{user_id}".encode()
        return hmac.new(self._secret, message, sha256).hexdigest()[:32]


async def load_secret(settings: Settings, db: Database) -> bytes:
    """The HMAC key: QUEUEWATCH_SECRET, or one generated once and kept in the database."""
    if settings.queuewatch_secret is not None:
        return settings.queuewatch_secret.get_secret_value().encode()
    stored = await db.get_meta(SECRET_META_KEY)
    if stored is None:
        stored = secrets.token_hex(32)
        await db.set_meta(SECRET_META_KEY, stored, only_if_missing=True)
        stored = await db.get_meta(SECRET_META_KEY) or stored
    return stored.encode()


async def build_app(settings: Settings, clock: Clock | None = None, registry: Registry | None = None) -> App:
    """Open and migrate the database, load the secret and the commands, and return the app."""
    from commands import load_registry
    from storage.database import open_database

    db = await open_database(settings.database_url)
    try:
        await db.migrate()
        secret = await load_secret(settings, db)
    except BaseException:
        await db.close()  # an open connection's thread would keep the process from exiting
        raise
    return App(settings, db, registry or load_registry(), clock or SystemClock(), secret)
