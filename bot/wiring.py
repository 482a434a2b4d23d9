"""The one place that builds the application: database, secret, the FEATURES list, registry and services.

Nothing else wires anything: features and commands receive the App built here, explicitly (as
`invocation.app` or a constructor argument), and never keep app state in module-level globals.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import commands.about
import commands.alerts_here
import commands.community_language
import commands.digest_off
import commands.digest_post
import commands.digest_preview
import commands.digest_setup
import commands.forget
import commands.help
import commands.legit
import commands.mod_bar
import commands.mod_elsewhere
import commands.mod_here_again
import commands.mod_hide
import commands.mod_log
import commands.mod_not_here
import commands.mod_reports
import commands.mod_unbar
import commands.mod_unhide
import commands.myreports
import commands.note
import commands.onboarding
import commands.pay
import commands.payrate
import commands.platform
import commands.platforms
import commands.report
import commands.retract
import commands.scamcheck
import commands.settings
import commands.sources
import commands.status
import commands.subscribe
import commands.subscriptions
import commands.unsubscribe
from bot.core.clock import Clock, SystemClock
from bot.core.declarations import Command
from bot.core.dispatcher import Dispatcher
from bot.core.feature import Feature, Person
from bot.core.metrics import Metrics
from bot.core.registry import Registry
from bot.features import buttons, languages
from bot.features.alerts import subscriptions
from bot.features.alerts.alerts import Alerts, alert_scan_service
from bot.features.availability import brigading, trust
from bot.features.availability.status import Availability, availability_service
from bot.features.digest import settings as digest_settings
from bot.features.digest.activity import activity_service
from bot.features.digest.schedule import Scheduler, scheduler_service
from bot.features.knowledge import preferences, questions
from bot.features.knowledge.fx import FxRates, fx_service
from bot.features.moderation import actions as moderation
from bot.features.reports import recording
from bot.features.reports.pay import pay_section
from bot.features.reports.reliability import reliability_section
from bot.hashkey import KeyChain, KeyFile, load_keys
from bot.outbox.outbox import Outbox, OutboxService
from storage.buttons import ButtonPayloads
from storage.coordination import Coordination, LocalCoordination, open_coordination

if TYPE_CHECKING:
    from bot.core.delivery import Sender
    from bot.settings import Settings
    from storage.database import Database

async def _forget_availability(app: App, person: Person) -> list[tuple[str, int]]:
    """Availability keeps a trust record and first-report times."""
    return [*await trust.forget_trust(app, person), *await brigading.forget_first_seen(app, person)]


PERSON_KEYS_KEPT = 20_000  # keyed hashes of recent members kept in memory (the least recent go first)
UNLINKED_KEYS_KEPT = 100_000  # trust's penalty keys of recent reporters (as many as trust.WEIGHT_CACHE_SIZE)
FEATURES: tuple[Feature, ...] = (
    Feature("help", commands=(*commands.help.COMMANDS, *commands.about.COMMANDS, *commands.forget.COMMANDS)),
    Feature("knowledge", commands=(*commands.legit.COMMANDS, *commands.platform.COMMANDS,
                                   *commands.platforms.COMMANDS, *commands.pay.COMMANDS,
                                   *commands.scamcheck.COMMANDS, *commands.settings.COMMANDS,
                                   *commands.sources.COMMANDS),
            data_kept=preferences.DATA_KEPT, forget=preferences.forget_settings,
            personal_tables=("member_settings",), services=(fx_service,)),
    Feature("reports", commands=(*commands.report.COMMANDS, *commands.retract.COMMANDS,
                                 *commands.myreports.COMMANDS, *commands.payrate.COMMANDS,
                                 *commands.onboarding.COMMANDS),
            data_kept=recording.DATA_KEPT, forget=recording.forget_reports,
            personal_tables=("reports", "reporter_activity")),  # (the activity goes with the reports, by triggers)
    Feature("availability", commands=commands.status.COMMANDS, data_kept=(*trust.DATA_KEPT, *brigading.DATA_KEPT),
            forget=_forget_availability, personal_tables=("reporter_trust", "reporter_first_seen"),
            services=(availability_service, trust.trust_service)),
    Feature("moderation", commands=(*commands.mod_reports.COMMANDS, *commands.mod_hide.COMMANDS,
                                    *commands.mod_unhide.COMMANDS, *commands.mod_bar.COMMANDS,
                                    *commands.mod_unbar.COMMANDS, *commands.mod_log.COMMANDS,
                                    *commands.note.COMMANDS, *commands.mod_not_here.COMMANDS,
                                    *commands.mod_here_again.COMMANDS, *commands.mod_elsewhere.COMMANDS),
            data_kept=moderation.DATA_KEPT, forget=moderation.forget_moderation,
            personal_tables=("moderation_log", "reporter_bars", "community_notes")),
    Feature("digest", commands=(*commands.digest_setup.COMMANDS, *commands.digest_off.COMMANDS,
                                *commands.digest_post.COMMANDS, *commands.digest_preview.COMMANDS),
            data_kept=digest_settings.DATA_KEPT, forget=digest_settings.forget_digest_actions,
            personal_tables=("digest_settings",),
            give_up=((digest_settings.SCHEDULED, digest_settings.digest_undeliverable),
                     (digest_settings.MANUAL, digest_settings.manual_post_undeliverable)),
            services=(scheduler_service, activity_service)),
    Feature("alerts", commands=(*commands.subscribe.COMMANDS, *commands.unsubscribe.COMMANDS,
                                *commands.subscriptions.COMMANDS, *commands.alerts_here.COMMANDS),
            data_kept=subscriptions.DATA_KEPT, forget=subscriptions.forget_subscriptions,
            personal_tables=("subscriptions", "outbox"), services=(alert_scan_service,),
            give_up=(("alerts", subscriptions.channel_undeliverable), ("sub", subscriptions.member_undeliverable))),
    Feature("buttons", data_kept=buttons.DATA_KEPT, forget=buttons.forget_button_payloads,
            personal_tables=("button_payloads",), services=(buttons.button_expiry_service,)),
    Feature("languages", commands=commands.community_language.COMMANDS),
    Feature("outbox", services=(OutboxService,)),
)


def all_commands(features: tuple[Feature, ...] = FEATURES) -> list[Command]:
    """Every command of every feature: /help first, then by name."""
    found = [command for feature in features for command in feature.commands]
    return sorted(found, key=lambda c: (c.name != "help", c.name))


def load_registry() -> Registry:
    """The registry of every declared command."""
    return Registry(all_commands())


class App:
    """The running application: settings, clock, database, registry, the features and their services."""

    def __init__(self, settings: Settings, db: Database, registry: Registry, clock: Clock, keys: KeyChain,
                 features: tuple[Feature, ...] = FEATURES) -> None:
        self.settings = settings
        self.db = db
        self.registry = registry
        self.clock = clock
        self.features = features
        self._keys = keys
        self._person_key = lru_cache(maxsize=PERSON_KEYS_KEPT)(keys.person_key)
        self._unlinked_key = lru_cache(maxsize=UNLINKED_KEYS_KEPT)(keys.seal)  # 3 us each, for every reporter weighed
        # What this process agrees with the others sharing the database (one-process jobs, send limits).
        self.coordination: Coordination = LocalCoordination()
        self.metrics = Metrics()  # counted by the dispatcher, recording, the outbox and the digest; served on /metrics
        # Adapters register themselves here when they start, so the outbox can deliver through them.
        self.senders: dict[str, Sender] = {}
        # The bot's own username per platform, once an adapter learns it (deep links, mentions).
        self.bot_usernames: dict[str, str] = {}
        # Crowd sections /legit and /pay show after the knowledge-base facts.
        self.legit_sections = (reliability_section, moderation.note_section)
        self.pay_sections = (pay_section,)
        self.button_payloads = ButtonPayloads(db)
        self.languages = languages.LanguageChoices(clock)
        # The exchange rates conversions use: the newest fetched ECB table, else the shipped one.
        self.fx = FxRates(self)
        # The services, one instance each.
        self.trust = trust.TrustCache(clock)
        self.first_seen = brigading.FirstSeen(self)
        self.bars = moderation.ActiveBars(self)
        self.reports = recording.Reports(self)
        self.availability = Availability(self)
        self.outbox = Outbox(self, give_up={kind: handler for f in features for kind, handler in f.give_up})
        self.alerts = Alerts(self)
        self.scheduler = Scheduler(self)
        self.dispatcher = Dispatcher(self, ask=questions.answer, operators=settings.queuewatch_operators,
                                     metrics=self.metrics,
                                     locale_of=lambda actor, place: languages.reply_locale(self, actor, place))

    def person_key(self, platform: str, user_id: str) -> str:
        """A keyed hash of a person's platform identity; the only way reporters are stored. (Recent ones are
        remembered: a command looks it up more than once, and each HMAC through the chain costs ~30 us.)"""
        return self._person_key(str(platform), user_id)

    def unlinked_key(self, purpose: str, value: str) -> str:
        """A person's keyed hash scrambled for one purpose: it matches nothing else stored, and without the key
        it cannot be computed from the hash, so a record kept under it is linked to nothing. (Reversible with
        the key, so `rekey` can move it along with the hash it stands for.)"""
        return self._unlinked_key(purpose, value)

    def background_services(self) -> list:
        """Every feature's background services, built for this app."""
        return [factory(self) for feature in self.features for factory in feature.services]


async def build_app(settings: Settings, clock: Clock | None = None, registry: Registry | None = None) -> App:
    """Open and migrate the database, load the secret and the commands, and return the app."""
    from storage.database import open_database

    # The URL's scheme picks the backend; a large SQLite file is checked whole in the background while the bot serves.
    db = await open_database(settings.database_url, settings.database_pool_size, serving=True)
    try:
        await db.migrate()
        keys = await load_keys(settings, db, KeyFile(settings.queuewatch_secret_file))
        app = App(settings, db, registry or load_registry(), clock or SystemClock(), keys)
        app.coordination = open_coordination(settings.database_url)
        await app.fx.load()
    except BaseException:
        await db.close()  # an open connection's thread would keep the process from exiting
        raise
    return app
