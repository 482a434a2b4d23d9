"""A seeded scenario for the web tests: a drought on Outlier, tasks flowing on DataAnnotation, projects ended (one
named by three members, one by a single member with text that must never appear), pay and payment reports, notes
on reports, private-chat reports and a moderator's community note, all filed through the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.model import Actor, Place, Platform
from bot.wiring import App

GROUP = Place(Platform.CONSOLE, "webgroup", "general", is_private=False)
PRIVATE = Place(Platform.CONSOLE, None, None, is_private=True)
SHOWN_PROJECT = "Falcon"
# One member's free text: a name, a phone number and a link. It must never reach the public page.
SECRET_PROJECT = "Jane Roe 555-0100 evil.example"
NOTES = ("call me on 555-0199 Jane Roe", "my email is roe@example.com", "private chat note xyzzy")
MOD_NOTE = "moderators only: the referral spammer is back"


@dataclass
class Seeded:
    """What the scenario put in, so tests can look for it in every response."""

    members: list[Actor] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)  # strings no public response may contain


def member(i: int) -> Actor:
    """A distinct member with a recognisable id and display name."""
    return Actor(Platform.CONSOLE, f"webmember{i:02d}", f"Webmember Display{i:02d}")


async def _run(app: App, name: str, args: dict, actor: Actor, place: Place) -> None:
    reply = await app.dispatcher.dispatch(name, args, actor, place)
    assert not reply.is_error, reply.plain_text()


async def seed(app: App, clock) -> Seeded:
    """File the scenario at the clock's time, then move it 40 minutes on (a drought must hold 30 minutes)."""
    seeded = Seeded(members=[member(i) for i in range(12)])
    people = seeded.members
    for i, person in enumerate(people[:5]):
        note = NOTES[i] if i < 2 else None
        await _run(app, "report", {"platform": "outlier", "what": "drought", **({"note": note} if note else {})},
                   person, GROUP)
    for person in people[5:8]:
        await _run(app, "report", {"platform": "dataannotation", "what": "tasks_back"}, person, GROUP)
    for person in people[8:11]:
        await _run(app, "report", {"platform": "outlier", "what": "project_ended", "project": SHOWN_PROJECT},
                   person, GROUP)
    await _run(app, "report", {"platform": "outlier", "what": "project_ended", "project": SECRET_PROJECT,
                               "note": NOTES[2]}, people[11], PRIVATE)
    for i, person in enumerate(people[:6]):
        await _run(app, "payrate", {"platform": "outlier", "amount": str(18 + i), "currency": "USD"}, person, GROUP)
    for person in people[6:9]:
        await _run(app, "report", {"platform": "outlier", "what": "paid_on_time"}, person, GROUP)
    await _run(app, "report", {"platform": "outlier", "what": "paid_late"}, people[9], PRIVATE)
    moderator = Actor(Platform.CONSOLE, "webmod", "Webmod Display", is_moderator=True)
    await _run(app, "note", {"platform": "outlier", "text": MOD_NOTE}, moderator, GROUP)
    clock.advance(timedelta(minutes=40))
    await app.availability.refresh_all()
    hashes = [row[0] for row in await app.db.fetchall("SELECT DISTINCT reporter FROM reports")]
    seeded.forbidden = [*NOTES, MOD_NOTE, SECRET_PROJECT, "555-0100", "evil.example", "webgroup", "webmod",
                        "Webmod Display", *(p.user_id for p in people), *(p.display_name for p in people), *hashes]
    return seeded
