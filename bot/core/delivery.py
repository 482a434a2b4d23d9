"""What the outbox needs from each platform adapter to deliver a message it was not asked for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.model import Reply

# Awaited by a Sender after each part of a message is delivered, with the number of parts delivered so far
# (counting from the first part of the whole message, not from `first_part`). The outbox records it before
# the next part goes, so a retry resumes after the last part that arrived. If it raises, send no more parts.
PartSent = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Destination:
    """Where to deliver: a channel or group chat, or a person's private chat (direct message)."""

    platform: str  # a bot.core.model.Platform value
    kind: Literal["channel", "user"]
    id: str


@dataclass(frozen=True)
class Origin:
    """Who queued a message: the kind of sender (e.g. "digest") and its own reference (e.g. a community).

    When delivery to a destination fails for good, the handler registered for the kind is told, with the ref.
    """

    kind: str
    ref: str


class DeliveryError(Exception):
    """Delivery failed."""


class RetryableDeliveryError(DeliveryError):
    """A passing failure that surely did not deliver (429, 5xx, no connection): try again later, after
    `retry_after` seconds if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UncertainDeliveryError(DeliveryError):
    """The request went out but no answer came (a timeout, a dropped connection): it may have arrived."""


class PermanentDeliveryError(DeliveryError):
    """Delivery can never succeed (bot removed, member blocked the bot, channel deleted)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    """An adapter that can post a Reply to a Destination on its platform.

    A reply may go out as several platform messages (parts: e.g. a photo, then text messages). The sender
    skips the parts before `first_part` (delivered by an earlier attempt) and awaits `part_sent` after each
    part it delivers.
    """

    async def send(self, destination: Destination, reply: Reply, first_part: int = 0,
                   part_sent: PartSent | None = None) -> None:
        """Deliver the parts from `first_part` on, or raise Retryable-, Uncertain- or PermanentDeliveryError."""
        ...
