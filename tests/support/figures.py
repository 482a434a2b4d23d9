"""Figures tests measure, printed in pytest's terminal summary (see tests/conftest.py).

With pytest-xdist the tests run in worker processes, so each figure is also written to a folder the
controlling process names in QUEUEWATCH_FIGURES_DIR (set before the workers start), and read back there.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

MEASURED: list[tuple[str, str]] = []
FOLDER_VARIABLE = "QUEUEWATCH_FIGURES_DIR"


def report(title: str, text: str) -> None:
    """Keep a figure to print after the test results."""
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        (Path(folder) / f"{uuid.uuid4().hex}.json").write_text(json.dumps([title, text]), encoding="utf-8")
    else:
        MEASURED.append((title, text))


def collected() -> list[tuple[str, str]]:
    """Every figure reported in this process or, through the folder, in any worker, in title order."""
    found = list(MEASURED)
    folder = os.environ.get(FOLDER_VARIABLE)
    if folder:
        found += [tuple(json.loads(p.read_text(encoding="utf-8"))) for p in Path(folder).glob("*.json")]
    return sorted(found)
