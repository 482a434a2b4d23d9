"""A loopback stand-in for the ECB's eurofxref daily file: serves the real XML shape, or fails as told."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web

# The shape of https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml (currencies in the ECB's order).
ECB_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='{day}'>
{rows}
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""
# Illustrative rates for a test day (not facts): distinct from the shipped 28 Feb 2025 table.
RATES = {
    "USD": "1.1600", "JPY": "178.50", "CZK": "24.250", "DKK": "7.4690", "GBP": "0.88000", "HUF": "385.10",
    "PLN": "4.2400", "RON": "5.0800", "SEK": "11.0200", "CHF": "0.9300", "ISK": "146.80", "NOK": "11.7500",
    "TRY": "48.900", "AUD": "1.7800", "BRL": "6.2000", "CAD": "1.6300", "CNY": "8.2500", "HKD": "9.0300",
    "IDR": "19350.00", "ILS": "3.8000", "INR": "102.500", "KRW": "1690.00", "MXN": "21.400", "MYR": "4.8500",
    "NZD": "2.0400", "PHP": "68.200", "SGD": "1.5100", "THB": "37.600", "ZAR": "20.100",
}


def ecb_xml(day: str, rates: dict[str, str] | None = None) -> bytes:
    """A daily reference-rate file for `day` with these rates."""
    rows = "\n".join(f"\t\t\t<Cube currency='{code}' rate='{rate}'/>" for code, rate in (rates or RATES).items())
    return ECB_TEMPLATE.format(day=day, rows=rows).encode()


class FakeEcb:
    """Serves `body` with `status` at /stats/eurofxref/eurofxref-daily.xml; `hang` holds each answer until
    released (a timeout); `requests` counts the requests."""

    def __init__(self) -> None:
        self.body = ecb_xml("2026-11-13")
        self.status = 200
        self.hang = False
        self.requests = 0
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _daily(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.hang:
            await self._release.wait()
        return web.Response(body=self.body, status=self.status, content_type="text/xml")

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_get("/stats/eurofxref/eurofxref-daily.xml", self._daily)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/stats/eurofxref/eurofxref-daily.xml"

    async def stop(self) -> None:
        """Release any held answer and stop listening."""
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()


def refused_url() -> str:
    """A loopback URL on a port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/stats/eurofxref/eurofxref-daily.xml"
