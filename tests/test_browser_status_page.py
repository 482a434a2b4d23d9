"""In a real browser: headless Chromium (Debian's, driven by playwright) loads `/` and `/p/outlier` from a running
`queuewatch run` on seeded data, checks the rendered text, the chart's accessible description, contrast and width
at 360 px, finds no console errors (a CSP violation is one), and saves screenshots under test-artifacts/.

Without /usr/bin/chromium these tests skip with one line saying how to install it; with CI=true they fail instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import ManualClock, SystemClock
from bot.settings import load_settings
from bot.wiring import build_app
from tests.support import figures
from tests.support.web_scenario import seed

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SECRET = "browser-test-secret-0123456789"
INSTALL = "apt-get install -y chromium"


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {CHROMIUM} is missing; .ci/run installs it ({INSTALL})")
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}: {INSTALL}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`queuewatch run` (console chat and web server) over a database seeded 40 minutes back, so a drought holds."""
    _chromium_or_skip()
    folder = tmp_path_factory.mktemp("browser")
    database = f"sqlite:///{folder / 'queuewatch.db'}"

    async def prepare() -> None:
        settings = load_settings(database_url=database, queuewatch_secret=SECRET, queuewatch_fx_url="")
        clock = ManualClock(SystemClock().now() - timedelta(minutes=40))
        app = await build_app(settings, clock=clock)
        try:
            await seed(app, clock)
        finally:
            await app.db.close()

    import asyncio

    asyncio.run(prepare())
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database, "QUEUEWATCH_SECRET": SECRET, "QUEUEWATCH_FX_URL": "",
           "QUEUEWATCH_HTTP_HOST": "127.0.0.1", "QUEUEWATCH_HTTP_PORT": str(port), "DISCORD_TOKEN": "",
           "TELEGRAM_TOKEN": ""}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=folder, env=env, stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        address = None
        while address is None and time.monotonic() < deadline:
            line = process.stderr.readline() if process.stderr else ""
            if not line and process.poll() is not None:
                break
            if line.startswith("Status page: "):
                address = line.split()[2]
        assert address == f"http://127.0.0.1:{port}/", "queuewatch run did not announce its status page"
        yield address
    finally:
        if process.stdin:
            process.stdin.close()  # end of input: the console chat stops the bot
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(server):
    """Headless Debian chromium (never playwright's own download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def _open(browser, url: str, width: int, scheme: str = "light"):
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
    response = page.goto(url)
    assert response is not None and response.status == 200
    return page, errors


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    figures.report("browser screenshots (test artifacts)", str(path))
    return path


CONTRAST = """() => {
  const lum = (c) => { const v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((x) => {
    x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const bg = (el) => { while (el) { const c = getComputedStyle(el).backgroundColor;
    if (c && !c.endsWith(', 0)') && c !== 'transparent') return c; el = el.parentElement; }
    return 'rgb(255,255,255)'; };
  return [...document.querySelectorAll('h1, h2, p, dt, dd, td, th, a, .state, figcaption, summary')]
    .filter((el) => el.textContent.trim())
    .map((el) => { const a = lum(getComputedStyle(el).color), b = lum(bg(el));
      return [el.tagName + '.' + el.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_front_page_in_a_browser(server, browser, scheme) -> None:
    page, errors = _open(browser, server, 1280, scheme)
    try:
        body = page.inner_text("main")
        assert "Is the queue empty?" in body
        assert body.index("Outlier") < body.index("DataAnnotation")
        assert "drought likely" in body and "tasks flowing" in body
        sparkline = page.get_by_role("img", name="Last 24 hours: 5 drought reports")
        assert sparkline.count() == 1
        low = [(what, round(ratio, 2)) for what, ratio in page.evaluate(CONTRAST) if ratio < 4.5]
        assert not low, f"text below WCAG AA contrast ({scheme}): {low}"
        _shot(page, f"status-1280-{scheme}.png")
        assert not errors, errors
    finally:
        page.close()


def test_the_platform_page_in_a_browser_with_the_chart_described(server, browser) -> None:
    page, errors = _open(browser, server + "p/outlier", 1280)
    try:
        assert page.inner_text("h1").startswith("Outlier: ") and "drought likely" in page.inner_text("h1")
        chart = page.locator("svg#week-chart")
        described_by = chart.get_attribute("aria-describedby")
        description = page.locator(f"#{described_by}").inner_text()
        assert description.startswith("Last 7 days: 5 drought reports and 0 tasks-back reports")
        assert page.get_by_role("img", name="Hourly reports over the last 7 days against the usual level").count() == 1
        page.get_by_text("The chart as a table").click()  # <details>: no script needed
        assert page.locator("table").first.is_visible()
        assert "“Falcon”" in page.inner_text("main")
        _shot(page, "platform-outlier-1280.png")
        assert not errors, errors
    finally:
        page.close()


@pytest.mark.parametrize("path", ["", "p/outlier"])
def test_both_pages_fit_360_pixels(server, browser, path) -> None:
    page, errors = _open(browser, server + path, 360)
    try:
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        _shot(page, f"{'status' if not path else 'platform-outlier'}-360.png")
        assert not errors, errors
    finally:
        page.close()
