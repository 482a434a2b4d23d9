"""Countries as members name them: multi-word names, codes, dotted forms, demonyms and misspellings, in
/pay, /settings (typed lines and the separate fields of a slash command) and in plain questions."""

from __future__ import annotations

import pytest

from bot.features.knowledge.intents import country_in
from bot.features.knowledge.wages import country_named, find_country

AUTOMATIC = "automatic (your app's language, else the community's)"


async def run(app, actor, place, line: str):
    return await app.dispatcher.dispatch_line(line, actor, place)


@pytest.mark.parametrize(("typed", "code"), [
    ("united kingdom", "GB"), ("United Kingdom", "GB"), ("the UK", "GB"), ("U.K.", "GB"), ("in the uk", "GB"),
    ("Britain", "GB"), ("british", "GB"), ("untied kingdom", "GB"),
    ("United States", "US"), ("USA", "US"), ("U.S.A.", "US"), ("the US", "US"), ("american", "US"),
    ("Deutschland", "DE"), ("german", "DE"), ("germny", "DE"), ("the Netherlands", "NL"), ("dutch", "NL"),
    ("New Zealand", "NZ"), ("south african", "ZA"), ("in", "IN"),
])
def test_a_country_by_name_code_form_demonym_or_misspelling(typed: str, code: str) -> None:
    assert find_country(typed).code == code


@pytest.mark.parametrize("typed", ["kingdom", "atlantis", "nonexistent", "spam"])
def test_words_that_name_no_country_are_not_guessed(typed: str) -> None:
    assert country_named(typed) is None


@pytest.mark.parametrize("line", ["/pay outlier united kingdom", "/pay outlier in the uk", "/pay outlier U.K.",
                                  "/pay outlier expert united kingdom", "/pay outlier united kingdom expert",
                                  '/pay outlier "great britain"'])
async def test_pay_takes_a_country_of_several_words(app, member, group, line: str) -> None:
    reply = await run(app, member, group, line)
    assert not reply.is_error, reply.plain_text()
    assert "Minimum wage, United Kingdom" in reply.plain_text()


async def test_pay_with_separate_fields_as_a_slash_command_sends_them(app, member, group) -> None:
    for options in ({"country": "United Kingdom"}, {"role": "United", "country": "Kingdom"},
                    {"role": "expert", "country": "the US"}):
        reply = await app.dispatcher.dispatch("pay", {"platform": "outlier", **options}, member, group)
        assert not reply.is_error, (options, reply.plain_text())
        assert "Minimum wage, United" in reply.plain_text()


async def test_pay_names_what_it_cannot_read(app, member, group) -> None:
    one = await run(app, member, group, "/pay outlier kingdom")
    assert one.is_error and "“kingdom”" in one.plain_text() and "role" in one.plain_text()
    two = await run(app, member, group, "/pay outlier atlantis island")
    assert two.is_error and "I don't know the country “atlantis island”" in two.plain_text()


@pytest.mark.parametrize(("line", "country", "currency"), [
    ("/settings united kingdom", "United Kingdom", None),
    ("/settings united kingdom GBP", "United Kingdom", "GBP"),
    ("/settings the US usd", "United States", "USD"),
    ("/settings Deutschland", "Germany", None),
    ("/settings new zealand", "New Zealand", None),
])
async def test_settings_takes_a_country_of_several_words(app, member, group, line, country, currency) -> None:
    reply = await run(app, member, group, line)
    fields = {f.name: f.value for f in reply.fields}
    assert not reply.is_error, reply.plain_text()
    assert fields["Country"] == country
    assert fields["Display currency"] == (currency or "not set (your country's currency, else USD)")


async def test_settings_from_slash_command_fields(app, member, group) -> None:
    reply = await app.dispatcher.dispatch("settings", {"country": "United Kingdom"}, member, group)
    assert {f.name: f.value for f in reply.fields}["Country"] == "United Kingdom"
    both = await app.dispatcher.dispatch("settings", {"country": "the netherlands", "currency": "eur"}, member, group)
    assert {f.name: f.value for f in both.fields} == {"Country": "Netherlands", "Display currency": "EUR",
                                                    "Language": AUTOMATIC}


async def test_settings_still_says_which_word_is_wrong(app, member, group) -> None:
    currency = await run(app, member, group, "/settings germany zzz")
    assert currency.is_error and "currency “zzz”" in currency.plain_text()
    country = await run(app, member, group, "/settings atlantis gbp")
    assert country.is_error and "country “atlantis”" in country.plain_text()
    cleared = await run(app, member, group, "/settings clear clear")
    assert not cleared.is_error


@pytest.mark.parametrize(("text", "code"), [
    ("how much does telus pay in the U.K.?", "GB"), ("what's the german minimum wage", "DE"),
    ("minimum wage in the united states", "US"), ("tax in Britain on outlier money", "GB"),
    ("minimum wage in germny", "DE"), ("is outlier legit in the US", "US"),
    ("tell us about outlier", None), ("do they hire german speakers", None), ("how to polish my answers", None),
    ("what does the island project pay", None),
])
def test_a_country_in_a_plain_question(text: str, code: str | None) -> None:
    assert country_in(text) == code


async def test_a_plain_question_with_a_multi_word_country_gets_its_minimum_wage(app, member, private) -> None:
    reply = await run(app, member, private, "how much does telus pay in the united kingdom?")
    assert "Minimum wage, United Kingdom" in reply.plain_text()
