"""Nothing personal is ever served: after a scenario with notes, private-chat reports, a one-member project name
and a moderator's note, no response of any route holds a note, a name, an id, a community or a reporter hash."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web.server import build
from tests.support.web_scenario import SECRET_PROJECT, seed
from tests.test_web_routes import ROUTES

EXTRA = ("/api/v1/platforms/dataannotation.json", "/badge/dataannotation.svg", "/p/nowhere",
         "/api/v1/platforms/outlier/history.json?hours=1")


async def test_no_response_holds_personal_data(app, clock) -> None:
    seeded = await seed(app, clock)
    assert len(seeded.forbidden) > 30  # the notes, names, ids, hashes and the one member's project name
    client = TestClient(TestServer(build(app, cache_seconds=0)))
    await client.start_server()
    try:
        for route in (*ROUTES, *EXTRA):
            response = await client.get(route)
            text = (await response.read()).decode("utf-8")
            headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
            for secret in seeded.forbidden:
                assert secret.lower() not in text.lower(), (route, secret)
                assert secret.lower() not in headers.lower(), (route, secret)
    finally:
        await client.close()


async def test_a_project_name_shows_once_three_members_named_it(app, clock) -> None:
    """The one-member name is held back until two more members report the same project."""
    from tests.support.web_scenario import GROUP, member

    await seed(app, clock)
    client = TestClient(TestServer(build(app, cache_seconds=0)))
    await client.start_server()
    try:
        assert SECRET_PROJECT not in await (await client.get("/p/outlier")).text()
        for i in (20, 21):
            await app.dispatcher.dispatch("report", {"platform": "outlier", "what": "project_ended",
                                                     "project": SECRET_PROJECT}, member(i), GROUP)
        body = await (await client.get("/api/v1/platforms/outlier.json")).json()
        assert SECRET_PROJECT in [c["name"] for c in body["projects_changed_14_days"]]
        html = await (await client.get("/p/outlier")).text()
        assert "Jane Roe 555-0100 evil.example" in html
        assert 'href="evil.example' not in html and "<a href=\"http://evil" not in html  # text, never a link
    finally:
        await client.close()
