"""The web page and its JSON errors follow Accept-Language and ?lang=, and the response cache keeps one copy
per language (so a Spanish page is never served to an English reader)."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.web.server import build
from tests.support.web_scenario import seed


async def client_for(app, **options) -> TestClient:
    client = TestClient(TestServer(build(app, **options)))
    await client.start_server()
    return client


async def test_the_front_page_follows_accept_language_and_lang(app, clock) -> None:
    await seed(app, clock)
    client = await client_for(app, cache_seconds=60)
    try:
        english = await (await client.get("/")).text()
        assert '<html lang="en">' in english and "Is the queue empty?" in english
        spanish = await client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
        text = await spanish.text()
        assert '<html lang="es">' in text and "¿Está vacía la cola?" in text and "Cómo leer esto" in text
        assert spanish.headers["Content-Language"] == "es"
        assert "Accept-Language" in spanish.headers["Vary"]
        portuguese = await (await client.get("/?lang=pt_BR", headers={"Accept-Language": "es"})).text()
        assert '<html lang="pt-BR">' in portuguese and "A fila está vazia?" in portuguese
        again = await (await client.get("/")).text()  # the cached English page is still English
        assert "Is the queue empty?" in again and "¿Está" not in again
    finally:
        await client.close()


async def test_json_errors_are_in_the_readers_language(app, clock) -> None:
    client = await client_for(app, cache_seconds=0)
    try:
        response = await client.get("/api/v1/platforms/nope.json", headers={"Accept-Language": "pt-BR"})
        assert response.status == 404
        body = await response.json()
        assert body["error"]["message"] == "Id de plataforma desconhecido; GET /api/v1/platforms.json lista todos."
        bad = await client.get("/api/v1/platforms/outlier/history.json?hours=0&lang=es")
        assert (await bad.json())["error"]["message"].startswith("hours debe ser un número entero de 1 a ")
        english = await client.get("/api/v1/platforms/nope.json")
        assert (await english.json())["error"]["message"].startswith("Unknown platform id")
        page = await client.get("/no/such/page", headers={"Accept-Language": "es"})
        assert page.status == 404 and "No hay ninguna página en esta dirección." in await page.text()
    finally:
        await client.close()
