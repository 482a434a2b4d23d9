"""Currencies: the dated exchange table, conversion (to USD per hour for crowd reports) and formatting."""

from __future__ import annotations

from bot.core.errors import BadArgument, quoted
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import ExchangeRates

SYMBOLS = {"USD": "US$", "GBP": "£", "EUR": "€"}
CURRENCY_WORDS = {
    "$": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "usd": "USD",
    "£": "GBP", "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "sterling": "GBP",
    "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
    "rupee": "INR", "rupees": "INR", "peso": "PHP", "pesos": "PHP",
}
KNOWN_CURRENCIES: frozenset[str] = frozenset(knowledge_base().rates.rates)


def rates() -> ExchangeRates:
    """The shipped, dated exchange-rate table."""
    return knowledge_base().rates


def parse_currency(text: str) -> str:
    """A currency code from what a member typed ("usd", "£", "euros"); raises BadArgument if unknown."""
    word = text.strip().lower()
    code = CURRENCY_WORDS.get(word, word.upper())
    if code not in KNOWN_CURRENCIES:
        raise BadArgument(
            f"I don't know the currency {quoted(text)}.",
            hint="Use a three-letter code such as USD, GBP, EUR, INR or PHP. Known: "
            + ", ".join(sorted(KNOWN_CURRENCIES)) + ".",
        )
    return code


def convert(amount: float, from_currency: str, to_currency: str) -> float:
    """Convert an amount between two currencies in the table; raises BadArgument for an unknown one."""
    table = rates().rates
    for code in (from_currency, to_currency):
        if code not in table:
            parse_currency(code)  # raises the friendly error
    return amount / table[from_currency] * table[to_currency]


def to_usd(amount: float, currency: str) -> float:
    """An amount (e.g. per hour) in US dollars, by the shipped dated table; raises a UserError if unknown."""
    return convert(amount, parse_currency(currency), "USD")


def format_money(amount: float, currency: str) -> str:
    """An amount for people: "US$12.50", "£12.71", "€1,802", "INR 1,520"."""
    if amount >= 100 or amount == int(amount):
        number = f"{amount:,.0f}"
    elif amount >= 0.1:
        number = f"{amount:,.2f}"
    else:
        number = f"{amount:.3f}".rstrip("0")
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
        return f"{start}–{end}"
    if low is None and high is not None:
        return f"up to {format_money(high, currency)}"
    return format_money(low if low is not None else high or 0, currency)
