"""Hostile input for the fuzz tests: values for every parameter of a command, and what every reply must obey."""

from __future__ import annotations

import logging
import math
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from bot.core import arguments
from bot.core.declarations import Command, Param, ParamKind
from bot.core.errors import ECHO_LIMIT
from bot.core.model import Reply
from storage.database import Database

# Fixed and small by default, so `make test` stays fast and repeatable; set QUEUEWATCH_FUZZ_EXAMPLES=5000 to
# explore with fresh random examples.
EXAMPLES = int(os.environ.get("QUEUEWATCH_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize="QUEUEWATCH_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
INT64_MAX = 2**63 - 1
ZWJ = "\u200d"
EMOJI = ["👩", "👨", "👧", "👦", "❤️", "🔥", "🏳️", "🌈", "👍🏽", "🧑🏿", "💻", "🇬🇧", "🇮🇳", "☠️", "🫠"]
NASTY = [
    "", " ", "\t \n ", "\u3000", "x" * 5000, "word " * 1000, "🙂" * 2000,
    "\u202eevil\u202c", "\u202dltr\u2066isolate\u2069", "a\u200bb", "\u200b\u200c\u200d\ufeff", "\u2060",
    "e\u0301\u0301\u0301\u0301", "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357", "\u0300", "ﷺ", "꧅",
    "\ud800", "a\udfffb", "\ud83d", "\udc80\udcff", "\x00", "\x1b[31mred\x1b[0m", "\r", "line\nbreak",
    "👩\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇬🇧", "👍🏽", "🧑🏿\u200d💻",
    "'; DROP TABLE reports; --", "1 OR 1=1", "' OR ''='", "%s %d {0} {{x}}", "NULL", "None", "null", "\\",
    "<b>bold</b>", "<script>alert(1)</script>", "&amp; &lt; &#x27;", "</b></i>", "<a href='x'>",
    "@everyone", "@here", "<@&123456789012345678>", "<#123>", "**bold** __u__ ~~s~~ `code` ||spoiler||",
    "[link](https://example.com)", "# heading", "> quote", "```", "@queuewatch_bot", "/help", "//",
    '"', "'", '"unbalanced', "unbalanced'", "it's", '"a" "b', "'''", '\\"', "a\\", '"' * 50,
]
NUMBERS = ["0", "-0", "1", "-1", "0.5", "1,5", "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e309",
           "-1e309", "1e308", "99999999999999999999", str(INT64_MAX), str(INT64_MAX + 1), str(-INT64_MAX - 1),
           str(-INT64_MAX - 2), "9" * 5000, "-" + "9" * 5000, "1_000", "١٢", "0x10", "12abc", "+5", "--5", "1 2"]


def bound_values(param: Param) -> list[str]:
    """Numbers at and just beyond each declared bound."""
    values = []
    for bound in (param.min_value, param.max_value):
        if bound is not None:
            values += [_number(bound), _number(bound - 1), _number(bound + 1), f"{bound - 0.001:g}",
                       f"{bound + 0.001:g}"]
    return values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def random_text() -> st.SearchStrategy[str]:
    """Any text, lone surrogates and control characters included, and emoji joined with zero-width joiners."""
    anything = st.text(st.characters(exclude_categories=()), max_size=40)
    emoji = st.lists(st.sampled_from(EMOJI), min_size=2, max_size=5).map(ZWJ.join)
    repeated = st.tuples(st.sampled_from(["x", "é", "🙂", "<", "&", "'", "\u202e", "a b "]),
                         st.integers(90, 5000)).map(lambda pair: pair[0] * pair[1])
    return st.one_of(anything, emoji, repeated)


def raw_value(param: Param) -> st.SearchStrategy[str]:
    """A value typed for one parameter: valid, nasty, a number at or beyond a bound, or random."""
    sensible = [c.value for c in param.choices] + [param.example or param.name]
    strategies = [st.sampled_from(NASTY), st.sampled_from(NUMBERS + sensible), random_text()]
    if param.kind in (ParamKind.INTEGER, ParamKind.NUMBER):
        strategies.append(st.sampled_from(bound_values(param) or NUMBERS))
    value = st.one_of(*strategies)
    # Sometimes glue two together, e.g. a valid value with a bidi override or an SQL tail.
    return st.one_of(value, st.tuples(value, value).map("".join))


def valid_arguments(command: Command) -> list[dict[str, str]]:
    """Raw values that work, from the command's own examples (so hostile values reach deep code paths)."""
    found = [arguments.parse_line(command, line.partition(" ")[2]) for line in command.examples]
    return found or [{}]


@st.composite
def raw_arguments(draw: st.DrawFn, command: Command) -> dict[str, str]:
    """Raw values by parameter name, in order: each one valid, hostile or missing."""
    base = draw(st.sampled_from(valid_arguments(command)))
    raw = {}
    for param in command.params:
        fate = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "missing"]))
        if fate == "hostile":
            raw[param.name] = draw(raw_value(param))
        elif fate == "keep" and param.name in base:
            raw[param.name] = base[param.name]
        elif fate == "keep" and param.required:
            raw[param.name] = param.example or (param.choices[0].value if param.choices else "x")
    return raw


