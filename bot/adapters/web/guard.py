"""What every response goes through: security headers, a per-client request limit, friendly errors (never a
traceback), and a short server-side cache with ETag / 304 and Cache-Control.

The cache serves a stored page while one request builds its successor (stale-while-revalidate), so a page that
reads the whole report history costs its readers nothing but the first build.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web

from bot.core.clock import Clock
from bot.core.i18n import _, negotiate, use_locale
from bot.core.ratelimit import RateLimiter

log = logging.getLogger(__name__)

MAX_AGE = 60  # Cache-Control: max-age for pages, JSON, the feed and badges
GZIP_FROM = 1024  # bodies from this size are also kept gzip-compressed
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
ErrorRenderer = Callable[[web.Request, int, str], web.Response]


@dataclass(frozen=True)
class Stored:
    """A built response kept for reuse, with its gzip-compressed body when that is worth it."""

    status: int
    body: bytes
    content_type: str
    etag: str
    fresh_until: float
    gzipped: bytes | None = None


class ResponseCache:
    """Built GET responses by path and query, kept `ttl` seconds, at most `size` of them; an expired one is served
    while a single background build replaces it. A ttl of 0 turns the cache off (every request builds)."""

    def __init__(self, ttl: float, timer: Callable[[], float], size: int = 512) -> None:
        self.ttl = ttl
        self.timer = timer
        self.size = size
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._building: dict[str, asyncio.Task[Stored | None]] = {}

    async def get(self, key: str, build: Callable[[], Awaitable[web.Response]]) -> Stored | web.Response:
        """The stored response for `key`, building it first if there is none (one build at a time per key);
        a server error is never stored."""
        if self.ttl <= 0:
            response = await build()
            return self._storable(response) or response
        stored = self._items.get(key)
        if stored is not None:
            self._items.move_to_end(key)
            if self.timer() >= stored.fresh_until and key not in self._building:
                self._start(key, build)
            return stored
        task = self._building.get(key) or self._start(key, build)
        built = await asyncio.shield(task)
        return built if built is not None else await build()

    def _start(self, key: str, build: Callable[[], Awaitable[web.Response]]) -> asyncio.Task[Stored | None]:
        task = asyncio.ensure_future(self._build(key, build))
        self._building[key] = task
        task.add_done_callback(lambda _t: self._building.pop(key, None))
        return task

    async def _build(self, key: str, build: Callable[[], Awaitable[web.Response]]) -> Stored | None:
        try:
            response = await build()
        except Exception:
            log.exception("web: building %s failed", key)
            return None
        stored = self._storable(response)
        if stored is None:
            return None
        self._items[key] = stored
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return stored

    def _storable(self, response: web.Response) -> Stored | None:
        """A built response as it would be kept; None for a server error (the next request tries again)."""
        if response.status >= 500 or not isinstance(response.body, bytes):
            return None
        content_type = response.headers.get("Content-Type", "application/octet-stream")
        body = response.body
        # Compressed once per build, not per request: the front page is ~10x smaller gzipped.
        gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_FROM else None
        return Stored(response.status, body, content_type, etag_of(body), self.timer() + self.ttl, gzipped)

    def clear(self) -> None:
        """Forget every stored response."""
        self._items.clear()


def etag_of(body: bytes) -> str:
    """A strong ETag of a body."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _matches(request: web.Request, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return wanted.strip() == "*" or etag in (tag.strip().removeprefix("W/") for tag in wanted.split(","))


def cached_response(request: web.Request, stored: Stored) -> web.Response:
    """A stored response (gzipped when the client takes it), or 304 Not Modified when the client has it already."""
    compressed = stored.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "")
    etag = stored.etag[:-1] + '-gz"' if compressed else stored.etag  # each representation its own strong ETag
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}", "Vary": "Accept-Encoding, Accept-Language"}
    if _matches(request, etag):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = stored.content_type
    if compressed:
        headers["Content-Encoding"] = "gzip"
        return web.Response(status=stored.status, body=stored.gzipped, headers=headers)
    return web.Response(status=stored.status, body=stored.body, headers=headers)


def client_key(request: web.Request) -> str:
    """Who is asking, for the request limit: the connecting address (behind a proxy: the proxy)."""
    return request.remote or "unknown"


def request_locale(request: web.Request) -> str:
    """The language of a response: `?lang=` first, then the Accept-Language header, else English."""
    if "locale" not in request:  # asked for several times per request: the middleware, the cache key, the page
        request["locale"] = negotiate(request.headers.get("Accept-Language"), request.query.get("lang"))
    return request["locale"]


def cache_key(request: web.Request) -> str:
    """The cache key: the path, and of the query only what a route reads (so ?x=1, ?x=2... do not each build),
    and the language the page is in."""
    hours = request.query.get("hours")
    key = request.path if hours is None else f"{request.path}?hours={hours}"
    return f"{key}#{request_locale(request)}"


def guard(clock: Clock, per_minute: int, cache: ResponseCache, render_error: ErrorRenderer,
          uncached: frozenset[str]) -> Callable:
    """The middleware: headers on everything, the limit, errors as pages or JSON, the cache except for `uncached`."""
    limiter = RateLimiter(clock, per_minute, timedelta(minutes=1)) if per_minute > 0 else None

    @web.middleware
    async def middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        with use_locale(request_locale(request)):  # pages, JSON error messages and the cache key agree on it
            response = await _handle(request, handler)
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Content-Language", request_locale(request).replace("_", "-"))
        return response

    async def _handle(request: web.Request, handler) -> web.StreamResponse:
        if limiter is not None:
            wait = limiter.hit(client_key(request))
            if wait is not None:
                response = render_error(request, 429, _("Too many requests: try again in {seconds} seconds.").format(
                    seconds=math.ceil(wait)))
                response.headers["Retry-After"] = str(math.ceil(wait))
                return response
        unmatched = request.match_info.http_exception  # no route (404) or a method it does not take (405)
        if unmatched is not None:
            return render_error(request, unmatched.status, _reason(unmatched))
        try:
            if request.method in ("GET", "HEAD") and request.path not in uncached:
                async def build() -> web.Response:
                    return await handler(request)  # type: ignore[return-value]
                found = await cache.get(cache_key(request), build)
                return cached_response(request, found) if isinstance(found, Stored) else found
            return await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return render_error(request, exc.status, _reason(exc))
        except Exception:
            log.exception("web: %s %s failed", request.method, request.path)
            return render_error(request, 500, _("Something went wrong on our side; try again in a minute."))

    return middleware


def _reason(exc: web.HTTPException) -> str:
    if exc.status == 404:
        return _("There is no page at this address.")
    if exc.status == 405:
        return _("This address only answers GET (and HEAD) requests.")
    return exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
