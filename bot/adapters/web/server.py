"""The web application: the routes of the public page, the JSON API (docs/API.md), the feed, badges, /healthz and
/metrics. Handlers read through the app's features (bot/adapters/web/views.py) and render; they never raise for a
visitor's mistake, they answer it with a 400 or 404 page (JSON under /api/).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web
from jinja2 import Environment, FileSystemLoader

from bot.adapters.web import svg, views
from bot.adapters.web.guard import MAX_AGE, ResponseCache, guard
from bot.core import i18n
from bot.core.i18n import _
from bot.core.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.core.timetext import describe_age, format_time
from bot.features.availability.public import MAX_HISTORY_HOURS, feed_entries, hourly
from bot.features.availability.wording import state_label
from bot.features.knowledge.loader import knowledge_base

if TYPE_CHECKING:
    from bot.wiring import App

HERE = Path(__file__).resolve().parent
API = "/api/v1"
UNCACHED = frozenset({"/healthz", "/metrics"})
HEALTH_TIMEOUT = 2.0
# Statuspage's words: a component's status and the page's indicator.
COMPONENT_STATUS = {"flowing": "operational", "none": "operational", "mixed": "degraded_performance",
                    "drought": "major_outage"}
FEED_TITLES = {"drought": "{name}: drought likely", "flowing": "{name}: tasks flowing again",
               "project_ended": "{name}: {project} reported ended"}


class Watched(Protocol):
    """An adapter whose connection /healthz and /metrics report."""

    name: str

    @property
    def connected(self) -> bool:
        """True while connected."""
        ...


def templates() -> Environment:
    """The Jinja2 environment: every template autoescaped."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # the request's locale (the guard)
    env.filters["iso"] = views.iso
    env.globals["icons"] = views.ICONS
    return env


