"""Building and rendering the digest: changes first, status, pay moves, counts, chart; trimmed to fit."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from bot.core.clock import unix
from bot.features.digest import build_digest, digest_reply
from bot.features.digest.render import MAX_TEXT
from tests.support.digest_fakes import add_event, add_reports

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL

HERE = "console:local"


def r(reporter: str, platform: str, kind: str, at, **extra) -> dict:
    return {"reporter": reporter, "platform": platform, "kind": kind, "at": unix(at), **extra}


async def test_a_week_of_changes_status_pay_and_counts(app, clock) -> None:
    now = clock.now()
    day = timedelta(days=1)
    rows = [
        *(r(f"d{n}", "outlier", "drought", now - 3 * day, community=HERE) for n in range(4)),
        *(r(f"t{n}", "outlier", "tasks_back", now - 1 * day) for n in range(3)),
        r("p1", "appen", "project_ended", now - 2 * day, project="Raven"),
        r("p2", "appen", "project_ended", now - 2 * day, project="Raven", community=HERE),
        r("p3", "appen", "project_paused", now - 2 * day, project="Lonely"),  # one person: not news
        r("m1", "toloka", "payment_missing", now - day),
        r("m2", "toloka", "paid_late", now - day),
        r("m3", "toloka", "paid_on_time", now - day),
        r("h1", "toloka", "drought", now - day, hidden=1),  # hidden: counts nowhere
        r("old", "outlier", "drought", now - 9 * day),  # before the week
        *(r(f"w{n}", "dataannotation", "payrate", now - 2 * day, hourly_usd=15.0 + n) for n in range(5)),
        *(r(f"b{n}", "dataannotation", "payrate", now - 14 * day, hourly_usd=20.0 + n) for n in range(5)),
        *(r(f"s{n}", "mercor", "payrate", now - 2 * day, hourly_usd=40.0) for n in range(5)),
        *(r(f"z{n}", "mercor", "payrate", now - 14 * day, hourly_usd=40.5) for n in range(5)),  # moved 1%
        r("x1", "newplatform", "drought", now - day),
    ]
    await add_reports(app, rows)
    await add_event(app, "outlier", "flowing", "drought", now - 3 * day, reporters=4)
    await add_event(app, "outlier", "drought", "flowing", now - 1 * day, reporters=3)
    await add_event(app, "prolific", "none", "drought", now - 10 * day)  # last week: no change this week

    digest = await build_digest(app, HERE, now, "Europe/London")

    kinds = [(c.kind, c.platform) for c in digest.changes]
    assert kinds == [("drought_started", "Outlier"), ("drought_ended", "Outlier"),
                     ("project_ended", "Appen / CrowdGen"), ("payment_problems", "Toloka")]
    assert "Raven" in digest.changes[2].text and "2 people" in digest.changes[2].text
    assert "1 late, 1 missing (1 paid on time)" in digest.changes[3].text
    status = {row.name: row for row in digest.status}
    # The status now, as /status says it: the week's queue reports are all older than its lookback.
    assert status["Outlier"].label == "no recent reports" and status["Outlier"].reports == 7
    assert status["Toloka"].reports == 3  # the hidden one is left out
    assert status["newplatform"].state == "none"  # unknown to the knowledge base: shown by id
    assert [m.name for m in digest.pay_moves] == ["DataAnnotation"]
    assert (digest.pay_moves[0].median_before, digest.pay_moves[0].median_now) == (22.0, 17.0)
    assert (digest.reports_here, digest.contributors_here) == (5, 5)
    assert digest.reports_all == 24  # 7 Outlier, 3 Appen, 3 Toloka, 5 + 5 pay, 1 new platform
    assert digest.chart is not None and digest.chart.data.startswith(b"\x89PNG")
    assert "Outlier" in digest.chart.alt_text and "reports per day" in digest.chart.alt_text

    reply = digest_reply(digest)
    text = reply.plain_text()
    assert text.index("What changed this week") < text.index("Status now") < text.index("Pay medians")
    assert "Reports this week: 5 here" in text
    assert reply.image is digest.chart


async def test_a_quiet_week_says_so_and_draws_no_chart(app, clock) -> None:
    digest = await build_digest(app, HERE, clock.now())
    reply = digest_reply(digest)
    assert "A quiet week" in reply.plain_text()
    assert reply.image is None


async def test_a_hundred_platforms_are_trimmed_to_fit_one_message(app, clock) -> None:
    now = clock.now()
    rows = [r(f"u{p}-{n}", f"platform{p:03d}", "drought", now - timedelta(hours=n + 1), project=f"p{n}")
            for p in range(100) for n in range(3)]
    rows += [r(f"e{p}-{n}", f"platform{p:03d}", "project_ended", now - timedelta(hours=2), project="Long project "
               + "x" * 40) for p in range(100) for n in range(2)]
    await add_reports(app, rows)
    for p in range(100):
        await add_event(app, f"platform{p:03d}", "flowing", "drought", now - timedelta(hours=5))
    reply = digest_reply(await build_digest(app, None, now, chart=False))
    text = reply.plain_text()
    assert len(text) <= MAX_TEXT
    assert all(len(block) <= 1024 for block in reply.blocks)
    assert "more platforms with reports" in text and "more changes" in text
    # 100 droughts started and 100 projects ended by two people: the first twelve worded, the rest counted.
    shown = text.split("What changed this week")[1].split("\n\n")[0].count("• ")
    assert f"…and {200 - shown} more changes" in text


async def test_a_busy_week_words_only_the_changes_a_post_shows(app, clock) -> None:
    now = clock.now()
    await add_reports(app, [r(f"e{p}-{n}", f"platform{p:03d}", "project_ended", now - timedelta(hours=p + 1),
                              project="Raven") for p in range(40) for n in range(2)])
    for p in range(30):
        await add_event(app, f"platform{p:03d}", "flowing", "drought", now - timedelta(hours=50 - p))
    digest = await build_digest(app, None, now, chart=False)
    assert [c.kind for c in digest.changes] == ["drought_started"] * 12 and digest.more_changes == 58
    assert [c.platform for c in digest.changes] == [f"platform{p:03d}" for p in range(12)]  # the oldest first
    assert "platform000: drought likely from" in digest.changes[0].text


def test_the_chart_library_is_imported_only_when_a_chart_is_drawn() -> None:
    code = ("import sys, bot.wiring, bot.features.digest, bot.features.digest.schedule, bot.features.alerts.alerts; "
            "bot.wiring.load_registry(); print('PIL' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


async def test_each_day_of_the_chart_is_a_calendar_day(app, clock) -> None:
    clock.set(clock.now().replace(hour=23, minute=59))  # Monday 16 Nov, one minute before midnight
    now = clock.now()
    await add_reports(app, [r("late", "outlier", "drought", now - timedelta(minutes=5))])
    digest = await build_digest(app, None, now, "UTC")
    # The week from Mon 9 23:59 touches eight calendar days, the first for one minute.
    assert digest.day_labels[0] == "Mon 9" and digest.day_labels[-1] == "Mon 16" and len(digest.day_labels) == 8
    [(_name, counts)] = digest.daily
    assert counts[-1] == 1  # the report filed on Monday shows under "Mon 16"
