"""/payrate: a member reports the hourly pay they actually earned on a platform."""

from __future__ import annotations

from bot.core.declarations import Choice, Command, Param, ParamKind
from bot.core.i18n import N_, _
from bot.core.model import Invocation, Reply
from bot.features.knowledge import parse_currency
from bot.features.knowledge.models import format_date
from bot.features.knowledge.platforms import platform_for, platform_param
from bot.features.reports import pay as pay_stats
from bot.features.reports.recording import ROLE_TIERS
from commands.report import acknowledgement


async def payrate(
    inv: Invocation, platform: str, amount: float, currency: str, role: str | None = None, project: str | None = None
) -> Reply:
    """Record an hourly pay figure."""
    ref = platform_for(inv, platform)
    recorded, usd, rates_date = await inv.app.reports.record_payrate(
        inv.actor, inv.place.community_key, ref.id, amount, currency, inv.now, role=role, project=project
    )
    code = parse_currency(currency)
    tier = " " + _("as {role}").format(role=role) if role else ""
    when = format_date(rates_date.isoformat())
    converted = "" if code == "USD" else " " + _("(about {usd} at ECB reference rates of {date})").format(
        usd=f"${usd:,.2f}", date=when)
    return acknowledgement(
        ref.name, recorded,
        extra=" " + _("{amount} {code} an hour").format(amount=f"{amount:g}", code=code) + f"{converted}{tier}. "
        + _("It joins the crowd median /pay shows once at least {count} members have reported.").format(
            count=pay_stats.MIN_SHOWN),
    )


COMMANDS = (
    Command(
        name="payrate",
        description=N_("Report the hourly pay you actually earned on a platform"),
        handler=payrate,
        params=(
            platform_param(N_("The platform, e.g. dataannotation"), example="dataannotation"),
            Param("amount", N_("What you earned per hour of work"), kind=ParamKind.NUMBER, min_value=0.01,
                  example="20"),
            Param("currency", N_("Currency code, e.g. USD, EUR, GBP, INR"), max_length=12, example="USD"),
            Param("role", N_("Your role tier"), required=False,
                  choices=tuple(Choice(k, label) for k, label in ROLE_TIERS.items())),
            Param("project", N_("The project, if you want to name it"), required=False, max_length=60),
        ),
        examples=("/payrate dataannotation 20 USD", "/payrate outlier 25 USD specialist"),
        help=N_("Report pay per hour of work, after the platform's fees. One figure per person per month counts; "
        "a newer one replaces it."),
    ),
)