class Site:
    """The handlers, bound to one app."""

    def __init__(self, app: App, watched: Callable[[], Sequence[Watched]], base_url: Callable[[], str]) -> None:
        self.app = app
        self.watched = watched
        self.base_url = base_url
        self.env = templates()
        self.css = (HERE / "templates" / "style.css").read_bytes()

    # -- helpers -----------------------------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        """An HTML page."""
        html = self.env.get_template(template).render(base=self.base_url(), describe_age=describe_age,
                                                          format_time=format_time,
                                                          lang=i18n.current().replace("_", "-"), **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")

    def error(self, request: web.Request, status: int, message: str) -> web.Response:
        """A 4xx/5xx answer: JSON under /api/ and for /healthz, else a small page."""
        if request.path.startswith((API, "/api/", "/healthz", "/metrics")):
            return json_response({"error": {"status": status, "message": message}}, status)
        titles = {400: _("Bad request"), 404: _("Not found"), 405: _("Method not allowed"),
                  429: _("Too many requests"), 500: _("Server error")}
        return self.page("error.html", status=status, title=titles.get(status, _("Error")), message=message)

    def now(self):
        """The current time from the app's clock."""
        return self.app.clock.now()

    # -- pages ---------------------------------------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.Response:
        """Every platform with recent reports, worst first."""
        data = await views.overview(self.app, self.now())
        sparks = {s.id: svg.sparkline(data.spark[s.id], f"spark-{s.id}") for s in data.statuses if s.id in data.spark}
        return self.page("index.html", data=data, sparks=sparks)

    async def platform(self, request: web.Request) -> web.Response:
        """One platform in detail."""
        platform_id = views.known_platform(request.match_info["platform"])
        if platform_id is None:
            return self.error(request, 404, _("queuewatch does not know that platform. The front page lists every "
                                              "platform with recent reports."))
        data = await views.detail(self.app, platform_id, self.now())
        chart = svg.week_chart(data.week, "week-title", "week-desc")
        return self.page("platform.html", data=data, chart=chart, chart_text=svg.describe(data.week, "Last 7 days"),
                         days=daily_rows(data.week), min_shown=views.MIN_SHOWN)

    async def stylesheet(self, request: web.Request) -> web.Response:
        """The one stylesheet (no inline styles: the CSP allows only this)."""
        return web.Response(body=self.css, content_type="text/css", charset="utf-8")

    # -- JSON ----------------------------------------------------------------------------------------------------

    async def summary(self, request: web.Request) -> web.Response:
        """Statuspage's summary shape: page, status indicator, components (platforms with recent reports)."""
        data = await views.overview(self.app, self.now(), sparklines=False)
        states = {s.state for s in data.statuses}
        indicator = "major" if "drought" in states else "minor" if "mixed" in states else "none"
        descriptions = {"major": "Drought likely on at least one platform", "minor": "Mixed reports on at least "
                        "one platform", "none": "No platform with a likely drought"}
        return json_response({
            "page": {"id": "queuewatch", "name": "queuewatch", "url": self.base_url() + "/", "time_zone": "Etc/UTC",
                     "updated_at": views.iso(data.now)},
            "status": {"indicator": indicator, "description": descriptions[indicator]},
            "components": [{
                "id": s.id, "name": s.name, "status": COMPONENT_STATUS[s.state], "state": s.state,
                "description": s.label, "n": s.n, "confidence": s.confidence,
                "since": views.iso(s.since), "updated_at": views.iso(s.last_at), "position": position,
                "url": f"{self.base_url()}/p/{s.id}",
            } for position, s in enumerate(data.statuses, start=1)],
            "incidents": [],
            "scheduled_maintenances": [],
        })

    async def platforms(self, request: web.Request) -> web.Response:
        """Every known platform with its current status (those with no recent reports: state none)."""
        data = await views.overview(self.app, self.now(), sparklines=False)
        current = {s.id: s for s in data.statuses}
        rows = []
        for platform_id, info in knowledge_base().platforms.items():
            status = current.get(platform_id)
            rows.append({"id": platform_id, "name": info.name, "state": status.state if status else "none",
                         "label": status.label if status else state_label("none"), "n": status.n if status else 0,
                         "url": f"{self.base_url()}/p/{platform_id}",
                         "api_url": f"{self.base_url()}{API}/platforms/{platform_id}.json"})
        return json_response({"updated_at": views.iso(data.now), "platforms": rows})

    async def platform_json(self, request: web.Request) -> web.Response:
        """One platform: status, n, confidence, since, pay figures and the payment record."""
        platform_id = views.known_platform(request.match_info["platform"])
        if platform_id is None:
            return self.error(request, 404, _("Unknown platform id; GET /api/v1/platforms.json lists them."))
        data = await views.detail(self.app, platform_id, self.now())
        s = data.status
        return json_response({
            "id": s.id, "name": s.name, "url": f"{self.base_url()}/p/{s.id}", "updated_at": views.iso(data.now),
            "status": {"state": s.state, "label": s.label, "n": s.n, "drought_reporters": s.drought_n,
                       "tasks_back_reporters": s.flowing_n, "confidence": s.confidence,
                       "confidence_label": s.confidence_label, "since": views.iso(s.since),
                       "last_report_at": views.iso(s.last_at)},
            "pay": {"currency": "USD", "unit": "hour", "window_days": 90, "min_reports": views.MIN_SHOWN,
                    "roles": [{"role": p.role, "n": p.n, "median": _money(p.median), "p25": _money(p.p25),
                               "p75": _money(p.p75)} for p in data.pay if p.median is not None]},
            "payments": {"last_90_days": {**data.payments.recent, "n": data.payments.recent_n},
                         "all_time": {**data.payments.total, "n": data.payments.total_n}},
            "projects_changed_14_days": [{"name": c.name, "kind": c.kind, "reporters": c.reporters,
                                          "last_report_at": views.iso(c.last_at)} for c in data.changes],
            "legitimacy": {"category": data.legitimacy.category, "label": data.legitimacy.label,
                           "basis": data.legitimacy.basis,
                           "facts": [{"text": f.text, "sources": [{"url": s.url, "kind": s.kind, "date": s.date}
                                                                       for s in f.sources]}
                                     for f in data.legitimacy.facts],
                           "official_links": data.legitimacy.official_links},
        })

    async def history(self, request: web.Request) -> web.Response:
        """Hourly distinct reporters (drought, tasks back) and the usual drought level, for the last N hours."""
        platform_id = views.known_platform(request.match_info["platform"])
        if platform_id is None:
            return self.error(request, 404, _("Unknown platform id; GET /api/v1/platforms.json lists them."))
        text = request.query.get("hours", "24")
        if not text.isdigit() or not 1 <= int(text) <= MAX_HISTORY_HOURS:
            return self.error(request, 400, _("hours must be a whole number from 1 to {limit}, e.g. ?hours=24")
                              .format(limit=MAX_HISTORY_HOURS))
        hours = int(text)
        data = (await hourly(self.app, self.now(), hours, platform_id))[platform_id]
        return json_response({
            "id": platform_id, "hours": hours, "start": views.iso(data.start), "updated_at": views.iso(
                int(self.now().timestamp())),
            "series": [{"hour": views.iso(data.start + i * 3600), "drought": d, "tasks_back": f,
                        "usual_drought": round(u, 2)}
                       for i, (d, f, u) in enumerate(zip(data.drought, data.flowing, data.usual, strict=True))],
        })

    # -- feed and badge ------------------------------------------------------------------------------------------

    async def feed(self, request: web.Request) -> web.Response:
        """Atom: droughts likely, tasks flowing again, projects reported ended by two or more members."""
        now = self.now()
        base = self.base_url()
        entries = []
        for entry in await feed_entries(self.app, now):
            name = views.platform_name(entry.platform)
            project = f"the project “{entry.project}”" if entry.project else "a project"
            entries.append({
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{base}/feed.atom#{entry.key}')}",
                "title": FEED_TITLES[entry.kind].format(name=name, project=project),
                "updated": views.iso(entry.at), "link": f"{base}/p/{entry.platform}",
                "summary": f"{entry.reporters} member{'s' if entry.reporters != 1 else ''} behind it "
                           "(crowd reports, not an official announcement).",
            })
        updated = entries[0]["updated"] if entries else views.iso(int(now.timestamp()))
        text = self.env.get_template("feed.xml").render(base=base, entries=entries, updated=updated,
                                                        feed_id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, base)}")
        return web.Response(text=text, content_type="application/atom+xml", charset="utf-8")

    async def badge(self, request: web.Request) -> web.Response:
        """A small SVG badge of one platform's status."""
        platform_id = views.known_platform(request.match_info["platform"])
        if platform_id is None:
            return self.error(request, 404, _("queuewatch does not know that platform."))
        data = await views.overview(self.app, self.now(), sparklines=False)
        status = next((s for s in data.statuses if s.id == platform_id), None)
        state, label = (status.state, status.label) if status else ("none", state_label("none"))
        return web.Response(text=svg.badge(views.platform_name(platform_id), state, label),
                            content_type="image/svg+xml", charset="utf-8")

    # -- operators -----------------------------------------------------------------------------------------------

    async def healthz(self, request: web.Request) -> web.Response:
        """200 when the database answers and every watched adapter is connected, else 503 naming what is down."""
        down = []
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await self.app.db.schema_version()
        except Exception as exc:
            down.append({"component": "database", "problem": type(exc).__name__})
        adapters = {a.name: a.connected for a in self.watched()}
        down += [{"component": name, "problem": "not connected"} for name, up in adapters.items() if not up]
        body = {"status": "ok" if not down else "down", "database": not any(d["component"] == "database" for d in down),
                "adapters": adapters, "down": down}
        response = json_response(body, 200 if not down else 503)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def metrics(self, request: web.Request) -> web.Response:
        """Every metric in the Prometheus text format; the backlog and connection states are read now."""
        metrics = self.app.metrics
        with contextlib.suppress(Exception):  # a database that does not answer shows on /healthz; this still answers
            metrics.outbox_backlog.set(await self.app.outbox.backlog())
        for adapter in self.watched():
            metrics.adapter_connected.labels(adapter.name).set(1 if adapter.connected else 0)
        return web.Response(body=metrics.exposition(), headers={"Content-Type": METRICS_CONTENT_TYPE,
                                                                "Cache-Control": "no-store"})


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def json_response(body: object, status: int = 200) -> web.Response:
    """JSON with stable key order."""
    return web.Response(text=json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status,
                        content_type="application/json", charset="utf-8")


