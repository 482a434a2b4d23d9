"""Links to the public status page (QUEUEWATCH_PUBLIC_URL) for chat replies, the digest and the feed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.wiring import App


def live_status_url(app: App, platform: str | None = None) -> str | None:
    """The page of one platform (or of every platform), or None when no public address is set."""
    base = app.settings.queuewatch_public_url
    if not base:
        return None
    return f"{base}/p/{platform}" if platform else f"{base}/"


def live_status_line(app: App, platform: str | None = None) -> str | None:
    """"live status: <url>" for a reply, or None when no public address is set."""
    url = live_status_url(app, platform)
    return None if url is None else f"Live status: {url}"
