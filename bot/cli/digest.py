"""`queuewatch digest`: render a community's digest in the terminal (and its chart to a PNG) without posting."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.common import fail, quiet_logs, with_settings
from bot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the digest subcommand."""
    digest = subparsers.add_parser("digest", help="print a community's weekly digest without posting it")
    digest.add_argument("--community", required=True,
                        help="community key as stored, e.g. telegram:-100123 or discord:4242 (any: everyone)")
    digest.add_argument("--print", dest="print_text", action="store_true", help="print the digest as text")
    digest.add_argument("--chart", type=Path, metavar="PATH", help="write the chart to this PNG file")
    digest.set_defaults(func=_digest)


def _digest(args: argparse.Namespace) -> int:
    if not args.print_text and args.chart is None:
        return fail("nothing to do: add --print to show the digest and/or --chart PATH to save its chart")

    async def body(settings: Settings) -> int:
        from bot.adapters.console import render
        from bot.features.digest import build_digest, digest_reply
        from bot.wiring import build_app
        from storage import digests as store

        quiet_logs(settings)
        app = await build_app(settings)
        try:
            community = None if args.community == "any" else args.community
            stored = await store.get_settings(app.db, community) if community else None
            timezone = stored.timezone if stored else "UTC"
            digest = await build_digest(app, community, app.clock.now(), timezone, chart=args.chart is not None)
        finally:
            await app.db.close()
        if args.print_text:
            print(render(digest_reply(digest)))
        if args.chart is not None:
            if digest.chart is None:
                print("No reports in the last seven days: no chart to draw.", file=sys.stderr)
                return 1
            args.chart.parent.mkdir(parents=True, exist_ok=True)
            args.chart.write_bytes(digest.chart.data)
            print(f"Chart written to {args.chart} ({len(digest.chart.data):,} bytes).", file=sys.stderr)
        return 0

    return with_settings(body)
