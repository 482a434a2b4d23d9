"""/pay and /legit answer from the aggregates what they answered from every report (seeded history): the same counts,
and /pay's figures within the bins' stated error (storage/aggregates.py RELATIVE_ERROR) once there are many."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.features.reports.kinds import DAY, PAYMENT_KINDS
from bot.features.reports.pay import MIN_SHOWN, ONBOARDING_SPAN, PAY_SPAN, crowd_pay, percentile
from bot.features.reports.recording import ROLE_TIERS
from bot.features.reports.reliability import reliability
from storage.aggregates import RELATIVE_ERROR
from tests.test_hotspots_queries import NOW, PLATFORMS, generated_history


@pytest.fixture
async def history(app):
    await generated_history(app.db)
    return app


def _figures(values: list[float]) -> tuple | None:
    values = sorted(values)
    return tuple(percentile(values, f) for f in (0.5, 0.25, 0.75)) if len(values) >= MIN_SHOWN else None


def _near(found: tuple | None, exact: tuple | None) -> bool:
    """Both hidden, or each figure within the stated error of the exact one."""
    if found is None or exact is None:
        return found is exact
    return all(abs(a - b) <= RELATIVE_ERROR * (1 + 1e-9) * b for a, b in zip(found, exact, strict=True))


@pytest.mark.parametrize("hours_later", [0, 7, 30 * 24 + 5])
async def test_crowd_pay_and_reliability_equal_the_figures_of_every_report(history, hours_later) -> None:
    now = NOW + hours_later * 3600 + 1111  # windows that start inside a day and an hour
    rows = await history.db.fetchall("SELECT * FROM reports WHERE hidden = 0")
    for platform in PLATFORMS:
        pay = [r for r in rows if r["platform"] == platform and r["kind"] == "payrate" and r["hourly_usd"] is not None
               and r["updated_at"] >= now - PAY_SPAN]
        crowd = await crowd_pay(history, platform, datetime.fromtimestamp(now, UTC))
        expected = {"all roles": [r["hourly_usd"] for r in pay]}
        expected.update({role: [r["hourly_usd"] for r in pay if r["role"] == role]
                         for role in ROLE_TIERS if any(r["role"] == role for r in pay)})
        assert {f.role: f.n for f in crowd.figures} == {role: len(values) for role, values in expected.items()}
        for figure in crowd.figures:
            shown = None if figure.median is None else (figure.median, figure.p25, figure.p75)
            assert _near(shown, _figures(expected[figure.role])), figure
        onboarding = [r for r in rows if r["platform"] == platform and r["kind"] == "onboarding"
                      and r["updated_at"] >= now - ONBOARDING_SPAN]
        assert crowd.onboarding_n == len(onboarding)
        unpaid = _figures([r["hours"] for r in onboarding if r["paid"] == 0 and r["hours"] is not None])
        assert _near(None if crowd.unpaid_hours_median is None else (crowd.unpaid_hours_median,),
                     unpaid[:1] if unpaid else None)
        found = await reliability(history, platform, datetime.fromtimestamp(now, UTC))
        for kind in PAYMENT_KINDS:
            mine = [r for r in rows if r["platform"] == platform and r["kind"] == kind]
            assert found.total[kind] == len(mine)
            assert found.recent[kind] == sum(r["updated_at"] >= now - 90 * DAY for r in mine)
