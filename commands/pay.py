"""/pay <platform> [role] [country]: reported pay, converted, beside the country's minimum wage."""

from __future__ import annotations

from bot.core.declarations import Command, Param
from bot.core.errors import BadArgument, quoted
from bot.core.i18n import N_
from bot.core.model import Invocation, Reply
from bot.features.knowledge.answers import ROLE_LABELS, pay_reply
from bot.features.knowledge.intents import ROLES
from bot.features.knowledge.platforms import platform_for, platform_param
from bot.features.knowledge.preferences import country_and_currency
from bot.features.knowledge.wages import country_named, find_country

ROLE_WORDS = {**ROLES, **{role: role for role in ROLE_LABELS}, "all": "any"}


def split_role_and_country(role: str | None, country: str | None) -> tuple[str | None, str | None]:
    """Sort the optional words into (role, country), in any order: "expert us", "united kingdom", "in the uk".

    Slash-command front ends give two fields and a typed line splits at spaces, so the words are read together:
    the first role word is the role, the rest name the country."""
    words = " ".join(part for part in (role, country) if part).split()
    found_role = next((ROLE_WORDS[w.lower()] for w in words if w.lower() in ROLE_WORDS), None)
    rest = [w for w in words if w.lower() not in ROLE_WORDS] if found_role else words
    found_country = " ".join(rest) or None
    if found_country is not None and country_named(found_country) is None:
        if found_role is None and len(rest) == 1:
            raise BadArgument(
                f"I can't tell what {quoted(found_country)} is: neither a role ({', '.join(ROLE_LABELS)}) nor a "
                "country I know.",
                hint="Usage: /pay <platform> [role] [country], e.g. /pay telus uk or /pay outlier expert "
                "united states",
            )
        find_country(found_country)  # a friendly error now, before any work
    return found_role, found_country


async def pay_command(inv: Invocation, platform: str, role: str | None = None, country: str | None = None) -> Reply:
    """Show reported pay; crowd pay figures join through PAY_EXTRA_SECTIONS."""
    found = platform_for(inv, platform)
    role, country_text = split_role_and_country(role, country)
    country_code, currency = await country_and_currency(inv, country_text)
    return await pay_reply(inv, found.id, role, country_code, currency)


COMMANDS = (
    Command(
        name="pay",
        description=N_("What a platform is reported to pay, converted, next to your minimum wage"),
        handler=pay_command,
        params=(
            platform_param(N_("The platform, e.g. telus or outlier"), example="telus"),
            Param("role", N_("generalist, specialist, expert or reviewer (or a country)"), required=False,
                  max_length=40, example="generalist"),
            Param("country", N_("Your country for the minimum wage, e.g. uk, united states, germany"), required=False,
                  max_length=40, example="uk"),
        ),
        examples=("/pay telus uk", "/pay outlier expert us", "/pay dataannotation"),
        help=N_("Without a country, your saved one (/settings) is used. Pay figures are dated reports, not offers."),
    ),
)
