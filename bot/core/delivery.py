"""What the outbox needs from each platform adapter to deliver a message it was not asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.model import Reply


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
    """A passing failure (429, 5xx, network): try again later, after `retry_after` seconds if given."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Delivery can never succeed (bot removed, member blocked the bot, channel deleted)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    """An adapter that can post a Reply to a Destination on its platform."""

    async def send(self, destination: Destination, reply: Reply) -> None:
        """Deliver once or raise RetryableDeliveryError / PermanentDeliveryError."""
        ...
