"""Crowd pay figures (median, 25th-75th percentile, n, hidden below 5) and payment reliability ("x of n")."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest

from bot.core.clock import unix
from bot.features.reports.kinds import DAY
from bot.features.reports.pay import MIN_SHOWN, crowd_pay, pay_fields, pay_section, percentile
from bot.features.reports.recording import window_start
from bot.features.reports.reliability import reliability, reliability_fields
from storage import reports as store
from tests.reports_helpers import members, report

pytestmark = pytest.mark.usefixtures("backend")  # every test here runs on SQLite and PostgreSQL


async def payrate(app, actor, group, amount, currency="USD", role=None):
    args = {"platform": "outlier", "amount": str(amount), "currency": currency} | ({"role": role} if role else {})
    reply = await app.dispatcher.dispatch("payrate", args, actor, group)
    assert not reply.is_error, reply.plain_text()


def test_percentile_interpolates_like_the_inclusive_quartiles():
    values = [10.0, 12.0, 15.0, 21.0, 40.0, 41.0]
    p25, p50, p75 = statistics.quantiles(values, n=4, method="inclusive")
    assert (percentile(values, 0.25), percentile(values, 0.5), percentile(values, 0.75)) == (p25, p50, p75)


async def test_pay_is_hidden_below_five_and_says_how_many_more(app, clock, group):
    for i, actor in enumerate(members(MIN_SHOWN - 1)):
        await payrate(app, actor, group, 15 + i, role="generalist")
    pay = await crowd_pay(app, "outlier", clock.now())
    assert pay.figures[0].median is None and pay.figures[0].missing == 1
    assert "1 more needed" in pay_fields(pay, "outlier")[0].value


async def test_pay_median_and_middle_half_per_role_tier(app, clock, group):
    amounts = [14, 18, 20, 25, 30, 45, 50]
    for i, (actor, amount) in enumerate(zip(members(len(amounts)), amounts, strict=True)):
        await payrate(app, actor, group, amount, role="specialist" if i >= 2 else "generalist")
    clock.advance(minutes=5)
    await payrate(app, members(1)[0], group, 16, role="generalist")  # a repeat replaces the earlier figure
    pay = await crowd_pay(app, "outlier", clock.now())
    everyone = sorted([16, 18, 20, 25, 30, 45, 50])
    overall, *tiers = pay.figures
    assert overall.n == 7 and overall.median == statistics.median(everyone)
    assert (overall.p25, overall.p75) == tuple(statistics.quantiles(everyone, n=4, method="inclusive")[::2])
    by_role = {f.role: f for f in tiers}
    assert by_role["specialist"].n == 5 and by_role["specialist"].median == 30
    assert by_role["generalist"].n == 2 and by_role["generalist"].median is None
    clock.advance(days=91)  # pay figures are about the last 90 days
    assert (await crowd_pay(app, "outlier", clock.now())).figures[0].n == 0


async def test_unpaid_onboarding_lowers_the_effective_rate(app, clock, group, member):
    for i, actor in enumerate(members(5)):
        await payrate(app, actor, group, 20)
        await app.dispatcher.dispatch("onboarding", {"platform": "outlier", "hours": str(8 + i)}, actor, group)
    await app.dispatcher.dispatch("onboarding", {"platform": "outlier", "hours": "3", "paid": "yes"}, member, group)
    pay = await crowd_pay(app, "outlier", clock.now())
    assert pay.unpaid_hours_median == 10 and pay.onboarding_n == 6
    assert pay.effective == [(20, 20 * 20 / 30), (100, 20 * 100 / 110)]
    inv = type("Inv", (), {"app": app, "now": clock.now()})()
    text = "\n".join(f.value for f in await pay_section(inv, "outlier", role=None))
    assert "$20.00/h" in text and "$13.33/h" in text and "Median unpaid onboarding, last 12 months: 10 h" in text


async def test_payment_reliability_x_of_n_recent_and_all_time(app, clock, group):
    now = unix(clock.now())
    old = now - 120 * DAY
    await store.upsert_many(app.db, [
        store.NewReport(f"old{i}", "outlier", "payment_missing", "", window_start("payment_missing", old), old)
        for i in range(2)
    ])
    crowd = members(4)
    for actor in crowd[:3]:
        await report(app, actor, group, "outlier", "paid_on_time")
    await report(app, crowd[3], group, "outlier", "paid_late")
    await report(app, crowd[3], group, "outlier", "account_restricted")
    result = await reliability(app, "outlier", clock.now() + timedelta(hours=1))
    assert result.recent == {"paid_on_time": 3, "paid_late": 1, "payment_missing": 0}
    assert result.total == {"paid_on_time": 3, "paid_late": 1, "payment_missing": 2}
    text = "\n".join(f.value for f in reliability_fields(result, "outlier"))
    assert "paid on time 3 of 4" in text and "payment missing 2 of 6" in text and "1" in text


async def test_pay_and_legit_show_the_crowd_sections(app, group, member):
    for actor in members(5):
        await payrate(app, actor, group, 20)
    await report(app, member, group, "outlier", "paid_on_time")
    pay = (await app.dispatcher.dispatch("pay", {"platform": "outlier"}, member, group)).plain_text()
    assert "Crowd-reported hourly pay" in pay and "n = 5" in pay
    legit = (await app.dispatcher.dispatch("legit", {"platform": "outlier"}, member, group)).plain_text()
    assert "paid on time 1 of 1" in legit
