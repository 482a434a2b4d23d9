"""What /report's per-report work keeps instead of recomputing stays right: the acknowledgement's wording (kept per
locale and report) and ManualClock's monotonic seconds (kept beside its time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import ManualClock
from bot.core.i18n import use_locale
from bot.features.reports.recording import Recorded
from commands.report import acknowledgement

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_an_acknowledgement_kept_in_one_language_is_not_given_in_another() -> None:
    recorded = Recorded("outlier", "drought", "", 6 * 3600)
    with use_locale("es"):
        spanish = acknowledgement("Outlier", recorded)
    english = acknowledgement("Outlier", recorded)
    assert spanish.title == "Gracias, reporte registrado"
    assert english.title == "Thanks, report recorded"
    with use_locale("es"):
        assert acknowledgement("Outlier", recorded).title == spanish.title


def test_an_acknowledgement_says_what_this_report_was() -> None:
    new = acknowledgement("Outlier", Recorded("outlier", "project_ended", "falcon", 14 * 86400, False, "Falcon"))
    again = acknowledgement("Outlier", Recorded("outlier", "project_ended", "falcon", 14 * 86400, True, "Falcon"))
    other = acknowledgement("Appen", Recorded("appen", "project_ended", "hawk", 14 * 86400, False, "Hawk"), note=True)
    assert new.title == "Thanks, report recorded" and again.title == "Updated your earlier report"
    assert "Falcon" in new.plain_text() and "Hawk" in other.plain_text() and "Falcon" not in other.plain_text()
    assert "shown only to moderators" in other.plain_text() and "shown only to moderators" not in new.plain_text()
    new.blocks.append("changed by a caller")  # each reply is its own: a change to one reaches no later one
    assert "changed by a caller" not in acknowledgement(
        "Outlier", Recorded("outlier", "project_ended", "falcon", 14 * 86400, False, "Falcon")).plain_text()


def test_manual_monotonic_time_moves_with_advance_and_set_but_not_with_jump() -> None:
    clock = ManualClock(START)
    start = clock.monotonic()
    clock.advance(minutes=5)
    assert clock.monotonic() == start + 300
    clock.jump(hours=-2)  # the wall clock stepped back: monotonic time stays
    assert clock.monotonic() == start + 300 and clock.now() == START + timedelta(minutes=5, hours=-2)
    clock.advance(seconds=30)
    assert clock.monotonic() == start + 330
    clock.set(START + timedelta(hours=1))
    assert clock.monotonic() == start + 3600 + 7200  # set moves it by the distance from the stepped wall time
