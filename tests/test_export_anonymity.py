"""The export is k-anonymous (k = 5): checked on generated data sets, through `queuewatch export`, against the
ground truth of who reported what; and its project, amount and time rules."""

from __future__ import annotations

import asyncio
import csv
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.core.clock import ManualClock, unix
from bot.features.reports import export as research
from bot.features.reports.kinds import KINDS
from bot.features.reports.recording import window_start
from bot.settings import load_settings
from bot.wiring import build_app
from storage.reports import NewReport, upsert_many
from tests.conftest import START

SECRET = "export-anonymity-secret-0123456789"
DAY = 86400
CURRENCIES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "NGN": 0.00065}
ROLES = ("generalist", "specialist", "expert")


def generated(seed: int) -> list[NewReport]:
    """A realistic mix: busy and quiet platforms, popular and one-off project names, exact pay figures, rare
    currencies and roles, and one quiet platform where three people file many reports (rows, not people)."""
    rng = random.Random(seed)
    people = [f"person{i}" for i in range(80)]
    start = unix(START)
    reports: list[NewReport] = []

    def add(reporter: str, platform: str, kind: str, at: int, project: str = "", **values) -> None:
        reports.append(NewReport(reporter, platform, kind, project, window_start(kind, at), at, "telegram:-1001",
                                 **values))

    for _ in range(1500):
        reporter = rng.choice(people)
        platform = rng.choices(("outlier", "dataannotation", "appen", "mercor"), (6, 4, 2, 1))[0]
        at = start + rng.randrange(10) * DAY + rng.choice((9, 12, 12, 13, 20)) * 3600 + rng.randrange(3600)
        kind = rng.choices(list(KINDS), (8, 5, 1, 2, 2, 1, 1, 1, 3, 2))[0]
        if kind in ("project_paused", "project_ended"):
            project = rng.choices(("falcon", "cobra", "bee", "acme llp jane doe"), (10, 3, 1, 1))[0]
            add(reporter, platform, kind, at, project)
        elif kind == "payrate":
            currency = rng.choices(list(CURRENCIES), (6, 3, 2, 1))[0]
            amount = round(rng.uniform(12, 45), 2)
            add(reporter, platform, kind, at, amount=amount, currency=currency, role=rng.choice(ROLES),
                hourly_usd=round(amount * CURRENCIES[currency], 2))
        elif kind == "onboarding":
            add(reporter, platform, kind, at, hours=round(rng.uniform(0.25, 30), 2), paid=rng.random() < 0.3)
        else:
            add(reporter, platform, kind, at)
    for reporter in ("quiet0", "quiet1", "quiet2"):  # 12 drought rows on toloka in one day, from 3 people
        for window in range(4):
            add(reporter, "toloka", "drought", start + DAY + window * 6 * 3600 + 60)
    for reporter in people[:5]:  # exactly five people name "cobra" on one day
        add(reporter, "outlier", "project_ended", start + 2 * DAY + 3600, "cobra")
    add("person0", "outlier", "payrate", start + 3 * DAY, amount=23.47, currency="EUR", role="specialist",
        hourly_usd=25.35)
    return reports


async def _fill(url: str, reports: list[NewReport]) -> None:
    app = await build_app(load_settings(database_url=url, queuewatch_secret=SECRET), clock=ManualClock(START))
    try:
        await upsert_many(app.db, reports)
    finally:
        await app.db.close()


def _day(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")


@pytest.fixture
def environment(tmp_path, monkeypatch):
    """The environment pointing at a database file in tmp_path; returns its URL."""
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'queuewatch.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("QUEUEWATCH_SECRET", SECRET)
    return url


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_exported_combination_of_quasi_identifiers_comes_from_five_people(environment, tmp_path, seed):
    reports = generated(seed)
    asyncio.run(_fill(environment, reports))
    out = tmp_path / f"export-{seed}.csv"
    assert main(["export", "--out", str(out)]) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and tuple(rows[0]) == research.COLUMNS

    combinations = Counter(tuple(row[c] for c in research.QUASI_IDENTIFIERS) for row in rows)
    assert min(combinations.values()) >= research.K, [c for c, n in combinations.items() if n < research.K]

    # Ground truth: distinct people behind each platform + kind + day of the generated reports.
    people: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for report in reports:
        people[(report.platform, report.kind, _day(report.at))].add(report.reporter)
    exported_groups = {(row["platform"], row["kind"], row["day_utc"]) for row in rows}
    assert all(len(people[group]) >= research.K for group in exported_groups)
    assert "toloka" not in {row["platform"] for row in rows}  # 12 rows, but only 3 people

    text = out.read_text(encoding="utf-8")
    assert "acme llp jane doe" not in text and "person" not in text and "telegram:" not in text
    assert "23.47" not in text
    projects = {row["project"] for row in rows}
    assert "falcon" in projects and "cobra" in projects and "bee" not in projects
    assert research.OTHER_PROJECT in projects
    assert any(row["hour_utc"] for row in rows)  # busy hours keep their hour
    for row in rows:
        if row["kind"] in ("payrate", "onboarding"):
            assert row["hour_utc"] == ""
        if row["amount"]:
            assert row["amount"].isdigit()
        if row["hourly_usd"]:
            assert (float(row["hourly_usd"]) * 2).is_integer()
        if row["onboarding_hours"]:
            assert (float(row["onboarding_hours"]) * 2).is_integer()


def test_a_project_name_needs_five_distinct_reporters() -> None:
    base = unix(START)
    rows = [{"reporter": f"p{i}", "updated_at": base + i, "platform": "outlier", "kind": "project_ended",
             "project": "falcon", "amount": None, "currency": None, "hourly_usd": None, "role": None,
             "hours": None, "paid": None} for i in range(4)]
    repeats = [{**rows[0], "updated_at": base + DAY * 7 + i} for i in range(3)]  # one person, three more rows
    assert research.named_projects([*rows, *repeats]) == set()
    fifth = {**rows[0], "reporter": "p4"}
    assert research.named_projects([*rows, fifth]) == {("outlier", "falcon")}
    assert research.named_projects([*rows, {**fifth, "platform": "appen"}]) == set()  # per platform
    kept = research.anonymise([*rows, fifth]).rows
    assert {row[research.COLUMNS.index("project")] for row in kept} == {"falcon"}
    kept = research.anonymise([*rows, {**fifth, "project": "hawk"}]).rows
    assert {row[research.COLUMNS.index("project")] for row in kept} == {research.OTHER_PROJECT}


def test_amounts_are_bucketed_half_up() -> None:
    assert research.bucket(23.47, 1) == "23" and research.bucket(23.5, 1) == "24"
    assert research.bucket(1500.2, 1) == "1500"
    assert research.bucket(25.26, 0.5) == "25.5" and research.bucket(25.24, 0.5) == "25"
    assert research.bucket(0.25, 0.5) == "0.5"
    assert research.bucket(None, 1) == ""


def test_a_small_group_is_coarsened_before_it_is_left_out() -> None:
    """Five people report a drought at different hours: too few for any hour, enough for the day."""
    base = unix(START)
    rows = [{"reporter": f"p{i}", "updated_at": base + i * 3600, "platform": "outlier", "kind": "drought",
             "project": "", "amount": None, "currency": None, "hourly_usd": None, "role": None, "hours": None,
             "paid": None} for i in range(5)]
    result = research.anonymise(rows)
    assert result.left_out == 0 and len(result.rows) == 5
    assert {row[:2] for row in result.rows} == {(_day(base), "")}
    result = research.anonymise(rows[:4])
    assert result.rows == [] and result.left_out == 4
