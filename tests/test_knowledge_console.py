"""The issue's "Done when" lines, typed into the real console as a user would."""

from __future__ import annotations

from tests.cli_support import queuewatch

SCAM = "Hi! I'm a recruiter from DataAnnotation on WhatsApp, deposit 50 USDT to unlock your tasks"
LINES = [
    "/legit toloka",
    "/pay telus uk",
    "/legit dataanotation",
    "/legit acme-ai-jobs",
    f"/scamcheck {SCAM}",
    "is outlier legit?",
    "how much does TELUS pay in the UK?",
    "does dataannotation pay for the assessment?",
    "when does appen pay out?",
    f"is this a scam: {SCAM}",
]


def test_done_when_lines_in_the_console(tmp_path) -> None:
    result = queuewatch("console", cwd=tmp_path, stdin="\n".join(LINES) + "\n",
                        DATABASE_URL=f"sqlite:///{tmp_path / 'q.db'}")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    expected_in_order = [
        "Is Toloka legit? Legit, with risks", "https://support.toloka.help/",
        "What TELUS Digital pays (reported)", "United Kingdom", "£12.",
        "Is DataAnnotation legit? Legit, with risks",
        "I don't know a platform called “acme-ai-jobs”", "Scam warning signs",
        "This message shows the signs of a task scam", "Warning signs found (3)",
        "Is Outlier legit? Caution", "https://www.inc.com/",
        "What TELUS Digital pays (reported)",
        "Does DataAnnotation pay for assessments and onboarding?", "Qualification tests are unpaid.",
        "How and when Appen / CrowdGen pays", "monthly on the 14th",
        "Scam check", "This message shows the signs of a task scam",
    ]
    position = 0
    for text in expected_in_order:
        found = out.find(text, position)
        assert found >= 0, f"{text!r} missing after position {position}"
        position = found + len(text)
    assert out.count("Sources:") >= 9
