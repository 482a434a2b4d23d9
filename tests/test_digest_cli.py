"""`queuewatch digest`: the digest in the terminal and the chart as a PNG, without posting."""

from __future__ import annotations

import time

from bot.wiring import build_app
from tests.cli_support import queuewatch
from tests.support.digest_fakes import add_reports, outbox_rows


async def test_digest_prints_and_writes_the_chart(settings, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'q.db'}"
    app = await build_app(settings.model_copy(update={"database_url": url}))
    now = int(time.time())
    await add_reports(app, [{"reporter": f"r{n}", "platform": "outlier", "kind": "drought", "at": now - 3600 * n,
                             "community": "telegram:-100123"} for n in range(1, 6)])
    await app.db.close()

    chart = tmp_path / "out" / "chart.png"
    result = queuewatch("digest", "--community", "telegram:-100123", "--print", "--chart", str(chart),
                        cwd=tmp_path, DATABASE_URL=url,
                        QUEUEWATCH_SECRET=settings.queuewatch_secret.get_secret_value())  # the key it was made with
    assert result.returncode == 0, result.stderr
    assert "Weekly digest" in result.stdout and "Outlier" in result.stdout
    assert "Reports this week: 5 here · 5 across all communities" in result.stdout
    assert chart.read_bytes().startswith(b"\x89PNG")
    app = await build_app(settings.model_copy(update={"database_url": url}))
    try:
        assert await outbox_rows(app) == []  # nothing was posted
    finally:
        await app.db.close()


def test_digest_without_an_action_explains_itself(tmp_path) -> None:
    result = queuewatch("digest", "--community", "any", cwd=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 2
    assert "add --print" in result.stderr
