"""The start's objects are kept out of full garbage collections; what is made later is still collected."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
from bot.core import memory
import bot.wiring  # the libraries and tables a start loads
alive = len(gc.get_objects())
frozen = memory.freeze_start()
walked = len(gc.get_objects())  # what a full collection walks now

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after the start: garbage once dropped
del a, b
print(json.dumps({"alive": alive, "frozen": frozen, "walked": walked, "collected": gc.collect()}))
"""


def test_the_start_is_frozen_and_later_cycles_are_still_collected() -> None:
    # In a process of its own: freezing this one would change every other test's collections.
    found = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    figures = json.loads(found.stdout)
    assert figures["frozen"] >= figures["alive"] * 0.9  # nearly everything alive at the start
    assert figures["walked"] < figures["alive"] * 0.1  # so a full collection walks little of it
    assert figures["collected"] >= 2  # the two nodes of the later cycle
