"""/pay's figures in log-scale bins (migration 0021, storage/aggregates.py figures): counts exact, the median and
quartiles of a window of many reports within the stated RELATIVE_ERROR (2%) of the exact ones, exact for few
reports, and the stored rows bounded by the bins whatever the number of reports."""

from __future__ import annotations

import asyncio
import math
import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from bot.features.reports.pay import crowd_pay
from bot.features.reports.recording import HOURLY_USD_RANGE, ONBOARDING_HOURS_RANGE, ROLE_TIERS
from storage import aggregates
from storage import reports as store
from tests.test_aggregates import (
    DAY,
    HOUR,
    NOW,
    PG_EXAMPLES,
    _empty,
    _run,
    operations,
    quartiles_by_scan,
    quartiles_of,
    report,
)

SPAN = 90 * DAY
TOLERANCE = aggregates.RELATIVE_ERROR * (1 + 1e-9)  # (floating point at a bin's very edge)


def _close(found: dict[str, tuple], exact: dict[str, tuple]) -> None:
    """The same tags, reports and figures counted exactly; each quartile within the stated error of the exact."""
    assert found.keys() == exact.keys()
    for tag, (reports, figures, quartiles) in exact.items():
        assert found[tag][:2] == (reports, figures), tag
        if quartiles is None:
            assert found[tag][2] is None, tag
            continue
        for got, want in zip(found[tag][2], quartiles, strict=True):
            assert abs(got - want) <= TOLERANCE * want, (tag, got, want)


async def _random_figures(db, rng: random.Random, count: int) -> None:
    """`count` pay and onboarding reports with figures spread over the whole accepted ranges and 100 days."""
    reports = []
    for i in range(count):
        at = NOW - rng.randrange(100 * DAY)
        if rng.random() < 0.7:
            usd = round(math.exp(rng.uniform(*map(math.log, HOURLY_USD_RANGE))), 2)
            reports.append(report(f"p{i}", "alpha", "payrate", "", at, usd, None,
                                  rng.choice((None, *ROLE_TIERS))))
        else:
            hours = rng.choice((None, round(math.exp(rng.uniform(*map(math.log, ONBOARDING_HOURS_RANGE))), 2)))
            reports.append(report(f"o{i}", "alpha", "onboarding", "", at, hours, rng.choice((True, False, None)),
                                  None))
    await store.upsert_many(db, reports)
    await db.execute("UPDATE reports SET hidden = 1 WHERE id % 13 = 0")


def test_binned_quartiles_are_within_the_stated_error_of_the_exact_ones(backend) -> None:
    """Random figures over the accepted ranges: read through the bins (and the partial hour at the window's start
    from the reports), every tag's reports and figures are counted exactly and its quartiles lie within 2% of the
    exact percentiles; with the default threshold a window of this many reports is read through the bins too."""

    @examples(max_examples=6 if backend.server is None else 2, deadline=None)
    @given(st.integers(0, 2**32), st.integers(0, 3 * DAY))
    def check(seed, since_back) -> None:
        asyncio.run(_binned_close(backend, seed, since_back))

    check()


