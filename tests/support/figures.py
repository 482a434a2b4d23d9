"""Figures tests measure, printed in pytest's terminal summary (see tests/conftest.py)."""

from __future__ import annotations

MEASURED: list[tuple[str, str]] = []


def report(title: str, text: str) -> None:
    """Keep a figure to print after the test results."""
    MEASURED.append((title, text))
