"""Public posts in the community's language, direct messages in the member's: a digest in a community set to
pt_BR, and an alert said in each recipient's language."""

from __future__ import annotations

from bot.core.i18n import use_locale
from bot.core.model import Actor, Place, Platform
from tests.moderation_helpers import crowd, file
from tests.support.digest_fakes import FakeSender, manual_outbox

COMMUNITY = Place(Platform.CONSOLE, "brasil", "geral", is_private=False)
MOD = Actor(Platform.CONSOLE, "mod", "Mod", is_moderator=True)


async def test_a_digest_in_a_community_set_to_pt_br(app, clock) -> None:
    await app.dispatcher.dispatch_line("/community_language pt_BR", MOD, COMMUNITY)
    for reporter in crowd("r", 3):
        await file(app, reporter, COMMUNITY, "drought", platform="outlier")
    clock.advance(hours=2)
    sender = FakeSender(clock)
    app.senders["console"] = sender
    # The moderator's own replies stay in their language (English here); the post is the community's.
    posted = await app.dispatcher.dispatch_line("/digest_post", MOD, COMMUNITY)
    assert posted.title == "Digest posted"
    await manual_outbox(app, clock).run_once()
    [(_destination, digest, _at)] = sender.delivered
    text = digest.plain_text()
    assert digest.title.startswith("Resumo semanal · ")
    for words in ("O que mudou nesta semana", "Status agora", "Outlier: seca provável", "3 relatos de 3 pessoas",
                  "Relatos nesta semana", "em todas as comunidades", "Relatos da comunidade de todos os grupos"):
        assert words in text, (words, text)
    assert "Weekly digest" not in text and "Status now" not in text
    if digest.image is not None:
        assert digest.image.alt_text.startswith("Gráfico de barras empilhadas")


async def test_the_digest_preview_shows_the_post_in_the_communitys_language(app) -> None:
    await app.dispatcher.dispatch_line("/community_language es", MOD, COMMUNITY)
    preview = await app.dispatcher.dispatch_line("/digest_preview", MOD, COMMUNITY)
    assert preview.private and preview.title.startswith("Resumen semanal · ")


async def test_an_alert_is_said_in_the_channels_and_each_members_language(app, clock) -> None:
    from bot.features.alerts.alerts import AlertEvent, _payment_words

    await app.dispatcher.dispatch_line("/community_language es", MOD, COMMUNITY)
    await app.dispatcher.dispatch_line("/alerts_here on", MOD, COMMUNITY)
    ana = Actor(Platform.CONSOLE, "ana", "Ana")
    await app.dispatcher.dispatch_line("/settings language pt_BR", ana, COMMUNITY)
    await app.dispatcher.dispatch_line("/subscribe outlier", ana, Place(Platform.CONSOLE, None, None, True))
    words = _payment_words("Outlier", 4)
    with use_locale("en"):  # as the alert scan builds them
        event = AlertEvent("payment_problems:outlier:test", "payment_problems", "outlier", *words()[:2],
                           int(clock.now().timestamp()), words=words)
    assert event.title == "Outlier: payment problems rising"
    sender = FakeSender(clock)
    app.senders["console"] = sender
    assert await app.alerts.announce(event, clock.now()) == 2
    await manual_outbox(app, clock).run_once()
    by_kind = {destination.kind: reply for destination, reply, _at in sender.delivered}
    assert by_kind["channel"].title == "Outlier: aumentan los problemas de pago"
    assert "4 miembros reportaron pagos atrasados" in by_kind["channel"].plain_text()
    assert by_kind["user"].title == "Outlier: problemas de pagamento aumentando"
    assert [b.label for b in by_kind["user"].buttons] == ["Status ao vivo", "Parar estes alertas"]