async def _binned_close(backend, seed: int, since_back: int) -> None:
    db = await _empty(backend)
    try:
        await _random_figures(db, random.Random(seed), 1500)
        for kind, span in (("payrate", SPAN), ("onboarding", 365 * DAY)):
            for since in (NOW - span + since_back, NOW - 30 * DAY - since_back, (NOW - 30 * DAY) // HOUR * HOUR):
                exact = await quartiles_by_scan(db, "alpha", kind, since)
                _close(quartiles_of(await aggregates.figures(db, "alpha", kind, since, exact_up_to=0)), exact)
                if sum(reports for tag, (reports, *_rest) in exact.items() if tag != aggregates.ALL_TAGS) \
                        > aggregates.EXACT_UP_TO:
                    default = quartiles_of(await aggregates.figures(db, "alpha", kind, since))
                    _close(default, exact)
                    assert default != exact  # through the bins: not the exact figures
    finally:
        await db.close()


def test_binned_reads_follow_every_kind_of_write(backend) -> None:
    """Reports, repeats, retractions, hides, bars, /forget and clocks put right: the figures read through the bins
    count what a scan of the reports counts, and their quartiles are within 2% of the scan's."""

    @examples(max_examples=25 if backend.server is None else PG_EXAMPLES, deadline=None)
    @given(operations, st.integers(-3 * DAY, DAY))
    def check(ops, since_offset) -> None:
        asyncio.run(_binned_follow(backend, ops, since_offset))

    check()


async def _binned_follow(backend, ops, since_offset: int) -> None:
    db = await _empty(backend)
    try:
        for op in ops:
            await _run(db, op)
        for kind in ("payrate", "onboarding"):
            for platform in ("alpha", "beta"):
                found = quartiles_of(await aggregates.figures(db, platform, kind, NOW + since_offset, exact_up_to=0))
                _close(found, await quartiles_by_scan(db, platform, kind, NOW + since_offset))
    finally:
        await db.close()


def test_a_read_of_some_tags_ranks_those_and_counts_every_tag(backend) -> None:
    """Onboarding as /pay reads it (the unpaid hours ranked, the rest counted): the rows of the full read for those
    tags, and every tag's count, through the bins and exactly."""

    @examples(max_examples=4 if backend.server is None else 1, deadline=None)
    @given(st.integers(0, 2**32), st.sampled_from((0, aggregates.EXACT_UP_TO, 10**9)))
    def check(seed, exact_up_to) -> None:
        asyncio.run(_some_tags(backend, seed, exact_up_to))

    check()


async def _some_tags(backend, seed: int, exact_up_to: int) -> None:
    db = await _empty(backend)
    try:
        await _random_figures(db, random.Random(seed), 900)
        since = NOW - 60 * DAY - 1234
        full = await aggregates.figures(db, "alpha", "onboarding", since, exact_up_to=exact_up_to)
        some = await aggregates.figures(db, "alpha", "onboarding", since, ("0",), exact_up_to=exact_up_to)
        assert sorted(some, key=repr) == sorted((row for row in full if row[1] is None or row[0] == "0"), key=repr)
        assert {row[0] for row in some if row[1] is None} == {"0", "1", ""}
    finally:
        await db.close()


async def test_few_reports_are_read_exactly(app) -> None:
    """Below the threshold /pay's figures are the reported ones: a median of $20.00 is $20.00, not its bin's."""
    at = NOW - DAY
    await store.upsert_many(app.db, [report(f"p{i}", "alpha", "payrate", "", at, value, None, None)
                                     for i, value in enumerate((12.5, 15.0, 20.0, 31.25, 40.0))])
    pay = await crowd_pay(app, "alpha", datetime.fromtimestamp(NOW, UTC))
    assert (pay.figures[0].median, pay.figures[0].p25, pay.figures[0].p75) == (20.0, 15.0, 31.25)


async def test_the_stored_rows_are_bounded_by_the_bins_not_the_reports(backend) -> None:
    """3,000 distinct figures (every cent from $10 to $40, arriving in random order over 90 days) keep one total
    per bin, and a window's read looks up one running count per total: 37 look-ups, not 3,000 figures."""
    db = await _empty(backend)
    try:
        rng = random.Random(5)
        await store.upsert_many(db, [report(f"p{cents}", "alpha", "payrate", "", at, cents / 100, None, None)
                                     for cents, at in zip(rng.sample(range(1000, 4000), 3000),
                                                          range(NOW - SPAN, NOW, SPAN // 3000), strict=True)])
        bins = math.ceil(math.log(40 / 10) / math.log(aggregates.GAMMA)) + 1
        totals = (await db.fetchone("SELECT count(*) FROM report_bin_totals"))[0]
        assert totals <= bins + 1 <= 37  # (and the tag's count)
        since = NOW - SPAN
        _close(quartiles_of(await aggregates.figures(db, "alpha", "payrate", since, exact_up_to=0)),
               await quartiles_by_scan(db, "alpha", "payrate", since))
    finally:
        await db.close()
