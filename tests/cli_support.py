"""Running the real `queuewatch` entry point as a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLEARED = ("DISCORD_TOKEN", "TELEGRAM_TOKEN", "DATABASE_URL", "QUEUEWATCH_SECRET", "LOG_LEVEL",
           "DISCORD_GUILD_IDS", "DISCORD_MOD_ROLE_IDS", "TELEGRAM_API_BASE_URL", "QUEUEWATCH_OPERATORS",
           "QUEUEWATCH_FX_URL", "QUEUEWATCH_SECRET_FILE")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any queuewatch setting, plus `extra`; the exchange-rate refresh is off (no test
    reaches the internet) unless `extra` sets QUEUEWATCH_FX_URL."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["PYTHONPATH"] = str(ROOT)
    env["QUEUEWATCH_FX_URL"] = ""
    env.update(extra)
    return env


def queuewatch(*args: str, cwd: Path, stdin: str = "", timeout: float = 60, **env: str):
    """Run `python -m bot.cli ARGS` in `cwd` and return the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=clean_env(**env), timeout=timeout,
    )
