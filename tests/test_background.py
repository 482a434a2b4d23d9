"""Background services keep going after a failed round and stop cleanly."""

from __future__ import annotations

import asyncio
import logging

from bot.core.background import PeriodicService


class Flaky(PeriodicService):
    name = "flaky"
    retry_seconds = 0.0

    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0
        self.done = asyncio.Event()

    async def run_once(self) -> float:
        self.rounds += 1
        if self.rounds == 1:
            raise RuntimeError("first round fails")
        if self.rounds == 3:
            self.done.set()
        return 0.0


async def test_a_failed_round_is_logged_and_the_loop_goes_on(caplog) -> None:
    service = Flaky()
    with caplog.at_level(logging.ERROR):
        await service.start()
        await asyncio.wait_for(service.done.wait(), timeout=5)
        await service.stop()
    assert service.rounds >= 3
    assert "flaky round failed" in caplog.text
    rounds = service.rounds
    await asyncio.sleep(0.01)
    assert service.rounds == rounds  # stopped means stopped
