"""No token ever reaches the log."""

from __future__ import annotations

import logging

from bot.logs import RedactingFilter


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("x", logging.INFO, __file__, 1, message, args, None)


def test_known_secrets_and_token_shapes_are_masked() -> None:
    f = RedactingFilter(["my-discord-token"])
    record = _record("POST %s/sendMessage with %s", "https://api.telegram.org/bot123456:" + "A" * 35,
                     "my-discord-token")
    f.filter(record)
    text = record.getMessage()
    assert "my-discord-token" not in text and "AAAA" not in text
    assert text == "POST https://api.telegram.org/bot***/sendMessage with ***"


def test_secrets_in_exception_text_are_masked() -> None:
    f = RedactingFilter(["s3cret-value"])
    try:
        raise ValueError("bad token s3cret-value")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    f.filter(record)
    assert "s3cret-value" not in record.exc_text and "***" in record.exc_text
