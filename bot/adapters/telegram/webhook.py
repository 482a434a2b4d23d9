"""Telegram webhook mode: Telegram POSTs each update to a path derived from TELEGRAM_WEBHOOK_SECRET, with the
secret itself in the X-Telegram-Bot-Api-Secret-Token header. The update is stored in the inbox (a repeated
update_id is ignored there) and 200 answered as soon as it is committed; it is handled afterwards. Any number of
processes may receive behind one proxy: the inbox in the shared database is what they agree on.

`add_routes` mounts the receiver on any aiohttp Application (the web server of the web role); `WebhookServer`
serves it alone on TELEGRAM_WEBHOOK_LISTEN when no such server runs in the process.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from bot.adapters.base import StartupError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH_PREFIX = "/telegram/"
MAX_BODY = 1024 * 1024  # an update is a few kB; Telegram's largest are far below this

Accept = Callable[[Sequence[Mapping[str, Any]]], Awaitable[int]]


def webhook_path(secret: str) -> str:
    """The path updates are posted to: derived from the secret (so it is unguessable), not the secret itself
    (which then never appears in a proxy's access log)."""
    return PATH_PREFIX + hashlib.sha256(f"queuewatch-webhook:{secret}".encode()).hexdigest()[:32]


def webhook_url(base_url: str, secret: str) -> str:
    """The full URL given to setWebhook: the public base URL and the path."""
    return base_url.rstrip("/") + webhook_path(secret)


def add_routes(app: web.Application, accept: Accept, secret: str) -> None:
    """Add the webhook receiver to an aiohttp application; `accept` stores updates (the inbox's accept)."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("telegram webhook: refused a post without the right %s header", SECRET_HEADER)
            return web.json_response({"ok": False, "error": "wrong or missing secret token"}, status=403)
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "the body is not JSON"}, status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.json_response({"ok": False, "error": "not a Telegram Update (no update_id)"}, status=400)
        try:
            await accept([update])
        except Exception as exc:  # not stored: a non-2xx answer makes Telegram post it again later
            log.error("telegram webhook: could not store update %s (%s: %s); Telegram will send it again",
                      update["update_id"], type(exc).__name__, exc)
            return web.json_response({"ok": False, "error": "not stored; send it again"}, status=503)
        return web.json_response({"ok": True})

    app.router.add_post(webhook_path(secret), receive)


class WebhookServer:
    """A minimal aiohttp server for the webhook receiver alone (when the process runs no web server)."""

    name = "telegram-webhook"

    def __init__(self, host: str, port: int, accept: Accept, secret: str) -> None:
        self.host, self.port = host, port
        self._app = web.Application(client_max_size=MAX_BODY)
        add_routes(self._app, accept, secret)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on host:port (port 0: any free port, then read `port`)."""
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise StartupError(f"TELEGRAM_WEBHOOK_LISTEN: cannot listen on {self.host}:{self.port} "
                               f"({exc.strerror}); choose a free port") from None
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("telegram: receiving webhook posts on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
