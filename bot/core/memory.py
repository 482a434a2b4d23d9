"""Giving freed memory back to the system, on glibc (elsewhere these do nothing), and keeping the start's objects
out of the garbage collector's full collections.

glibc keeps what Python and SQLite free in its heaps, one per thread that allocates (the SQLite connections'
threads, the HTTP clients' resolver threads), up to eight per core, and returns little of it unasked: a start
that reads a month of trust verdicts in a worker thread would hold that peak for the life of the process. So the
bot caps the heaps at two and, now and then, asks glibc to hand back the pages nothing uses (`malloc_trim`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import sys

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # mallopt's parameter number for the most heaps (malloc.h)
ARENAS = 2
TRIM_SECONDS = 60.0  # how often the runner gives freed memory back (a trim takes a millisecond or two)


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it (musl, for one, has no malloc_trim)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()


def limit_heaps(count: int = ARENAS) -> bool:
    """Cap the heaps glibc keeps (call before threads start); True when it took the cap."""
    return bool(_LIBC is not None and _LIBC.mallopt(M_ARENA_MAX, count))


def give_back() -> bool:
    """Return the free pages of every heap to the system; True when some were returned."""
    return bool(_LIBC is not None and _LIBC.malloc_trim(0))


def freeze_start() -> int:
    """After one collection, put everything alive now out of the cyclic garbage collector's reach; returns how many.

    What a start makes (modules, classes, the knowledge base, the libraries' tables) lives as long as the process,
    yet every full collection walked it again: 57 ms for the 64k objects of a start, a pause in the middle of
    whatever the event loop was serving. Objects made later are collected as ever.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


async def give_back_round() -> None:
    """One round of the runner's memory service."""
    give_back()
