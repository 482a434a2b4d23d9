"""`queuewatch` as a test's subprocess: discord.py pointed at the loopback fake (QW_TEST_DISCORD_PORT), as the
in-process tests do by setting discord.http.Route.BASE and the gateway URL; then the real command line."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    port = os.environ.get("QW_TEST_DISCORD_PORT")
    if port:
        import discord
        import yarl

        discord.http.Route.BASE = f"http://127.0.0.1:{port}/api/v10"
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    from bot.cli import main

    sys.exit(main(sys.argv[1:]))
