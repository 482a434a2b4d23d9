"""`queuewatch kb check`: validate the knowledge base files and list stale and undated facts."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot.core.clock import SystemClock


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kb check`."""
    kb = subparsers.add_parser("kb", help="knowledge base tools")
    commands = kb.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="validate the knowledge base; list problems, stale and undated facts, "
                                "and facts whose only sources are forum or SEO pages")
    check.add_argument("--data", type=Path, default=None, help="check this folder instead of the shipped data")
    check.add_argument("--today", type=date.fromisoformat, default=None,
                       help="judge staleness as of this day (YYYY-MM-DD; default: today)")
    check.add_argument("--strict", action="store_true", help="also exit 1 when any fact is stale")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from bot.features.knowledge.check import STALE_MONTHS, check, describe

    today = args.today or SystemClock().now().date()
    report = check(today, args.data)
    if report.problems:
        print(f"The knowledge base has {len(report.problems)} problem(s):")
        for problem in report.problems:
            print(f"  - {problem}")
        print("Fix them and run `queuewatch kb check` again.")
        return 1
    print(f"Knowledge base OK: {report.platforms} platforms, {report.facts} sourced facts, "
          f"{report.gaps} unsourced gaps kept as unknown.")
    print(f"Stale (newest source older than {STALE_MONTHS} months before {today}): {len(report.stale)}")
    for fact in report.stale:
        print(f"  - {describe(fact)}")
    print(f"Undated (every source is n.d.; re-check by hand): {len(report.undated)}")
    for fact in report.undated:
        print(f"  - {describe(fact)}")
    print(f"Only forum or SEO sources (answers flag them; find a stronger source): {len(report.weak)}")
    for fact, flag in report.weak:
        print(f"  - ({flag}) {describe(fact)}")
    return 1 if args.strict and report.stale else 0
