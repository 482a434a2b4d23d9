"""Exchange rates kept current: the ECB daily reference rates, refreshed in the background and kept in the database.

The app's `fx` (an FxRates) holds the newest table it has: the one stored in the database (loaded at start,
replaced after each refresh) when it is newer than the shipped table, else the shipped table. A refresh that
fails (no connection, a timeout, an HTTP error, a malformed file) keeps the rates in use and logs one warning;
the next failures in a row are logged at debug level until a refresh works again.
"""

from __future__ import annotations

import logging
import math
from datetime import date, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.etree import ElementTree

import aiohttp
from pydantic import ValidationError

from bot.core.background import Every, PeriodicService
from bot.core.clock import unix
from bot.core.errors import StorageUnavailable
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import RateTable
from storage import exchange_rates as store

if TYPE_CHECKING:
    from bot.wiring import App

log = logging.getLogger(__name__)

REFRESH_SECONDS = 6 * 3600.0  # the ECB publishes once a working day, around 16:00 CET
RETRY_SECONDS = 30 * 60.0  # after a failed refresh, try again sooner than the regular round
RELOAD_SECONDS = 30 * 60.0  # how often a process that does not fetch takes the newest rates a worker stored
TIMEOUT_SECONDS = 20.0
MAX_BYTES = 256 * 1024  # the daily file is about 2 KB; anything much larger is not it


class FxError(Exception):
    """A refresh failed; the message says why in words (for the log)."""


def _local(tag: str) -> str:
    """An XML tag without its namespace: "{http://www.ecb.int/...}Cube" -> "Cube"."""
    return tag.rpartition("}")[2]


def parse_ecb(body: bytes, url: str = "") -> RateTable:
    """The newest day's rates in an ECB eurofxref file (gesmes:Envelope / Cube / Cube time / Cube currency rate)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise FxError(f"not an XML file ({exc})") from None
    days = [cube for cube in root.iter() if _local(cube.tag) == "Cube" and "time" in cube.attrib]
    if not days:
        raise FxError("no <Cube time=...> element with the day's rates")
    try:
        newest = max(days, key=lambda cube: date.fromisoformat(cube.attrib["time"]))
    except ValueError:
        raise FxError("a <Cube time=...> is not a YYYY-MM-DD date") from None
    rates = {"EUR": 1.0}
    for cube in newest:
        if _local(cube.tag) != "Cube":
            continue
        code, text = cube.get("currency", ""), cube.get("rate", "")
        try:
            rate = float(text)
        except ValueError:
            raise FxError(f"the rate of {code or 'a currency'} is not a number: {text!r}") from None
        if len(code) != 3 or not code.isalpha() or not code.isupper() or not math.isfinite(rate) or rate <= 0:
            raise FxError(f"a bad currency code or rate: {code!r} = {text!r}")
        rates[code] = rate
    if "USD" not in rates:
        raise FxError("no USD rate (crowd pay is kept in US dollars)")
    return RateTable(date=date.fromisoformat(newest.attrib["time"]), base="EUR", rates=rates, url=url)


async def fetch(url: str, timeout: float) -> bytes:
    """The body of a GET, within `timeout` seconds in total; raises FxError for any failure."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session, \
                session.get(url, headers={"User-Agent": "queuewatch exchange-rate refresh"}) as response:
            if response.status != 200:
                raise FxError(f"HTTP {response.status}")
            body = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FxError(f"the answer is larger than {MAX_BYTES // 1024} KB, so it is not the daily rates")
    except TimeoutError:
        raise FxError(f"no complete answer within {timeout:g} s") from None
    except aiohttp.ClientError as exc:
        raise FxError(f"{type(exc).__name__}: {exc}") from None
    return bytes(body)


def where(url: str) -> str:
    """The host of a URL, for the log (never its query or credentials)."""
    parts = urlsplit(url)
    return parts.hostname or url[:40]


