"""The digest chart files each report under the calendar day it was made on in the community's time zone, and
its header names the same first and last day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import unix
from bot.features.digest import build_digest, digest_reply
from tests.support.digest_fakes import add_reports


def at(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


async def chart_days(app, clock, now: datetime, reports: list[datetime], timezone: str):
    clock.set(now.astimezone(UTC))
    await add_reports(app, [{"reporter": f"r{n}", "platform": "outlier", "kind": "drought", "at": unix(moment)}
                            for n, moment in enumerate(reports)])
    digest = await build_digest(app, "console:local", clock.now(), timezone, chart=False)
    [(_name, counts)] = digest.daily
    return digest, dict(zip(digest.day_labels, counts, strict=True))


async def test_a_report_made_tuesday_morning_is_filed_under_tuesday(app, clock) -> None:
    digest, days = await chart_days(app, clock, at("2026-12-01T09:00", "Europe/London"),
                                    [at("2026-12-01T08:26", "Europe/London")], "Europe/London")
    assert digest.day_labels[0] == "Tue 24" and digest.day_labels[-1] == "Tue 1"
    assert days["Tue 1"] == 1 and days["Mon 30"] == 0
    assert digest_reply(digest).title == "Weekly digest · 24 Nov – 1 Dec 2026"


@pytest.mark.parametrize(("timezone", "day"), [("Europe/London", "Tue 1"), ("America/New_York", "Mon 30"),
                                               ("Asia/Kolkata", "Tue 1")])
async def test_the_day_is_the_community_s_own(app, clock, timezone: str, day: str) -> None:
    # 03:00 UTC on Tue 1 Dec is 22:00 on Mon 30 Nov in New York and 08:30 on Tue 1 Dec in Kolkata.
    _digest, days = await chart_days(app, clock, at("2026-12-01T12:00"), [at("2026-12-01T03:00")], timezone)
    assert days[day] == 1 and sum(days.values()) == 1


async def test_a_week_over_the_clock_change_keeps_calendar_days(app, clock) -> None:
    # British Summer Time ends at 02:00 on Sunday 25 Oct 2026: that day has 25 hours.
    reports = [at("2026-10-25T00:30", "Europe/London"), at("2026-10-25T23:30", "Europe/London"),
               at("2026-10-26T00:10", "Europe/London")]
    digest, days = await chart_days(app, clock, at("2026-10-28T12:00", "Europe/London"), reports, "Europe/London")
    assert days["Sun 25"] == 2 and days["Mon 26"] == 1
    assert digest.day_labels == ["Wed 21", "Thu 22", "Fri 23", "Sat 24", "Sun 25", "Mon 26", "Tue 27", "Wed 28"]
