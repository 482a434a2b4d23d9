"""Platform names: fuzzy matching, "did you mean" buttons, and autocomplete."""

from __future__ import annotations

import pytest

from bot.core.errors import NotFound
from bot.features.knowledge.matching import matcher
from bot.features.knowledge.platforms import all_platforms, find_platform, get_platform, platform_autocomplete


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dataannotation", "dataannotation"), ("DataAnnotation", "dataannotation"), ("DA", "dataannotation"),
        ("data annotation", "dataannotation"), ("dataanotation", "dataannotation"),
        ("dataannotation.tech", "dataannotation"), ("https://www.dataannotation.tech/jobs", "dataannotation"),
        ("Lionbridge", "telus"), ("TELUS International", "telus"), ("telus", "telus"), ("CrowdGen", "appen"),
        ("MTurk", "mturk"), ("amazon mechanical turk", "mturk"), ("outlir", "outlier"), ("outlier.ai", "outlier"),
        ("prolfic", "prolific"), ("Welo Data", "welocalize"), ("remotask", "remotasks"), ("scale ai", "scaleai"),
        ("click worker", "clickworker"), ("handshake", "handshake"), ("mind rift", "mindrift"),
    ],
)
def test_names_aliases_domains_and_misspellings_find_the_platform(typed: str, expected: str) -> None:
    assert matcher().match(typed).platform_id == expected


def test_a_near_miss_gives_suggestions_and_an_unknown_name_gives_none() -> None:
    near = matcher().match("telsu")
    assert near.platform_id is None and near.suggestions[0] == "telus"
    assert matcher().match("acme-ai-jobs").suggestions == ()
    assert matcher().match("zz").platform_id is None  # short words only match exactly


def test_a_look_alike_domain_is_not_taken_for_the_platform() -> None:
    found = matcher().match("dataannotation.cc")
    assert found.platform_id is None and found.suggestions == ("dataannotation",)
    assert "dataannotation.tech" in found.note
    assert matcher().lookalike("data-annotation.org") == "dataannotation"
    assert matcher().lookalike("dataannotation.tech") is None


def test_platform_names_in_a_sentence() -> None:
    assert matcher().find_in_text("is outlier legit?") == ["outlier"]
    assert matcher().find_in_text("how much does TELUS pay in the UK?") == ["telus"]
    # In the order they are named, so "DA or outlier" answers about DA first and offers outlier next.
    assert matcher().find_in_text("Outlier's pay vs data annotation") == ["outlier", "dataannotation"]
    assert matcher().find_in_text("data annotation vs outlier") == ["dataannotation", "outlier"]


def test_platform_refs_and_ids(app) -> None:
    refs = all_platforms(app)
    assert len(refs) == 21 and refs[0].id == "dataannotation"
    assert get_platform(app, "telus").name == "TELUS Digital"
    assert get_platform(app, "nope") is None
    assert find_platform(app, "Lionbridge").id == "telus"


def test_find_platform_suggests_buttons_that_rerun_the_same_command(app) -> None:
    with pytest.raises(NotFound) as caught:
        find_platform(app, "telsu", command="pay", args={"country": "uk"})
    assert "Did you mean TELUS Digital?" in caught.value.message
    button = caught.value.buttons[0]
    assert (button.command, button.args) == ("pay", {"country": "uk", "platform": "telus"})
    with pytest.raises(NotFound) as caught:
        find_platform(app, "telsu")
    assert caught.value.buttons[0].command == "platform"  # the old call shape still works


def test_an_unknown_platform_offers_the_scam_checklist(app) -> None:
    with pytest.raises(NotFound) as caught:
        find_platform(app, "acme-ai-jobs")
    assert "acme-ai-jobs" in caught.value.message and "scam" in caught.value.message
    assert [b.command for b in caught.value.buttons] == ["scamcheck", "platforms"]


async def test_autocomplete_returns_at_most_25_best_first(app) -> None:
    everything = await platform_autocomplete(app, "")
    assert len(everything) == 21 and len(everything) <= 25
    tel = await platform_autocomplete(app, "tel")
    assert tel[0].value == "telus" and tel[0].label == "TELUS Digital"
    assert (await platform_autocomplete(app, "mtu"))[0].value == "mturk"
    assert (await platform_autocomplete(app, "lion"))[0].value == "telus"
    assert await platform_autocomplete(app, "qqqqqqq") == []
