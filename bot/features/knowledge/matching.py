"""Finding platforms by what people type: names, aliases and domains, with rapidfuzz for misspellings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from bot.core.errors import shorten
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.models import KnowledgeBase

SURE = 88  # a single platform scoring this or more is taken as meant
NEAR = 70  # platforms scoring this or more are offered as "did you mean"
SHORT = 3  # names this short (DA, AMT) only ever match exactly
# Not the part of an email address before the @ ("outlier.support@gmail.com" names gmail.com, not a site).
DOMAIN = re.compile(r"\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b(?![\w.-]*@)", re.IGNORECASE)
WORD = re.compile(r"[a-z0-9][a-z0-9.'-]*", re.IGNORECASE)


def compact(text: str) -> str:
    """Lower case with everything but letters and digits removed: "Data-Annotation" -> "dataannotation"."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def host_of(text: str) -> str:
    """The host name in a URL or bare domain, without scheme, "www." and path."""
    host = re.sub(r"^[a-z]+://", "", text.strip().lower()).split("/", 1)[0].split("?", 1)[0]
    return host.removeprefix("www.")


@dataclass(frozen=True)
class Match:
    """The outcome of a lookup: the platform meant, or suggestions, and a note (e.g. a look-alike domain)."""

    platform_id: str | None
    suggestions: tuple[str, ...] = ()
    note: str = ""


class PlatformMatcher:
    """Matches text to platform ids over every platform's id, name, aliases and domains."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.order = list(kb.platforms)
        self.keys: dict[str, str] = {}  # compact name -> platform id
        self.domains: dict[str, str] = {}  # official host -> platform id
        for pid, platform in kb.platforms.items():
            for name in (pid, platform.name, *platform.aliases, *platform.domains):
                self.keys.setdefault(compact(name), pid)
            for domain in platform.domains:
                self.domains[host_of(domain)] = pid
        self.long_keys = [key for key in self.keys if len(key) > SHORT]

    def match(self, text: str) -> Match:
        """The platform a name, alias, domain or near-misspelling means, or suggestions when unsure."""
        wanted = text.strip()
        if not wanted:
            return Match(None)
        exact = self.keys.get(wanted)  # an id as typed (most often, buttons and regulars): no regex, no domain
        if exact is not None:
            return Match(exact)
        host = host_of(wanted)
        if "." in host and " " not in host:
            return self._match_domain(host)
        key = compact(wanted)
        if key in self.keys:
            return Match(self.keys[key])
        if len(key) <= SHORT:
            return Match(None)
        scored = self._scores(key)
        if not scored:
            return Match(None)
        best_id, best = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0
        if best >= SURE and best - runner_up >= 5:
            return Match(best_id)
        return Match(None, tuple(pid for pid, score in scored[:3] if score >= NEAR))

    def _scores(self, key: str) -> list[tuple[str, float]]:
        """Each platform's best score for a compact key, best first."""
        best: dict[str, float] = {}
        for name, score, _index in process.extract(key, self.long_keys, scorer=fuzz.ratio, limit=None):
            pid = self.keys[name]
            best[pid] = max(best.get(pid, 0), score)
        return sorted(best.items(), key=lambda item: (-item[1], self.order.index(item[0])))

    def _match_domain(self, host: str) -> Match:
        if host in self.domains:
            return Match(self.domains[host])
        for domain, pid in self.domains.items():
            if host.endswith("." + domain):
                return Match(pid)
        lookalike = self.lookalike(host)
        if lookalike:
            real = ", ".join(self.kb.platforms[lookalike].domains)
            return Match(None, (lookalike,), note=f"{shorten(host)} is not an address of "
                         f"{self.kb.platforms[lookalike].name} (its site: {real}).")
        return self.match(host.split(".")[0]) if host.split(".")[0] != host else Match(None)

    def lookalike(self, host: str) -> str | None:
        """The platform a host imitates (close to, but not, one of its domains), or None."""
        if host in self.domains or any(host.endswith("." + d) for d in self.domains):
            return None
        label = compact(host.split(".")[-2] if host.count(".") >= 1 else host)
        whole = compact(host.rsplit(".", 1)[0])
        for candidate in {label, whole}:
            if len(candidate) <= SHORT:
                continue
            for domain, pid in self.domains.items():
                stem = compact(domain.rsplit(".", 1)[0])
                if len(stem) > SHORT and (fuzz.ratio(candidate, stem) >= SURE or stem in candidate):
                    return pid
        return None

    def find_in_text(self, text: str) -> list[str]:
        """Platforms named anywhere in a sentence (exact names, or close misspellings of long ones), in the
        order they are first named; longer names win over the words inside them."""
        first: dict[str, int] = {}
        taken: set[int] = set()
        words = [w.strip(".'-").lower() for w in WORD.findall(text)]
        words = [w.removesuffix("'s").removesuffix("’s") for w in words if w]
        for size in (3, 2, 1):
            for start in range(len(words) - size + 1):
                span = set(range(start, start + size))
                if span & taken:
                    continue
                phrase = compact(" ".join(words[start:start + size]))
                pid = self.keys.get(phrase)
                if pid is None and size == 1 and len(phrase) >= 6:
                    close = process.extractOne(phrase, self.long_keys, scorer=fuzz.ratio, score_cutoff=SURE)
                    pid = self.keys[close[0]] if close else None
                if pid is not None:
                    taken |= span
                    first[pid] = min(first.get(pid, start), start)
        return sorted(first, key=first.__getitem__)

    def domains_in_text(self, text: str) -> list[str]:
        """Every domain-looking word in a text."""
        return [host_of(m.group(1)) for m in DOMAIN.finditer(text) if not m.group(1)[0].isdigit()]

    def autocomplete(self, prefix: str, limit: int = 25) -> list[str]:
        """Platform ids best matching a typed prefix, best first, at most `limit`."""
        key = compact(prefix)
        if not key:
            return self.order[:limit]
        best: dict[str, float] = {}
        for name, pid in self.keys.items():
            score = 100.0 if name.startswith(key) else fuzz.partial_ratio(key, name) * 0.9
            best[pid] = max(best.get(pid, 0), score)
        ranked = sorted(self.order, key=lambda pid: (-best.get(pid, 0), self.order.index(pid)))
        return [pid for pid in ranked if best.get(pid, 0) >= 50][:limit]


@cache
def matcher() -> PlatformMatcher:
    """The matcher over the shipped knowledge base."""
    return PlatformMatcher(knowledge_base())