def daily_rows(history) -> list[dict[str, Any]]:
    """The week chart's text table: per day (UTC), drought and tasks-back reporters and the usual level."""
    rows = []
    for first in range(0, len(history.drought), 24):
        day = views.iso(history.start + first * 3600)
        rows.append({"day": day[:10], "drought": sum(history.drought[first:first + 24]),
                     "flowing": sum(history.flowing[first:first + 24]),
                     "usual": round(sum(history.usual[first:first + 24]), 1)})
    return rows


def build(app: App, watched: Callable[[], Sequence[Watched]] = tuple, base_url: Callable[[], str] | None = None,
          cache_seconds: float = 30.0, per_minute: int = 120) -> web.Application:
    """The aiohttp application for one app: routes, the guard middleware and its cache."""
    site = Site(app, watched, base_url or (lambda: app.settings.queuewatch_public_url or ""))
    cache = ResponseCache(cache_seconds, app.clock.monotonic)
    web_app = web.Application(middlewares=[guard(app.clock, per_minute, cache, site.error, UNCACHED)])
    web_app.add_routes([
        web.get("/", site.index),
        web.get("/p/{platform}", site.platform),
        web.get("/static/style.css", site.stylesheet),
        web.get(f"{API}/summary.json", site.summary),
        web.get(f"{API}/platforms.json", site.platforms),
        web.get(f"{API}/platforms/{{platform}}.json", site.platform_json),
        web.get(f"{API}/platforms/{{platform}}/history.json", site.history),
        web.get("/feed.atom", site.feed),
        web.get("/badge/{platform}.svg", site.badge),
        web.get("/healthz", site.healthz),
        web.get("/metrics", site.metrics),
    ])
    return web_app


__all__ = ["MAX_AGE", "Site", "Watched", "build", "json_response"]
