"""The process's operational metrics (Prometheus): one registry per app, counted at the few places that matter.

Commands by name and outcome and their reply latency (the dispatcher), reports ingested (recording), outbox
deliveries by outcome (the outbox), digest posts queued (the scheduler and /digest_post); the outbox backlog and
each adapter's connection state are read when /metrics is scraped. A registry of its own per App (not the
library's global one) keeps apps built side by side in tests apart. Nothing here carries a person or a chat.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Reply latency buckets (seconds): a reply is expected within a second; Discord gives three before it gives up.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters, a latency histogram and gauges, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.commands = Counter("queuewatch_commands", "Commands and questions run, by name and outcome",
                                ("command", "outcome"), registry=registry)
        self._commands: dict[tuple[str, str], Counter] = {}
        self._reports: dict[str, Counter] = {}
        self.reply_seconds = Histogram("queuewatch_reply_seconds", "Seconds from a command's arrival to its reply",
                                       buckets=LATENCY_BUCKETS, registry=registry)
        self.reports = Counter("queuewatch_reports_ingested", "Crowd reports recorded (a repeat counts too), by kind",
                               ("kind",), registry=registry)
        self.deliveries = Counter("queuewatch_outbox_deliveries",
                                  "Outbox sends, by outcome (sent, retry, uncertain, failed)", ("outcome",),
                                  registry=registry)
        self.outbox_backlog = Gauge("queuewatch_outbox_backlog", "Outbox messages waiting to be sent (at scrape time)",
                                    registry=registry)
        self.adapter_connected = Gauge("queuewatch_adapter_connected", "1 while an adapter is connected, else 0",
                                       ("adapter",), registry=registry)
        self.digest_posts = Counter("queuewatch_digest_posts", "Digest posts queued, scheduled or manual", ("kind",),
                                    registry=registry)

    def command_done(self, command: str, outcome: str, seconds: float) -> None:
        """Count one command (or "question") with its outcome and reply latency."""
        key = (command or "question", outcome)
        counter = self._commands.get(key)
        if counter is None:  # labels() costs ~10 us a call; the labelled counters are few (commands x outcomes)
            counter = self._commands[key] = self.commands.labels(*key)
        counter.inc()
        self.reply_seconds.observe(max(0.0, seconds))

    def report_recorded(self, kind: str) -> None:
        """Count one recorded report (a repeat too) of this kind."""
        counter = self._reports.get(kind)
        if counter is None:
            counter = self._reports[kind] = self.reports.labels(kind)
        counter.inc()

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
