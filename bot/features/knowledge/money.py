"""Currencies: dated exchange tables, conversion (to USD per hour for crowd reports) and formatting.

Conversion takes the table to use: the app's current one (`app.fx.table(...)`, kept fresh from the ECB in the
background) wherever the bot shows an amount, so the date shown is the date of the rates actually used.
Without a table it falls back to the shipped one.
"""

from __future__ import annotations

from bot.core import i18n
from bot.core.errors import BadArgument, quoted
from bot.core.i18n import _
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import ExchangeRates, RateTable, format_date

SYMBOLS = {"USD": "US$", "GBP": "£", "EUR": "€"}
CURRENCY_WORDS = {
    "$": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "usd": "USD",
    "£": "GBP", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "sterling": "GBP",
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "rupee": "INR", "rupees": "INR", "peso": "PHP", "pesos": "PHP",
}
KNOWN_CURRENCIES: frozenset[str] = frozenset(knowledge_base().rates.rates)


def rates() -> ExchangeRates:
    """The shipped, dated exchange-rate table (the fallback when no newer table was fetched)."""
    return knowledge_base().rates


def covers(table: RateTable | None, *currencies: str | None) -> bool:
    """True when the table (the shipped one if None) has a rate for every one of these currencies."""
    known = (table or rates()).rates
    return all(code in known for code in currencies if code)


def rates_note(table: RateTable) -> str:
    """The sentence that says which rates an answer used: "Converted at ECB reference rates of 28 Feb 2025."."""
    return _("Converted at ECB reference rates of {date}.").format(date=format_date(table.date.isoformat()))


def parse_currency(text: str) -> str:
    """A currency code from what a member typed ("usd", "£", "euros"); raises BadArgument if unknown."""
    word = text.strip().lower()
    code = CURRENCY_WORDS.get(word, word.upper())
    if code not in KNOWN_CURRENCIES:
        raise BadArgument(
            _("I don't know the currency {currency}.").format(currency=quoted(text)),
            hint=_("Use a three-letter code such as USD, GBP, EUR, INR or PHP. Known: {codes}.").format(
                codes=", ".join(sorted(KNOWN_CURRENCIES))),
        )
    return code


def convert(amount: float, from_currency: str, to_currency: str, table: RateTable | None = None) -> float:
    """Convert an amount between two currencies by a table (the shipped one if None); raises BadArgument for a
    currency the table lacks."""
    known = (table or rates()).rates
    for code in (from_currency, to_currency):
        if code not in known:
            parse_currency(code)  # raises the friendly error for a currency the bot does not know at all
            raise BadArgument(_("The exchange rates of {date} have no rate for {code}.").format(
                date=format_date((table or rates()).date.isoformat()), code=code),
                hint=_("Try another currency, e.g. USD or EUR."))
    return amount / known[from_currency] * known[to_currency]


def to_usd(amount: float, currency: str, table: RateTable | None = None) -> float:
    """An amount (e.g. per hour) in US dollars by a table (the shipped one if None); raises a UserError if
    the currency is unknown."""
    return convert(amount, parse_currency(currency), "USD", table)


def format_money(amount: float, currency: str, exact: bool = False) -> str:
    """An amount for people: "US$12.50", "£12.71", "€1,802", "INR 1,520"; `exact` keeps a sourced amount's
    decimals ("€12.735", "KES 16,113.75") instead of rounding it for display."""
    if exact and amount != int(amount):
        decimals = min(3, max(2, len(f"{amount:.3f}".rstrip("0").split(".")[1])))
    elif amount >= 100 or amount == int(amount):
        decimals = 0
    elif amount >= 0.1:
        decimals = 2
    else:
        decimals = len(f"{amount:.3f}".rstrip("0").split(".")[1])
    if i18n.current() != i18n.SOURCE:  # Babel's pattern for the locale: "12,50 US$", "US$ 12,50"
        return i18n.money(amount, currency, decimals)
    number = f"{amount:,.{decimals}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def format_range(low: float | None, high: float | None, currency: str) -> str:
    """A range: "US$8-15", "up to US$50", "US$81+"-style text for one or both ends."""
    if low is not None and high is not None and low != high:
        end = format_money(high, currency)
        start = format_money(low, currency)
        symbol = SYMBOLS.get(currency)
        if symbol and end.startswith(symbol):
            end = end[len(symbol):]
        elif end.startswith(currency + " "):
            end = end[len(currency) + 1:]
        if i18n.current() != i18n.SOURCE:
            return f"{start}–{format_money(high, currency)}"
        return f"{start}–{end}"
    if low is None and high is not None:
        return _("up to {amount}").format(amount=format_money(high, currency))
    return format_money(low if low is not None else high or 0, currency)
