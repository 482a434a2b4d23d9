"""The JSON API's shapes (docs/API.md), checked by strict models: every field named, typed, and nothing else."""

from __future__ import annotations

from typing import Literal

from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel, ConfigDict, Field

from bot.adapters.web.server import build
from tests.support.web_scenario import GROUP, member, seed

Time = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
State = Literal["drought", "mixed", "none", "flowing"]


class Strict(BaseModel):
    """Unknown fields fail."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Page(Strict):
    id: str
    name: str
    url: str
    time_zone: str
    updated_at: str = Time


class Indicator(Strict):
    indicator: Literal["none", "minor", "major"]
    description: str


class Component(Strict):
    id: str
    name: str
    status: Literal["operational", "degraded_performance", "partial_outage", "major_outage"]
    state: State
    description: str
    n: int
    confidence: float
    since: str | None = Time
    updated_at: str | None = Time
    position: int
    url: str


class Summary(Strict):
    page: Page
    status: Indicator
    components: list[Component]
    incidents: list[dict]
    scheduled_maintenances: list[dict]


class PlatformRow(Strict):
    id: str
    name: str
    state: State
    label: str
    n: int
    url: str
    api_url: str


class Platforms(Strict):
    updated_at: str = Time
    platforms: list[PlatformRow]


class StatusBlock(Strict):
    state: State
    label: str
    n: int
    drought_reporters: int
    tasks_back_reporters: int
    confidence: float
    confidence_label: Literal["high", "medium", "low", "none"]
    since: str | None = Time
    last_report_at: str | None = Time


class Role(Strict):
    role: str
    n: int = Field(ge=5)
    median: float
    p25: float
    p75: float


class Pay(Strict):
    currency: Literal["USD"]
    unit: Literal["hour"]
    window_days: int
    min_reports: int
    roles: list[Role]


class Record(Strict):
    paid_on_time: int
    paid_late: int
    payment_missing: int
    n: int


class Payments(Strict):
    last_90_days: Record
    all_time: Record


class Change(Strict):
    name: str | None
    kind: Literal["project_paused", "project_ended"]
    reporters: int
    last_report_at: str = Time


class Source(Strict):
    url: str = Field(pattern=r"^https?://")
    kind: str
    date: str = Field(pattern=r"^(\d{4}(-\d{2}(-\d{2})?)?|n\.d\.)$")


class LegitFact(Strict):
    text: str
    sources: list[Source] = Field(min_length=1)


class Legitimacy(Strict):
    category: Literal["established", "legit_with_risks", "caution", "unknown"]
    label: str
    basis: str
    facts: list[LegitFact]
    official_links: list[str]


class PlatformDetail(Strict):
    id: str
    name: str
    url: str
    updated_at: str = Time
    status: StatusBlock
    pay: Pay
    payments: Payments
    projects_changed_14_days: list[Change]
    legitimacy: Legitimacy


class Hour(Strict):
    hour: str = Time
    drought: int
    tasks_back: int
    usual_drought: float


class History(Strict):
    id: str
    hours: int
    start: str = Time
    updated_at: str = Time
    series: list[Hour]


class Error(Strict):
    status: int
    message: str


class ErrorBody(Strict):
    error: Error


async def test_every_json_route_has_its_documented_shape(app, clock) -> None:
    await seed(app, clock)
    client = TestClient(TestServer(build(app, cache_seconds=0)))
    await client.start_server()
    try:
        summary = Summary.model_validate(await (await client.get("/api/v1/summary.json")).json())
        assert summary.status.indicator == "major"
        assert [c.id for c in summary.components] == ["outlier", "dataannotation"]
        assert summary.components[0].status == "major_outage" and summary.components[1].status == "operational"
        platforms = Platforms.model_validate(await (await client.get("/api/v1/platforms.json")).json())
        assert {"outlier", "dataannotation", "prolific"} <= {p.id for p in platforms.platforms}
        detail = PlatformDetail.model_validate(await (await client.get("/api/v1/platforms/outlier.json")).json())
        assert detail.status.state == "drought" and detail.status.n == 5
        assert detail.pay.roles[0].role == "all roles" and detail.pay.roles[0].median == 20.5
        assert detail.payments.all_time.n == 4 and detail.payments.all_time.paid_on_time == 3
        history = History.model_validate(
            await (await client.get("/api/v1/platforms/outlier/history.json?hours=48")).json())
        assert len(history.series) == 48 and sum(h.drought for h in history.series) == 5
        error = await client.get("/api/v1/platforms/outlier/history.json?hours=9999")
        ErrorBody.model_validate(await error.json())
    finally:
        await client.close()


async def test_member_text_is_escaped_everywhere(app, clock) -> None:
    """A project name three members typed, full of markup, is shown as text in HTML, Atom and JSON."""
    await seed(app, clock)
    hostile = '<script>alert(1)</script>&"x'
    for i in range(30, 33):
        await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "project_ended", "project": hostile},
                                      member(i), GROUP)
    client = TestClient(TestServer(build(app, cache_seconds=0)))
    await client.start_server()
    try:
        html = await (await client.get("/p/outlier")).text()
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#34;x" in html
        feed = await (await client.get("/feed.atom")).text()
        assert "<script>" not in feed and "&lt;script&gt;" in feed
        body = await (await client.get("/api/v1/platforms/outlier.json")).json()
        assert hostile in [c["name"] for c in body["projects_changed_14_days"]]
    finally:
        await client.close()
