"""Minimum wages chosen by date, countries, exchange-rate conversion and formatting."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import BadArgument, UserError
from bot.features.knowledge import KNOWN_CURRENCIES, convert, format_money, parse_currency, to_usd
from bot.features.knowledge.money import format_range, rates
from bot.features.knowledge.wages import find_country, next_change, wage_in_force, wages_in_force


@pytest.mark.parametrize(
    ("day", "amount"),
    [(date(2024, 4, 1), 11.44), (date(2025, 3, 31), 11.44), (date(2025, 4, 1), 12.21), (date(2026, 3, 31), 12.21),
     (date(2026, 4, 1), 12.71), (date(2026, 11, 21), 12.71)],
)
def test_uk_adult_rate_switches_on_1_april(day: date, amount: float) -> None:
    wage = wage_in_force("GB", day)
    assert wage is not None and wage.amount == amount and wage.currency == "GBP"


def test_before_the_first_sourced_rate_there_is_none() -> None:
    assert wage_in_force("GB", date(2020, 1, 1)) is None


def test_every_age_group_and_the_next_change() -> None:
    groups = wages_in_force("GB", date(2025, 6, 1))
    assert [(w.group, w.amount) for w in groups] == [
        ("21+ (National Living Wage)", 12.21), ("18-20", 10.00), ("under 18 / apprentice", 7.55)]
    upcoming = next_change("GB", date(2025, 6, 1))
    assert upcoming is not None and upcoming.amount == 12.71
    assert next_change("GB", date(2026, 6, 1)) is None
    assert wage_in_force("DE", date(2026, 12, 31)).amount == 13.90
    assert wage_in_force("DE", date(2027, 1, 1)).amount == 14.60
    assert wage_in_force("US", date(2026, 11, 21)).amount == 7.25
    assert wage_in_force("DK", date(2026, 1, 1)).none


@pytest.mark.parametrize(("typed", "code"), [("uk", "GB"), ("UK", "GB"), ("Britain", "GB"), ("usa", "US"),
                                             ("germany", "DE"), ("DE", "DE"), ("Irland", "IE"), ("U.K.", "GB")])
def test_countries_by_name_code_or_near_spelling(typed: str, code: str) -> None:
    assert find_country(typed).code == code


def test_an_unknown_country_lists_the_sourced_ones() -> None:
    with pytest.raises(BadArgument) as caught:
        find_country("Atlantis")
    assert "Atlantis" in caught.value.message and "United Kingdom" in (caught.value.hint or "")


def test_conversion_uses_the_dated_table() -> None:
    table = rates()
    assert table.date == date(2025, 2, 28) and table.sources
    assert to_usd(12.71, "GBP") == pytest.approx(12.71 / 0.82608 * 1.0411)
    assert to_usd(10, "usd") == pytest.approx(10)
    assert convert(1, "EUR", "GBP") == pytest.approx(0.82608)
    assert {"USD", "GBP", "EUR", "INR", "PHP"} <= KNOWN_CURRENCIES


def test_unknown_currency_is_a_friendly_user_error() -> None:
    with pytest.raises(UserError) as caught:
        to_usd(5, "KES")
    assert "KES" in caught.value.message and "USD" in (caught.value.hint or "")
    assert parse_currency("£") == "GBP" and parse_currency("euros") == "EUR"


def test_money_formatting() -> None:
    assert format_money(12.71, "GBP") == "£12.71"
    assert format_money(1802, "EUR") == "€1,802"
    assert format_money(0.005, "USD") == "US$0.005"
    assert format_money(1520.4, "INR") == "INR 1,520"
    assert format_range(8, 15, "USD") == "US$8–15"
    assert format_range(None, 50, "USD") == "up to US$50"