class FxRates:
    """The app's exchange rates: the newest stored ECB table when newer than the shipped one, else the shipped."""

    def __init__(self, app: App, timeout: float = TIMEOUT_SECONDS) -> None:
        self._app = app
        self.timeout = timeout
        self._stored: RateTable | None = None
        self._failing = False

    @property
    def latest(self) -> RateTable:
        """The newest table the bot has."""
        shipped = knowledge_base().rates
        stored = self._stored
        return stored if stored is not None and stored.date > shipped.date else shipped

    def table(self, *currencies: str | None) -> RateTable:
        """The newest table with a rate for each of these currencies the bot knows (the shipped table when the
        newest lacks one); currencies no table has are left to be shown unconverted."""
        shipped = knowledge_base().rates
        wanted = [code for code in currencies if code and code in shipped.rates]
        latest = self.latest
        return latest if all(code in latest.rates for code in wanted) else shipped

    async def load(self) -> None:
        """Take the newest table kept in the database (at start)."""
        stored = await store.latest(self._app.db)
        if stored is None:
            return
        try:
            self._stored = RateTable(date=date.fromisoformat(stored.day), base=stored.base, rates=stored.rates,
                                     url=stored.url)
        except (ValidationError, ValueError) as exc:
            log.warning("exchange rates: the stored rates of %s are unusable (%s); using the shipped table",
                        stored.day, exc.__class__.__name__)

    async def refresh(self) -> RateTable | None:
        """Fetch, check and keep the day's ECB rates; returns the new table, or None (off, or failed: logged)."""
        url = self._app.settings.queuewatch_fx_url
        if not url:
            return None
        try:
            table = parse_ecb(await fetch(url, self.timeout), url)
            if table.date > self._app.clock.now().date() + timedelta(days=1):
                raise FxError(f"the rates are dated {table.date}, in the future")
        except FxError as exc:
            self._failed(url, str(exc))
            return None
        if self._stored is not None and table.date < self._stored.date:
            self._failed(url, f"the rates of {table.date} are older than the ones kept ({self._stored.date})")
            return None
        changed = self._stored is None or table.date != self._stored.date
        self._stored = table
        try:
            await store.save(self._app.db, table.date.isoformat(), table.base, table.rates, url,
                             unix(self._app.clock.now()))
        except StorageUnavailable as exc:
            log.warning("exchange rates: fetched the rates of %s but could not keep them (%s); using them until "
                        "the bot restarts", table.date, exc)
        if self._failing:
            log.info("exchange rates: refreshed again from %s (rates of %s)", where(url), table.date)
        elif changed:
            log.info("exchange rates: ECB reference rates of %s (%d currencies) from %s", table.date,
                     len(table.rates), where(url))
        self._failing = False
        return table

    def _failed(self, url: str, reason: str) -> None:
        """Log a failed refresh: a warning for the first of a run of failures, debug for the rest."""
        level = logging.DEBUG if self._failing else logging.WARNING
        log.log(level, "exchange rates: could not refresh from %s (%s); still using the rates of %s",
                where(url), reason, self.latest.date)
        self._failing = True


class FxRefreshService(PeriodicService):
    """Refreshes the exchange rates at start, then every 6 hours (30 minutes after a failed refresh)."""

    name = "exchange-rates"

    def __init__(self, app: App) -> None:
        super().__init__()
        self._app = app

    async def start(self) -> None:
        """Begin refreshing, or say once that refreshing is off."""
        if not self._app.settings.queuewatch_fx_url:
            log.info("exchange rates: refresh is off (QUEUEWATCH_FX_URL is empty); using the rates of %s",
                     self._app.fx.latest.date)
            return
        await super().start()

    async def run_once(self) -> float:
        """One refresh; returns the pause before the next."""
        return REFRESH_SECONDS if await self._app.fx.refresh() is not None else RETRY_SECONDS


def fx_service(app: App) -> FxRefreshService:
    """The background refresh of the exchange rates, for the knowledge feature's manifest."""
    return FxRefreshService(app)


def fx_reload_service(app: App) -> Every:
    """For a process without the worker role (it never fetches): take the newest rates the workers stored, every
    RELOAD_SECONDS, so its conversions do not keep the rates of its start."""
    return Every("exchange-rates-reload", RELOAD_SECONDS, app.fx.load)
