"""Freed memory goes back to the system: after a peak of allocations is freed, `give_back` lowers the process's
resident memory (on glibc, where the bot runs; elsewhere it does nothing and says so)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import memory

pytestmark = pytest.mark.skipif(memory._LIBC is None, reason="glibc only")


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_freed_peak_is_given_back() -> None:
    keep = []
    peak = [bytes(2048) for _ in range(30_000)]  # ~60 MiB of blocks glibc hands out (past Python's small-object pool)
    keep.extend(peak[::500])  # a few survivors scattered through it, as in a real heap
    del peak
    before = resident_mib()
    assert memory.give_back() is True
    assert resident_mib() < before - 20
    assert len(keep) == 60