def hostile_values(param: Param) -> list[str]:
    """Every fixed hostile value for a parameter: the nasty strings, and numbers at and beyond its bounds."""
    numeric = param.kind in (ParamKind.INTEGER, ParamKind.NUMBER)
    return NASTY + (NUMBERS + bound_values(param) if numeric else NUMBERS[:12])


def typed_option(param: Param) -> st.SearchStrategy[object]:
    """An option value as Discord's JSON would carry it (or a hand-made payload might)."""
    if param.kind is ParamKind.INTEGER:
        typed = st.one_of(st.integers(), st.integers(-(2**70), 2**70), st.sampled_from([0, -1, INT64_MAX + 1]))
    elif param.kind is ParamKind.NUMBER:
        typed = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**1100), 2**1100),
                          st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e308]))
    elif param.kind is ParamKind.BOOLEAN:
        typed = st.booleans()
    else:
        typed = st.nothing()
    return st.one_of(typed, raw_value(param))


def line_for(name: str, raw: dict[str, str], quote: list[bool]) -> str:
    """A typed command line for these values, some of them in double quotes."""
    words = [f'"{value}"' if quoted else value for value, quoted in zip(raw.values(), quote, strict=False)]
    return " ".join([f"/{name}", *words])


class ErrorLog(logging.Handler):
    """Collects ERROR records (the classifier logs every unexpected error at that level)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)


async def row_counts(db: Database) -> dict[str, int]:
    """The number of rows in every table, and the rows changed so far (which catches updates too)."""
    tables = [row["name"] for row in await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    union = " UNION ALL ".join(f"SELECT '{t}' AS name, COUNT(*) AS n FROM \"{t}\"" for t in tables)
    counts = {row["name"]: row["n"] for row in await db.fetchall(union)}
    counts["(rows changed)"] = (await db.fetchone("SELECT total_changes() AS n"))["n"]
    return counts


def check_reply(reply: Reply, inputs: list[object], errors: ErrorLog, before: dict[str, int],
                after: dict[str, int]) -> None:
    """What every reply obeys: no unexpected error, no traceback, nothing stored when refused, short echoes."""
    text = reply.plain_text()
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert reply.title != "Something went wrong on our side", text
    assert "Traceback" not in text
    text.encode("utf-8")  # sendable: no lone surrogate reaches a platform
    if not reply.is_error:
        return
    assert before == after, {k: (before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)}
    windows = {text[i:i + ECHO_LIMIT + 1] for i in range(max(0, len(text) - ECHO_LIMIT))}
    for value in inputs:
        shown = str(value).strip()
        for i in range(len(shown) - ECHO_LIMIT):
            assert shown[i:i + ECHO_LIMIT + 1] not in windows, f"the reply echoes more than {ECHO_LIMIT} characters"
