"""The console as a user pipes into it: huge lines, any line ending, SIGTERM, and no rate limit on a script."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

from tests.cli_support import clean_env, queuewatch

REFUSAL = "lines of at most 4096 characters"  # the console's one-line refusal of an over-long line
ABOUT = "About queuewatch"


def _console(tmp_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=tmp_path, env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}"),
    )


def _read_until(process: subprocess.Popen, marker: bytes, timeout: float) -> bytes:
    """Read the console's output until `marker` appears (in a thread, so a hung console cannot hang the test)."""
    seen = bytearray()
    found = threading.Event()

    def read() -> None:
        while not found.is_set():
            chunk = process.stdout.read1(65536)
            if not chunk:
                return
            seen.extend(chunk)
            if marker in seen:
                found.set()

    threading.Thread(target=read, daemon=True).start()
    found.wait(timeout)
    assert found.is_set(), f"no {marker!r} within {timeout} s; got {bytes(seen[-300:])!r}"
    return bytes(seen)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_two_megabyte_line_is_refused_in_one_line_within_seconds(tmp_path) -> None:
    started = time.monotonic()
    result = queuewatch("console", cwd=tmp_path, stdin="/legit " + "a" * 2_000_000 + "\n/about\n", timeout=30)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 10, f"took {elapsed:.1f} s"
    first, _, rest = result.stdout.partition("\n")
    assert REFUSAL in first and "a" * 50 not in first
    assert ABOUT in rest and "a" * 100 not in result.stdout


def test_the_longest_line_allowed_is_run_and_one_more_character_is_refused(tmp_path) -> None:
    longest = "/scamcheck " + "a" * (4096 - len("/scamcheck "))
    result = queuewatch("console", cwd=tmp_path, stdin=f"{longest}\n{longest}a\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(REFUSAL) == 1
    assert "at most 2000 are allowed" in result.stdout  # the first reached /scamcheck, which says why


def test_cr_lf_and_crlf_all_end_a_line(tmp_path) -> None:
    result = queuewatch("console", cwd=tmp_path, stdin="/help about\r/about\r/platforms\r\n/help legit\n/about")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "no command called" not in out and "Too many arguments" not in out, out[:500]
    assert out.count(ABOUT) == 2  # /about twice; /help about shows the command's help, not its answer
    assert "/about" in out and "Platforms I know" in out and "/legit" in out


def test_a_hundred_piped_commands_are_not_rate_limited(tmp_path) -> None:
    result = queuewatch("console", cwd=tmp_path, stdin="/about\n" * 100)
    assert result.returncode == 0, result.stderr
    assert "very fast" not in result.stdout
    assert result.stdout.count(ABOUT) == 100


def test_sigterm_ends_a_waiting_console_promptly(tmp_path) -> None:
    process = _console(tmp_path)
    try:
        process.stdin.write(b"/about\n")
        process.stdin.flush()
        _read_until(process, ABOUT.encode(), timeout=20)
        process.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 3
    finally:
        _stop(process)


def test_sigterm_ends_the_console_promptly_right_after_a_huge_line(tmp_path) -> None:
    process = _console(tmp_path)
    try:
        process.stdin.write(b"/about\n")
        process.stdin.flush()
        _read_until(process, ABOUT.encode(), timeout=20)  # started and answering
        process.stdin.write(b"/legit " + b"a" * 2_000_000 + b"\n")
        process.stdin.flush()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        _stop(process)


def test_bytes_that_are_not_utf8_get_an_answer(tmp_path) -> None:
    process = subprocess.run([sys.executable, "-m", "bot.cli", "console"], input=b"/legit \xff\xfe\n/about\n",
                             capture_output=True, cwd=tmp_path, timeout=30,
                             env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}", LANG="C.UTF-8"))
    out = process.stdout.decode()
    assert process.returncode == 0 and "Traceback" not in out + process.stderr.decode()
    assert "I don't know a platform called" in out and ABOUT in out

