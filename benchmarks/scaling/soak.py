"""The scale benchmark's soak: a real `queuewatch run` on the generated database, driven through the loopback
Telegram fake (tests/telegram_fake.py) by commands from members who keep arriving; CPU (/proc/<pid>/stat) and
RSS of the last 2,000 commands against the first 2,000.

Reports go to the member's group (so the brigading guard sees communities and newcomers); /status and /pay go
to private chats. The bot paces its own replies (30 a second overall, 20 a minute per group), so the commands
are fed as it answers, at most OUTSTANDING ahead.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

from tests.telegram_fake import TOKEN, FakeBotApi, group_chat, private_chat, user

WINDOW = 2_000  # commands compared at the start and at the end
GROUPS = 100
OUTSTANDING = 60  # commands sent but not yet answered
START_TIMEOUT = 120.0
STALL = 10.0  # seconds without a reply before the rest of a window is given up on
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid: int) -> float:
    """Resident memory of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def commands(total: int, members: int, platforms: list[str]) -> list[tuple[int, str, bool]]:
    """(member, text, in their group) for each command. Members arrive in blocks over the whole run; a block's
    members take turns, so each sends its commands a block's length apart, within every rate limit (a limited
    member's repeated "slow down" is not sent, and would leave a command unanswered)."""
    rng = random.Random(20)
    busy = platforms[:10]
    each = max(1, total // members)
    block = min(members, 100)
    plan = []
    for j in range(total):
        first = j // (each * block) * block
        member = min(members - 1, first + j % block)
        platform = rng.choice(busy)
        roll = rng.random()
        if roll < 0.5:
            plan.append((member, f"/report {platform} {rng.choice(('drought', 'drought', 'tasks_back'))}", True))
        elif roll < 0.6:
            plan.append((member, "/status", False))
        elif roll < 0.8:
            plan.append((member, f"/status {platform}", False))
        else:
            plan.append((member, f"/pay {platform}", False))
    return plan


class Answers:
    """Counts the bot's delivered messages as the fake records them (without rescanning the record)."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake
        self._seen = 0
        self.count = 0

    def update(self) -> int:
        calls = self.fake.calls
        for call in calls[self._seen:]:
            self.count += call.method in ("sendMessage", "sendPhoto") and call.status == 200
        self._seen = len(calls)
        return self.count

    async def reach(self, target: int) -> int:
        """Wait until `target` messages were delivered, or no more come for STALL seconds; how many are missing."""
        last, since = self.update(), time.monotonic()
        while self.update() < target:
            if self.count != last:
                last, since = self.count, time.monotonic()
            elif time.monotonic() - since > STALL:
                print(f"    (no reply for {STALL:.0f} s with {target - self.count} unanswered; going on)")
                return target - self.count
            await asyncio.sleep(0.02)
        return 0


async def soak(path: Path, platforms: list[str], total: int, members: int) -> dict[str, float]:
    """Run the soak; the CPU-per-command ratio (last / first window) and RSS growth in percent."""
    window = min(WINDOW, total // 2)
    fake = await FakeBotApi(group_limit=None).start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "QUEUEWATCH_"))}
    env.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url, LOG_LEVEL="WARNING",
               DATABASE_URL=f"sqlite:///{path}", QUEUEWATCH_SECRET="benchmark-secret-0123456789",
               QUEUEWATCH_FX_URL="")
    log = path.with_suffix(".log")  # a file, not a pipe: a pipe no one reads would stall the bot once full
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "run", env=env,
                                                       cwd=path.parent, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=stderr)
    try:
        await fake.wait_for(lambda: fake.of("getUpdates"), timeout=START_TIMEOUT)
        answers = Answers(fake)
        fake.message(private_chat(1), user(1), "/help")  # started: the first refresh and imports are behind us
        await answers.reach(1)
        plan = commands(total, members, platforms)
        marks: dict[str, tuple[float, float, float]] = {}
        started = time.perf_counter()
        base = answers.update()
        unanswered = 0  # commands that got no message (counted once the bot has gone quiet for STALL seconds)
        for j, (member, text, in_group) in enumerate(plan):
            for mark, at in (("start", 0), ("first", window), ("last", total - window)):
                if j == at:  # every command before this one answered: the window's CPU is its own
                    unanswered += await answers.reach(base + j - unanswered)
                    marks[mark] = (cpu_seconds(process.pid), rss_mib(process.pid), time.monotonic())
            if j - unanswered - (answers.update() - base) >= OUTSTANDING:
                unanswered += await answers.reach(base + j - unanswered - OUTSTANDING // 2)
            uid = 10_000 + member
            chat = group_chat(-1001000000 - member % GROUPS) if in_group else private_chat(uid)
            fake.message(chat, user(uid, f"Member{member}"), text)
            if j and j % 5000 == 0:
                print(f"    {j:,} commands sent, {answers.count - base:,} answered, "
                      f"{time.perf_counter() - started:.0f} s, RSS {rss_mib(process.pid):.0f} MiB", flush=True)
        unanswered += await answers.reach(base + total - unanswered)
        end = (cpu_seconds(process.pid), rss_mib(process.pid), time.monotonic())
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        logged = log.read_text(errors="replace").splitlines()
        problems = [line for line in logged if " ERROR " in line or " WARNING " in line]
        if problems:
            print(f"    the bot logged {len(problems)} warnings or errors, e.g. {problems[0][:200]}")
            kept = Path(tempfile.gettempdir()) / "queuewatch-soak.log"
            kept.write_text("\n".join(logged))
            print(f"    the bot's log is kept in {kept}")
        await fake.close()
    first_cpu = (marks["first"][0] - marks["start"][0]) / window
    last_cpu = (end[0] - marks["last"][0]) / window
    first_rss, last_rss = marks["first"][1], end[1]
    seconds = end[2] - marks["start"][2]
    print(f"  {total:,} commands in {seconds:.0f} s ({total / seconds:.1f}/s, the bot paces its replies); "
          f"{unanswered} unanswered")
    print(f"  CPU per command: first {window:,} {first_cpu * 1000:.2f} ms, last {window:,} {last_cpu * 1000:.2f} ms "
          f"-> {last_cpu / first_cpu:.2f}x (target <= 1.5x)")
    print(f"  RSS: after the first {window:,} {first_rss:.0f} MiB, at the end {last_rss:.0f} MiB "
          f"-> {(last_rss / first_rss - 1) * 100:+.1f}%, {last_rss - first_rss:+.0f} MiB (target: growth under 10% "
          f"and under 100 MiB)")
    return {"soak_cpu_ratio": last_cpu / first_cpu, "soak_rss_growth_pct": (last_rss / first_rss - 1) * 100}
