"""One central error classifier: every failure becomes a friendly reply, never a traceback."""

from __future__ import annotations

import logging
import secrets
import unicodedata

from bot.core.i18n import N_, _
from bot.core.model import Button, Reply

log = logging.getLogger(__name__)

ECHO_LIMIT = 100  # an error repeats at most this many characters of what the member typed
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shorten(text: object) -> str:
    """Member input fit to repeat in an error: at most ECHO_LIMIT characters, without control characters."""
    # A bidi override or a newline inside the echo would scramble the rest of the reply.
    shown = "".join(ch for ch in str(text).strip()
                    if ch not in BIDI_CONTROLS and unicodedata.category(ch) != "Cc")
    return shown if len(shown) <= ECHO_LIMIT else shown[:ECHO_LIMIT - 1] + "…"


def quoted(text: object) -> str:
    """Member input in quotes for an error message, shortened like `shorten`."""
    return f"“{shorten(text)}”"


class StartupError(Exception):
    """The bot cannot start for a reason the operator must fix (a rejected token, an unusable database)."""


class StorageUnavailable(Exception):
    """The store could not do what was asked (busy past the retry window, disk full, read-only).

    Raised by storage; `str()` is for the operator's log, `reason` picks what the member is told.
    """

    def __init__(self, detail: str, reason: str = "busy", writing: bool = True) -> None:
        super().__init__(detail)
        self.reason = reason
        self.writing = writing


STORAGE_REASONS = {"busy": N_("busy"), "full": N_("out of disk space"), "read-only": N_("read-only"),
                   "unavailable": N_("unavailable")}


class UserError(Exception):
    """A problem the user can fix; its message is shown to them as is."""

    title = N_("That didn't work")

    def __init__(self, message: str, hint: str | None = None, buttons: list[Button] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.buttons = buttons or []


class BadArgument(UserError):
    """An argument is missing, malformed or out of range."""

    title = N_("Check the command")


class NotFound(UserError):
    """The thing asked about does not exist."""

    title = N_("Not found")


class NotAllowed(UserError):
    """The actor may not run this command here."""

    title = N_("Not allowed")


class RateLimited(UserError):
    """The actor is sending too much, too fast."""

    title = N_("Slow down")


def classify(exc: BaseException, command: str | None = None) -> Reply:
    """Turn any exception from a handler into a reply; unexpected ones are logged with an id."""
    if isinstance(exc, UserError):
        blocks = [exc.message] + ([exc.hint] if exc.hint else [])
        return Reply(title=_(exc.title), blocks=blocks, buttons=exc.buttons, ephemeral=True, is_error=True)
    if isinstance(exc, StorageUnavailable):
        return _storage_reply(exc, command)
    error_id = secrets.token_hex(4)
    log.error("unexpected error %s in command %s", error_id, command, exc_info=exc)
    # We do not know how far the command got, so say neither that it was saved nor that it was lost.
    return Reply(
        title=_("Something went wrong on our side"),
        blocks=[
            _("Sorry, that failed unexpectedly (error id {error_id}). If it was meant to save something, "
              "check whether it did before sending it again. If it keeps happening, tell a moderator and quote the "
              "id.").format(error_id=error_id)
        ],
        ephemeral=True,
        is_error=True,
    )


def _storage_reply(exc: StorageUnavailable, command: str | None) -> Reply:
    """The truthful reply when the store refused: what failed was not kept (or could not be read)."""
    log.warning("storage unavailable in command %s: %s", command, exc)
    state = _(STORAGE_REASONS.get(exc.reason, "unavailable"))
    if exc.writing:
        title = _("Not saved")
        text = _("Not saved: the bot's database is {state} right now. Please send it again in a minute.")
    else:
        title = _("Try again in a minute")
        text = _("The bot's database is {state} right now, so I couldn't look that up. Please try again in a "
                 "minute.")
    text = text.format(state=state)
    return Reply(title=title, blocks=[text], ephemeral=True, is_error=True)
