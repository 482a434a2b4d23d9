"""/digest_setup: when and where this community's weekly digest is posted (moderators)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import process

from bot.core.clock import unix
from bot.core.declarations import Access, Choice, Command, Param, ParamKind
from bot.core.errors import BadArgument, quoted
from bot.core.i18n import N_
from bot.core.model import Invocation, Platform, Reply
from bot.features.digest import settings as digest_settings
from bot.features.digest.schedule import WEEKDAYS, describe_schedule

TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
REGIONS = {"africa", "america", "antarctica", "asia", "atlantic", "australia", "europe", "indian", "pacific"}
ZONE_EXAMPLES = "Europe/London, America/New_York, Asia/Kolkata, Africa/Lagos, Asia/Manila or UTC"


def parse_time(text: str) -> str:
    """A time of day such as 9, 09:00, 9:30pm or 21:30, as "HH:MM"; BadArgument otherwise."""
    match = TIME.match(text.strip())
    hour = minute = -1
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").lower()
        if suffix and not 1 <= hour <= 12:
            hour = -1
        elif suffix:
            hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BadArgument(f"{quoted(text)} is not a time of day.", hint="Use 24-hour HH:MM, e.g. 09:00 or 18:30.")
    return f"{hour:02d}:{minute:02d}"


def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones() if "/" in name or name == "UTC"}


def parse_timezone(text: str) -> str:
    """An IANA time zone name (any case), e.g. Europe/London; BadArgument with suggestions otherwise."""
    zones = _zones()
    wanted = text.strip().replace(" ", "_").lower()
    if wanted in ("utc", "gmt", "z"):
        return "UTC"
    if wanted in zones:
        ZoneInfo(zones[wanted])  # only names from the tz database get this far
        return zones[wanted]
    regional = [name for name in zones if name.split("/")[0] in REGIONS]
    close = [zones[m] for m, _score, _i in process.extract(wanted, regional, limit=3, score_cutoff=70)]
    hint = (f"Did you mean {' or '.join(close)}? " if close else "") + f"Examples: {ZONE_EXAMPLES}."
    raise BadArgument(
        f"{quoted(text)} is not a time zone I know. Use an IANA Region/City name (abbreviations such as BST or EST "
        "change meaning with daylight saving).",
        hint=hint,
    )


async def digest_setup(inv: Invocation, weekday: str, time: str, timezone: str, channel: str | None = None) -> Reply:
    """Save the digest schedule and channel for this community."""
    local_time = parse_time(time)
    zone = parse_timezone(timezone)
    place = inv.place
    notes = []
    if place.platform is Platform.DISCORD and channel:
        channel_id, where = channel.strip().strip("<#>"), f"<#{channel.strip().strip('<#>')}>"
    else:
        channel_id = place.channel_id or place.community_id or ""
        where = "this channel" if place.platform is Platform.DISCORD else "this chat"
        if channel and place.platform is not Platform.DISCORD:
            notes.append("Here the digest always goes to the chat you set it up in, so I used this chat.")
    settings = digest_settings.DigestSettings(
        community=place.community_key or "", platform=str(place.platform), channel_id=channel_id,
        weekday=WEEKDAYS.index(weekday), local_time=local_time, timezone=zone, enabled=True,
        disabled_reason=None, disabled_at=None, updated_at=unix(inv.now),
    )
    await digest_settings.save(inv.app, settings)
    return Reply(
        title="Weekly digest scheduled",
        blocks=[f"I'll post the digest in {where} {describe_schedule(settings, inv.now)}.", *notes,
                "/digest_preview shows what it will look like; /digest_post posts one now; /digest_off stops it."],
        ephemeral=True,
    )


DAY_LABELS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
              N_("Sunday"))

COMMANDS = (
    Command(
        name="digest_setup",
        description=N_("Schedule this community's weekly digest: day, time, time zone and channel"),
        handler=digest_setup,
        params=(
            Param("weekday", N_("The day of the week to post on"),
                  choices=tuple(Choice(d, label) for d, label in zip(WEEKDAYS, DAY_LABELS, strict=True))),
            Param("time", N_("Local time of day, 24-hour HH:MM"), example="09:00", max_length=10),
            Param("timezone", N_("IANA time zone, e.g. Europe/London or America/New_York"), example="Europe/London",
                  max_length=64),
            Param("channel", N_("Channel to post in (default: this one)"), kind=ParamKind.CHANNEL, required=False),
        ),
        access=Access.MODERATOR,
        examples=("/digest_setup monday 09:00 Europe/London", "/digest_setup friday 18:30 America/New_York"),
        help=N_("The digest covers the seven days before it is posted: what changed, the status of each platform "
             "with reports, pay medians that moved, and a chart. It is posted at most once per ISO week."),
    ),
)
