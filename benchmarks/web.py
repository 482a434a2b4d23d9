"""Benchmark: the public status page `/` and `/api/v1/summary.json` on a database of 10,000,000 reports.

A server process runs the real web adapter over a copy of the scale benchmark's generated database (100 platforms,
90 days, newcomer bursts: benchmarks/scaling/data.py, cached under benchmarks/.cache/ and shared with scale.py), on a
clock that moves with real time from the data's last day, so its 30-second response cache expires and is rebuilt
in the background while it is measured. This process is the client: 50 concurrent connections, each request timed.
Beside the two targets, in the same run: `/static/style.css` (the server's floor: the same cached path with a small
body and no page data) and the cost of building each page from the database (the first, cold request).
Targets: p99 < 20 ms, >= 1,000 requests/s for the JSON.

    .venv/bin/python benchmarks/web.py [--reports 10000000] [--requests 6000] [--clients 50]

The last line is one JSON object: {"page_p99_ms": x, "summary_p99_ms": x, "rps": x}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "benchmark-secret-0123456789"


class FollowingClock:
    """Real time, shifted so that it starts at the generated data's last moment: caches expire as in production."""

    def __init__(self, start: datetime) -> None:
        self._offset = datetime.now(UTC) - start

    def now(self) -> datetime:
        """Now, in the data's time."""
        return datetime.now(UTC) - self._offset

    def monotonic(self) -> float:
        """The system's monotonic clock."""
        return time.monotonic()


def database_for(count: int) -> tuple[Path, datetime]:
    """The scale benchmark's cached database of this size (benchmarks/scaling/data.py; generated first if missing),
    and the moment its history ends."""
    from benchmarks.scaling.data import cached_database, platform_ids, reusable_anchor
    from bot.features.knowledge.loader import knowledge_base

    end = reusable_anchor(count)
    path, seconds = asyncio.run(cached_database(count, end, platform_ids(list(knowledge_base().platforms))))
    print(f"  database {path.name}: " + (f"generated in {seconds:.0f} s" if seconds else "cached"), flush=True)
    return path, end


async def serve(path: str, end: datetime) -> None:
    """The server process: the web adapter over a copy of the database whose history ends at `end`, no request
    limit; prints its port."""
    from bot.adapters.web import WebAdapter
    from bot.core import memory
    from bot.settings import load_settings
    from bot.wiring import build_app

    settings = load_settings(database_url=f"sqlite:///{path}", queuewatch_secret=SECRET, queuewatch_fx_url="",
                             queuewatch_secret_file=path + ".key")
    app = await build_app(settings, clock=FollowingClock(end))  # type: ignore[arg-type]
    memory.freeze_start()  # as `queuewatch run` does
    web = WebAdapter(app, host="127.0.0.1", port=0, per_minute=0)
    await web.start()
    print(f"PORT {web.address.rsplit(':', 1)[1].strip('/')}", flush=True)
    await asyncio.Event().wait()


def percentile(samples: list[float], fraction: float) -> float:
    """A percentile of the samples, in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive GET on an open connection; the status code (the body is read in full)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return int(head[9:12])


async def load(port: int, route: str, total: int, clients: int) -> dict[str, float]:
    """`total` GETs of `route` over `clients` concurrent keep-alive connections: p50, p99 (ms), requests/s.

    The client speaks HTTP/1.1 over raw asyncio streams: a full HTTP client library costs more CPU per request
    than the server does, and on two cores it, not the server, would be what is measured."""
    samples: list[float] = []
    failures = 0
    remaining = total
    # As a browser asks: gzip accepted (the body is read as sent, not inflated).
    request = f"GET {route} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: gzip\r\n\r\n".encode()

    async def client() -> None:
        nonlocal remaining, failures
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                failures += await _get(reader, writer, request) != 200
                samples.append(time.perf_counter() - started)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"p50_ms": round(percentile(samples, 0.5), 2), "p99_ms": round(percentile(samples, 0.99), 2),
            "rps": round(len(samples) / elapsed), "failures": failures}


async def measure(port: int, requests: int, clients: int) -> dict[str, dict[str, float]]:
    """Cold build, then load on each route."""
    figures: dict[str, dict[str, float]] = {}
    for route in ("/", "/api/v1/summary.json"):
        started = time.perf_counter()
        await load(port, route, 1, 1)
        figures[f"cold {route}"] = {"ms": round((time.perf_counter() - started) * 1000, 1)}
    await load(port, "/static/style.css", clients * 4, clients)  # code paths warm
    for route in ("/static/style.css", "/", "/api/v1/summary.json"):
        figures[route] = await load(port, route, requests, clients)
    return figures


def main() -> None:
    """Generate (once), serve in a child process, measure from this one, print the figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--history-end", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        asyncio.run(serve(options.serve, datetime.fromisoformat(options.history_end)))
        return
    from benchmarks.scaling.data import working_copy

    folder = Path(tempfile.mkdtemp(prefix="queuewatch-web-"))
    cached, end = database_for(options.reports)
    path = working_copy(cached, folder / "web.db")  # serving writes (state changes)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(path), "--history-end", end.isoformat()],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "LOG_LEVEL": "WARNING"})
    try:
        line = server.stdout.readline() if server.stdout else ""
        if not line.startswith("PORT "):
            raise SystemExit(f"the server did not start: {line!r}")
        figures = asyncio.run(measure(int(line.split()[1]), options.requests, options.clients))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"web: {options.reports:,} reports, {options.clients} concurrent clients, {options.requests:,} requests "
          "per route")
    for name, values in figures.items():
        print(f"  {name:24} " + "  ".join(f"{key} {value}" for key, value in values.items()))
    print("  baseline: /static/style.css (the same cached path, no page data); cold: the first build from the database")
    summary = figures["/api/v1/summary.json"]
    print(json.dumps({"page_p99_ms": figures["/"]["p99_ms"], "summary_p99_ms": summary["p99_ms"],
                      "rps": summary["rps"]}))


if __name__ == "__main__":
    main()
