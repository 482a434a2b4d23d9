"""Pay offers in a pasted message: each amount per hour, day or week, and the hourly rate it implies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.features.knowledge.money import CURRENCY_WORDS, KNOWN_CURRENCIES, convert

HOURS_PER_DAY = 8  # a per-day offer that says nothing of its hours is counted as a full working day
DAYS_PER_WEEK = 7  # a per-week offer with hours a day is counted over every day (the kindest reading)
HOURS_PER_WEEK = 40  # a per-week offer that says nothing of its hours

_SYMBOLS = {"$": "USD", "us$": "USD", "usdt": "USD", "usdc": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "rs": "INR",
            "rs.": "INR", "₱": "PHP"}
_CODES = "|".join(sorted({re.escape(c.lower()) for c in KNOWN_CURRENCIES}, key=len, reverse=True))
_WORDS = "|".join(sorted((re.escape(w) for w in CURRENCY_WORDS if w[0].isalpha()), key=len, reverse=True))
CUR = rf"(?:us\$|\$|£|€|₹|₱|rs\.?|usdt|usdc|{_CODES}|{_WORDS})"
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY = (rf"(?:(?P<pre>{CUR})\s?)?(?P<low>{NUM})(?P<k>k)?\+?"
         rf"(?:\s?(?:-|–|to)\s?(?:{CUR})?\s?(?P<high>{NUM})(?P<k2>k)?\+?)?(?:\s?(?P<post>{CUR})(?![a-z]))?")
UNIT = r"(?P<unit>hours?|hrs?|h|hourly|days?|daily|weeks?|weekly|wk)"
AFTER = re.compile(rf"(?<![\w.]){MONEY}\s?(?:/|per|an?|each|every)?\s?{UNIT}\b", re.IGNORECASE)
BEFORE = re.compile(rf"\b(?P<unit>hourly|daily|weekly)\s+(?:salary|income|pay|earnings|wage)?\s*(?:of\s+)?(?:up to\s+)?"
                    rf"(?<![\w.]){MONEY}", re.IGNORECASE)
_AMOUNT_OF_TIME = (r"(?:(?P<n>\d+(?:\.\d+)?)(?:\s?(?:-|–|to)\s?(?P<m>\d+(?:\.\d+)?))?|(?P<half>half an)|"
                   r"(?P<one>an|one))\s?(?P<u>minutes?|mins?|hours?|hrs?|h)\b")
# "30 minutes a day", "1-2 hours daily"; failing that, "working 2 hours", "just 20 minutes" (not "within 24 hours").
DAILY = re.compile(rf"\b{_AMOUNT_OF_TIME}\s?(?:a|per|each|every)?\s?(?:day|daily)\b", re.IGNORECASE)
WEEKLY = re.compile(rf"\b{_AMOUNT_OF_TIME}\s?(?:a|per|each|every)?\s?(?:week|weekly)\b", re.IGNORECASE)
WORKING = re.compile(rf"\b(?:working|work|for|only|just)\s+(?:for\s+)?(?:only\s+|just\s+)?{_AMOUNT_OF_TIME}",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Offer:
    """One pay offer: the amount as written (the low end of a range), per what, and the hours that earn it."""

    text: str
    amount: float
    currency: str
    per: str  # "hour", "day" or "week"
    hours: float  # hours of work the amount is for
    hours_stated: bool  # the message says the hours (else a full day or week is assumed)

    def hourly_usd(self) -> float:
        """The hourly rate the offer implies, in US dollars."""
        return convert(self.amount, self.currency, "USD") / self.hours


def _currency(marker: str) -> str | None:
    word = marker.lower()
    code = _SYMBOLS.get(word) or CURRENCY_WORDS.get(word) or word.upper()
    return code if code in KNOWN_CURRENCIES else None


def _hours(m: re.Match[str]) -> float:
    if m.group("half"):
        amount = 0.5
    elif m.group("one"):
        amount = 1.0
    else:
        amount = float(m.group("m") or m.group("n"))
    return amount / 60 if m.group("u").lower().startswith("min") else amount


def hours_a_day(text: str) -> float | None:
    """The most hours a day the message says the work takes ("30 minutes a day", "working 1-2 hours")."""
    found = [_hours(m) for m in DAILY.finditer(text)] or [_hours(m) for m in WORKING.finditer(text)]
    return max(found) if found else None


def hours_a_week(text: str) -> float | None:
    """The most hours a week the message says the work takes ("10 hours a week"), else from hours a day."""
    found = [_hours(m) for m in WEEKLY.finditer(text)]
    daily = hours_a_day(text) if not found else None
    return max(found) if found else daily * DAYS_PER_WEEK if daily else None


def _unit(word: str) -> str:
    word = word.lower()
    return "hour" if word.startswith("h") else "week" if word.startswith("w") else "day"


def offers(text: str) -> list[Offer]:
    """Every pay offer in a text that names a currency, per hour, day or week."""
    daily_hours, weekly_hours = hours_a_day(text), hours_a_week(text)
    found: list[Offer] = []
    spans: list[tuple[int, int]] = []
    for pattern in (AFTER, BEFORE):
        for m in pattern.finditer(text):
            if any(start < m.end() and m.start() < end for start, end in spans):
                continue
            currency = _currency(m.group("pre") or m.group("post") or "")
            if currency is None:
                continue
            amount = float(m.group("low").replace(",", "")) * (1000 if m.group("k") else 1)
            per = _unit(m.group("unit"))
            if per == "hour":
                hours, stated = 1.0, True
            elif per == "day":
                hours, stated = (daily_hours, True) if daily_hours else (HOURS_PER_DAY, False)
            else:
                hours, stated = (weekly_hours, True) if weekly_hours else (HOURS_PER_WEEK, False)
            if amount > 0:
                spans.append((m.start(), m.end()))
                found.append(Offer(m.group(0).strip(), amount, currency, per, hours, stated))
    return found
