"""The web adapter: the public status page, JSON API, Atom feed, badges, /healthz and /metrics (aiohttp.web)."""

from bot.adapters.web.adapter import WebAdapter

__all__ = ["WebAdapter"]
