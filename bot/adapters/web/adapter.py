"""The web server as an adapter: started and stopped by the runner in the same event loop as the chat adapters."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aiohttp import web

from bot.adapters.web.server import Watched, build
from bot.core.errors import StartupError

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)


class WebAdapter:
    """Serves the public status page, the JSON API, the feed, badges, /healthz and /metrics."""

    name = "web"

    def __init__(self, app: App, watched: Callable[[], Sequence[Watched]] = tuple, host: str | None = None,
                 port: int | None = None, cache_seconds: float = 30.0, per_minute: int = 120) -> None:
        self.app = app
        self.host = host if host is not None else app.settings.queuewatch_http_host
        self.port = port if port is not None else (app.settings.queuewatch_http_port or 0)
        self.web_app = build(app, watched, self.base_url, cache_seconds=cache_seconds, per_minute=per_minute)
        self._runner: web.AppRunner | None = None
        self._bound: int | None = None

    @property
    def connected(self) -> bool:
        """True while listening."""
        return self._runner is not None

    @property
    def address(self) -> str:
        """Where this server listens, e.g. http://127.0.0.1:8080/ (the bound port when 0 was asked)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._bound or self.port}/"

    def base_url(self) -> str:
        """The address links are made with: QUEUEWATCH_PUBLIC_URL, else where this server listens."""
        return self.app.settings.queuewatch_public_url or self.address.rstrip("/")

    async def start(self) -> None:
        """Listen; a port already taken stops the start with one line naming the setting."""
        runner = web.AppRunner(self.web_app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise StartupError(
                f"QUEUEWATCH_HTTP_HOST / QUEUEWATCH_HTTP_PORT: cannot listen on {self.host}:{self.port} "
                f"({exc.strerror or exc}); choose another port, or QUEUEWATCH_HTTP_PORT=0 to turn the web server off"
            ) from None
        addresses = runner.addresses
        self._bound = addresses[0][1] if addresses else self.port
        self._runner = runner
        log.info("web: serving the status page at %s", self.address)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
