"""Lines from the console's input: CR, LF and CRLF all end one, and an over-long line is skipped, not kept."""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

MAX_LINE = 4096  # characters, as in a Telegram message
CHUNK = 65536


@dataclass(frozen=True)
class TooLong:
    """A line longer than MAX_LINE, of which only the length was kept."""

    length: int

    def refusal(self) -> str:
        """The one line the console answers instead."""
        return (f"That line is {self.length} characters long; the console reads lines of at most {MAX_LINE} "
                "characters, so I skipped it.")


def read_lines(stream: TextIO, limit: int = MAX_LINE) -> Iterator[str | TooLong]:
    """Each line of the stream (without its ending), or TooLong; memory stays bounded by `limit`."""
    decoder = io.IncrementalNewlineDecoder(_byte_decoder(stream), translate=True)
    parts: list[str] = []
    length = 0
    for chunk, final in _chunks(stream):
        text = decoder.decode(chunk, final=final)
        *ended, tail = text.split("\n")
        for piece in ended:
            length += len(piece)
            if length <= limit:
                parts.append(piece)
                yield "".join(parts)
            else:
                yield TooLong(length)
            parts, length = [], 0
        length += len(tail)
        if length <= limit:
            parts.append(tail)
        else:
            parts = []
    if length > limit:
        yield TooLong(length)
    elif length:
        yield "".join(parts)


def _byte_decoder(stream: TextIO) -> codecs.IncrementalDecoder | None:
    """A decoder for the stream's bytes (undecodable ones become U+FFFD), or None when it yields text."""
    if _descriptor(stream) is None:
        return None
    return codecs.getincrementaldecoder(getattr(stream, "encoding", None) or "utf-8")(errors="replace")


def _descriptor(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _chunks(stream: TextIO) -> Iterator[tuple[bytes | str, bool]]:
    """What arrives, as soon as it arrives, ending with an empty final chunk."""
    # os.read on the descriptor, not the buffered stream: it returns whatever a terminal or pipe has ready,
    # and holds no lock that would stop the interpreter from exiting while this waits.
    fd = _descriptor(stream)
    while True:
        chunk = os.read(fd, CHUNK) if fd is not None else stream.read(CHUNK)
        if not chunk:
            yield chunk, True
            return
        yield chunk, False
