"""One-row INSERTs that concurrent writes share as one statement of many rows (group commit's cheap path on SQLite).

A batch of 50 reports run as 50 statements pays 50 times what each statement costs beyond its rows (binding, a
statement journal, a cursor, a trip through the Python driver); as one `INSERT ... VALUES (...), (...), ...` it pays
it once, and the whole batch is one call into SQLite, which needs the interpreter's lock only before and after it.
Row triggers still fire once per row, in order, as if the rows had been written one after another. PostgreSQL
runs a RowInsert as the plain one-row statement it also is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Statement = tuple[str, Sequence[Any]]
MAX_ROWS = 64  # rows per combined statement: its parameters stay far below SQLite's limit (32,766)


class RowInsert(str):
    """The SQL of a one-row `INSERT ... VALUES (row) ...tail` (a plain string to every backend) that several writes
    may share as one statement of many rows. Its RETURNING starts with the `key` columns that tell its rows apart
    (the conflict target), which are also its first `key` parameters: each write finds its own row by them."""

    head: str
    row: str
    tail: str
    key: int

    def __new__(cls, head: str, row: str, tail: str, key: int) -> RowInsert:
        text = super().__new__(cls, head + row + tail)
        text.head, text.row, text.tail, text.key = head, row, tail, key
        return text

    def of_rows(self, count: int) -> str:
        """The same INSERT of `count` rows."""
        return self.head + ", ".join([self.row] * count) + self.tail


def power_of_two_parts(count: int, most: int) -> list[int]:
    """Sizes that add up to `count`, each a power of two up to `most` (itself one), largest first: a statement made
    of a part per size is one of a few texts, each prepared once and kept by the connection (a text per count filled
    its cache of 128: a reports UPSERT with its triggers is ~200-285 KB prepared)."""
    sizes = []
    while count:
        sizes.append(min(most, 1 << (count.bit_length() - 1)))
        count -= sizes[-1]
    return sizes


def combine(statements: Sequence[Statement]) -> list[tuple[Statement, list[int]]]:
    """The statements to run for these, in order, each with the positions of the writes it stands for: a run of
    consecutive writes of one RowInsert becomes one statement, while their keys differ (a second write of the same
    row starts the next one, so every row a statement returns belongs to exactly one write)."""
    runs: list[tuple[Statement, list[int]]] = []
    shared: RowInsert | None = None  # the INSERT of the run being gathered
    current: list[int] = []
    keys: set[tuple] = set()

    def close() -> None:
        first = 0
        for size in power_of_two_parts(len(current), MAX_ROWS):
            part = current[first:first + size]
            if len(part) > 1:
                assert shared is not None
                params = [value for i in part for value in statements[i][1]]
                runs.append(((shared.of_rows(len(part)), params), part))
            else:
                runs.append((statements[part[0]], part))
            first += len(part)
        current.clear()
        keys.clear()

    for i, (sql, params) in enumerate(statements):
        if not isinstance(sql, RowInsert):
            close()
            runs.append(((sql, params), [i]))
            continue
        key = tuple(params[:sql.key])
        if sql != shared or key in keys or len(current) >= MAX_ROWS:
            close()
        shared = sql
        current.append(i)
        keys.add(key)
    close()
    return runs


def split(statements: Sequence[Statement], members: list[int], rows: list[Any]) -> list[list[Any]]:
    """Each write's own rows of a combined statement's (found by its key), in the order of `members`."""
    if len(members) == 1:
        return [rows]
    sql = statements[members[0]][0]
    width = sql.key if isinstance(sql, RowInsert) else 0
    by_key = {tuple(row[j] for j in range(width)): row for row in rows}
    # A write whose row the statement did not return (ON CONFLICT DO NOTHING) gets none, as it would alone.
    return [[by_key[key]] if (key := tuple(statements[i][1][:width])) in by_key else [] for i in members]
