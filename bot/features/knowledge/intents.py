"""The intent router for plain questions: ordered rules over words, platform names and web addresses.

No network and no model. The rules run from the most specific signal to the least: another language, a pasted
message, a web address, a recruiter or channel, then what is asked (tax, worth it, payments, projects, the
queue, ID checks, onboarding, payouts, pay, legitimacy), and only then a bare platform name. A platform name
never decides what is asked; it only says what it is asked about. tests/test_intent_corpus.py measures the
rules on a labelled corpus of members' phrasings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from rapidfuzz.distance import Levenshtein

from bot.features.knowledge.foreign import LOCALE_OF, hits, to_english
from bot.features.knowledge.language import language_of
from bot.features.knowledge.loader import knowledge_base
from bot.features.knowledge.matching import compact, matcher
from bot.features.knowledge.scams import scan
from bot.features.knowledge.wages import DOTTED, country_forms

LONG_MESSAGE = 150  # a pasted text this long is checked for scam signs rather than read as a question
LANGUAGE_SAMPLE = 400  # the language of a text is told from its start
SLANG = {"tda": "DA"}  # community nicknames the knowledge base does not list as aliases ("The DA")
ROLES = {"generalist": "generalist", "generalists": "generalist", "specialist": "specialist",
         "specialists": "specialist", "expert": "expert", "experts": "expert", "reviewer": "reviewer",
         "reviewers": "reviewer"}
SAFE_SHORT = {"uk"}  # two-letter country words that are never ordinary English words
ORDINARY_WORDS = {"polish", "kiwi", "brit"}  # country words that are ordinary words in a sentence
# The word after a nationality that makes it a language: "german speakers", "spanish tasks".
LANGUAGE_USE = re.compile(r"speakers?|speaking|language|languages|native|translations?|translators?|tasks?|"
                          r"projects?|writing|writers?|text|texts", re.IGNORECASE)


def _words(*phrases: str) -> re.Pattern[str]:
    """A pattern matching any of the phrases as whole words, plural too (spaces match spaces or hyphens)."""
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in phrases)
    return re.compile(rf"(?<![\w$£€])(?:{alternatives})s?(?![\w])", re.IGNORECASE)


LEGIT = _words("legit", "legitimate", "scam", "scams", "scammy", "fake", "real", "trust", "trustworthy", "safe",
               "fraud", "sketchy", "genuine", "reliable", "ponzi", "shady", "trusted", "official")
SCAM_PREFIX = re.compile(r"^(.{0,60}?\b(scam|legit|fake|real|check)\b.{0,20}?)[:\n]\s*(?P<message>.+)$",
                         re.IGNORECASE | re.DOTALL)
NAME_IN_LEGIT = re.compile(r"\b(?:is|are)\s+(?P<name>[\w.\-]+(?:\s[\w.\-]+)?)\s+(?:a\s+)?"
                           r"(?:legit|legitimate|scam|real|safe|fake|trustworthy)\b", re.IGNORECASE)
NOT_NAMES = {"this", "it", "that", "they", "these", "there", "the", "my", "a", "an", "he", "she", "your", "their"}
SIGNS = _words("spot", "sign", "signs", "avoid", "recognise", "recognize", "tell", "red flag", "red flags",
               "warning", "tips", "look like", "know if", "know when")
SCAMMY = _words("scam", "scams", "scammer", "scammers", "scammed", "fake", "fraud")

# Where a question came from: a recruiter, or a messaging app or social network instead of the platform's site.
CHANNEL = _words("telegram", "whatsapp", "whats app", "linkedin", "dm", "dms", "discord", "facebook", "instagram",
                 "signal", "sms", "text me", "texted", "messaged", "wechat", "tiktok")
RECRUITER = _words("recruiter", "recruiters", "recruiting", "recruitment", "hiring manager", "headhunter",
                   "hires for", "contacted me", "reached out", "job offer", "offered me")
HR = re.compile(r"(?<!per )(?<![/\d])\bhr\b", re.IGNORECASE)  # a recruiter, not "$20 per hr"

TAX = _words("tax", "taxes", "taxed", "taxable", "1099", "1099-nec", "1099-k", "w-9", "w9", "w-8ben", "hmrc",
             "irs", "self assessment", "self-assessment", "trading allowance", "withheld", "withholding",
             "national insurance")
TAX_GB = _words("hmrc", "self assessment", "trading allowance", "national insurance")
TAX_US = _words("irs", "1099", "1099-nec", "1099-k", "w-9", "w9")
WORTH = re.compile(r"\bworth\b|\bpros and cons\b|\bdown ?sides?\b|\bmake a living\b|\bquit my (day )?job\b|"
                   r"\bgood side (gig|hustle|job)\b|\bwaste of time\b", re.IGNORECASE)

PAYMENT = _words("paid", "pay", "paying", "payment", "payments", "payout", "payouts", "pays", "money", "paycheck")
LATE = _words("late", "delayed", "delay", "overdue")
MISSING = re.compile(r"\b(never (paid|arrived|came|got paid)|(haven'?t|havent|have not|still not|not yet|never) "
                     r"(been )?(received|gotten|got)|didn'?t pay|did not pay|hasn'?t paid|owes? me|"
                     r"payment (is )?missing|missing (my )?(payment|pay|payout)|no payment|not paid|unpaid "
                     r"(balance|invoice|earnings))\b", re.IGNORECASE)
ON_TIME = re.compile(r"\bon time\b", re.IGNORECASE)
RELIABILITY = _words("on time", "late", "delayed", "everyone", "everybody", "anyone", "anybody", "people", "guys",
                     "reliable", "reliably", "reliability", "issues", "issue", "problems", "record", "actually",
                     "stiff", "lately", "this week", "this month", "today", "yet", "else")

PROJECT = re.compile(r"\bprojects?\b", re.IGNORECASE)
PROJECT_END = _words("ended", "ending", "end", "over", "cancelled", "canceled", "shut down", "killed", "closed",
                     "finished", "gone", "offboarded")
PROJECT_PAUSE = _words("paused", "pause", "on hold", "halted", "suspended")
PROJECT_NAME = re.compile(r"\b(?i:project|proj)\s+(?P<name>[A-Z][\w-]{1,40}(?:\s[A-Z][\w-]{1,40})?)")

DRY = _words("eq", "dry", "drought", "dried up", "dried", "empty", "dead", "nothing", "zero tasks", "no tasks",
             "no work", "no projects", "no studies", "no hits", "no task", "slow", "down", "dry spell")
QUEUE = _words("queue", "queues", "tasks", "task", "studies", "hits", "work", "projects", "eq", "dashboard",
               "situation", "status")
BACK = re.compile(r"\b(back|again|finally|flowing|full|new projects?|bunch of|got (a |some )?(tasks|work|projects))\b",
                  re.IGNORECASE)
NEGATIVE = _words("no", "not", "zero", "nothing", "empty", "dry", "dead", "eq", "still no", "without", "dried")
AVAILABLE = re.compile(r"\b(any|anyone|anybody|any1|getting|seeing|got|have|has|there)\b.{0,30}"
                       r"\b(tasks?|work|projects?|studies|hits)\b", re.IGNORECASE)
HOW_TODAY = re.compile(r"^\W*(how|hows|how's|how is)\b.*\b(today|tonight|rn|right now|atm|this week|looking)\b",
                       re.IGNORECASE)

ID_CHECK = _words("id", "ids", "identity", "passport", "selfie", "kyc", "verification", "verify", "verified",
                  "license", "licence", "background check", "background checks", "ssn", "id check")
ASSESS = _words("assessment", "assessments", "test", "tests", "exam", "exams", "qualification", "qualifications",
                "qual", "quals", "onboarding", "training", "trainings", "interview", "screening", "assesment",
                "assessement", "skills test")
GENRE = re.compile(r"\b(ai|llm|rlhf|data)[\s-]+(training|trainer|trainers|tutor|tutors)\b", re.IGNORECASE)
PAYWORDS = _words("pay", "pays", "paid", "unpaid", "paying", "compensated", "compensate", "money", "free")
PAYOUT = _words("payout", "payouts", "schedule", "paypal", "payoneer", "withdraw", "withdrawal", "cash out",
                "weekly", "monthly", "payday", "method", "methods", "stripe", "wise", "invoice", "how often",
                "how long", "how fast", "what day", "bank", "transfer", "deel", "tipalti", "dollars", "euros",
                "pounds", "currency", "usd", "gbp", "eur")
PAYOUT_ASKED = _words("paypal", "payoneer", "stripe", "wise", "bank", "method", "withdraw", "withdrawal", "how long",
                      "how often", "how fast", "what day", "schedule", "weekly", "monthly", "dollars", "euros",
                      "currency")  # how the money comes, not whether it came
PAYOUT_HOW = re.compile(r"\bhow (do|does|will|did) (\w+ ){0,3}(pay|get paid)\b(?! (much|more|per|well|better))|"
                        r"\b(how|when)\b.{0,40}\b(get paid|get my money|paid out|pay out|my money|money hits)\b|"
                        r"\bwhen (do|does|will|is) .{0,30}\b(pay|paid)\b(?! (much|more))", re.IGNORECASE)
AMOUNT = _words("much", "rate", "rates", "hourly", "salary", "earn", "earning", "earnings", "wage", "wages",
                "per hour", "per task", "an hour", "a hour", "make", "income", "payrate", "better", "more than",
                "any good", "well")
MONEY_FIGURE = re.compile(r"[$£€]\s?\d|\d\s?(/h|/hr|usd|eur|gbp)\b|\bper (hour|hr|task)\b", re.IGNORECASE)
WAGE = re.compile(r"\b(minimum|min|living|national living)\s+(hourly\s+)?wage\b", re.IGNORECASE)
LIST = re.compile(r"\b(which|what|list|all|known|other)\b.*\b(platforms?|sites|companies|websites)\b|"
                  r"\b(platforms?|sites|companies)\b.*\b(know|list|cover|info)\b", re.IGNORECASE)
SITE = _words("website", "websites", "site", "url", "domain", "address", "link", "web address", "homepage")
COUNTRIES = re.compile(r"\bcountr(y|ies)\b|\b(from|available in|accept\w*|still in|people in|based in|live in|"
                       r"work (for \w+ )?from)\b", re.IGNORECASE)
GREETING = re.compile(r"^\W*(hi+|hello+|hey+|yo|gm|good (morning|evening|night|bot)|thanks?|thank you|thx|ty|"
                      r"ok(ay)?|cool|nice|lol|help|start|menu|commands?)\b", re.IGNORECASE)
ABOUT_BOT = re.compile(r"\b(what (can|do) you do|commands|use this bot|this bot|how does this work|you know)\b",
                       re.IGNORECASE)
PROFILE = re.compile(r"^\W*(tell me about|info on|information on|about|what is|what's|whats|who owns|who runs|"
                     r"who is behind|what kind of work|what do they do|what work)\b", re.IGNORECASE)
QUESTION_START = re.compile(
    r"^\W*(is|are|am|any|anyone|anybody|any1|does|do|did|has|have|how|hows|how's|what|whats|what's|wats|when|"
    r"where|which|who|why|can|could|will|would|should|r|u|status)\b", re.IGNORECASE)
QUESTION_INSIDE = re.compile(r"\b(just me|for everyone|for u guys|for you guys|anyone else|or nah|or not)\b",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    """What a plain question asks, and about what."""

    kind: str  # legit, pay, assessment, payout, payment_record, status, report, id_check, countries, domain,
    #            impersonation, tax, worth_it, profile, platforms, scamcheck, scam_signs, wage, unknown_name,
    #            need_platform, other_language, unknown, help
    platform: str | None = None
    country: str | None = None
    role: str | None = None
    message: str = ""  # scamcheck: the message; unknown_name: the name; need_platform: the topic;
    #                    other_language: the language
    also: tuple[str, ...] = ()  # further platforms named, in order
    report: str | None = None  # report: the kind of report the statement offers to record
    domain: str | None = None  # domain: the web address asked about
    project: str | None = None  # report about a project: its name, when the sentence gives one
    language: str | None = None  # asked in Spanish ("es") or Portuguese ("pt_BR"): the locale to answer in


@dataclass(frozen=True)
class Clues:
    """What the rules look at: the text, its platforms, country, role, addresses, and whether it asks."""

    text: str
    platforms: tuple[str, ...]
    country: str | None
    role: str | None
    hosts: tuple[str, ...]
    asks: bool

    def about(self, kind: str, **extra: str | None) -> Intent:
        """An intent of this kind about the platforms found, if any."""
        platform, *also = self.platforms or (None,)
        return Intent(kind, platform, self.country, self.role, also=tuple(also), **extra)

    def needs(self, kind: str) -> Intent:
        """An intent about one platform, or "which platform?" when none is named."""
        return self.about(kind) if self.platforms else Intent("need_platform", country=self.country, message=kind)


def words_of(text: str) -> list[str]:
    """Lower-case words of a text."""
    return re.findall(r"[a-z0-9$£€']+", text.lower())


def country_in(text: str) -> str | None:
    """A country named in a sentence ("in the UK", "U.S.", "Germany", "german", "the united kingdom"), as a code.

    Exact names, codes and aliases first (longest first); then a misspelt country name ("germny", "untied
    kingdom") within one edit, two for long names. A two-letter code counts only when it cannot be an
    ordinary word ("UK", "the US"), and a nationality only when it is not about a language ("german speakers").
    """
    kb = knowledge_base()
    original = re.findall(r"[^\W\d_]+", DOTTED.sub(lambda m: m.group().replace(".", ""), text))
    words = [w.lower() for w in original]
    forms = country_forms(kb)
    for size in (4, 3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            code = forms.get(phrase)
            if code is None or (size == 1 and phrase in ORDINARY_WORDS):
                continue
            short = len(phrase) <= 2
            after_the = start > 0 and words[start - 1] == "the"
            if short and not (phrase in SAFE_SHORT or original[start].isupper() or after_the):
                continue
            rest = " ".join(words[start + size:start + size + 1])
            if size == 1 and LANGUAGE_USE.fullmatch(rest):
                continue
            return code
    names = {country.name.lower(): country.code for country in kb.countries.values()}
    for size in (2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            if len(phrase) < 6 or phrase in forms:  # a known word was judged above
                continue
            allowed = 1 if len(phrase) < 8 else 2
            for name, code in names.items():
                if Levenshtein.distance(phrase, name, score_cutoff=allowed) <= allowed:
                    return code
    return None


@cache
def platform_words() -> frozenset[str]:
    """Every single word that is a platform's name or alias (never counted as another language's word)."""
    names = set()
    for pid, info in knowledge_base().platforms.items():
        for name in (pid, info.name, *info.aliases):
            names.update(w.lower() for w in re.findall(r"[^\W\d_]+", name))
    return frozenset(names | set(SLANG))


def _clues(text: str) -> Clues:
    named = re.sub(r"\b(" + "|".join(SLANG) + r")\b", lambda m: SLANG[m.group(1).lower()], text, flags=re.I)
    plain = GENRE.sub(" ", named)  # "AI training jobs" is the kind of work, not a platform's training
    hosts = tuple(dict.fromkeys(matcher().domains_in_text(text)))
    platforms = list(matcher().find_in_text(plain))
    for host in hosts:
        found = matcher().match(host)
        pid = found.platform_id or (found.suggestions[0] if found.suggestions else None)
        if pid and pid not in platforms:
            platforms.insert(0, pid)
    country = country_in(text)
    if country is None and TAX.search(text):
        country = "GB" if TAX_GB.search(text) or "£" in text else "US" if TAX_US.search(text) else None
    role = next((ROLES[w] for w in words_of(text) if w in ROLES), None)
    asks = text.rstrip().endswith("?") or bool(QUESTION_START.search(text) or QUESTION_INSIDE.search(text))
    return Clues(plain, tuple(platforms), country, role, hosts, asks)


def classify(text: str) -> Intent:
    """Decide what a plain message asks."""
    stripped = text.strip()
    if not stripped:
        return Intent("help")
    language = language_of(stripped[:LANGUAGE_SAMPLE], ignore=platform_words())
    if language in LOCALE_OF:
        locale = LOCALE_OF[language]
        other = next(code for code in LOCALE_OF.values() if code != locale)
        if hits(stripped, other) > hits(stripped, locale):  # Spanish and Portuguese share many stopwords
            locale = other
        return _in_language(stripped, locale)
    if language:
        platform, *also = matcher().find_in_text(stripped) or [None]
        return Intent("other_language", platform, message=language, also=tuple(also))
    intent = _route(stripped)
    if intent.kind in WEAK:  # a short question in Spanish or Portuguese the stopwords did not give away
        scores = {locale: hits(stripped, locale) for locale in LOCALE_OF.values()}
        locale = max(scores, key=lambda code: scores[code])
        if scores[locale] and (found := _in_language(stripped, locale)).kind not in WEAK:
            return found
    return intent


WEAK = {"unknown", "help", "profile"}  # what the English rules say when they found no topic


def _in_language(text: str, locale: str) -> Intent:
    """A question in Spanish or Portuguese: its key phrases read in English, routed, answered in its language."""
    intent = (Intent("scamcheck", message=text) if len(text) >= LONG_MESSAGE else
              _route(to_english(text, locale, platform_words())))
    if intent.kind == "scamcheck":  # the pasted message is checked as written, or as read in English if that shows more
        prefixed = SCAM_PREFIX.match(text)
        message = prefixed.group("message").strip() if prefixed else text
        english = to_english(message, locale, platform_words())
        intent = replace(intent, message=english if len(scan(english).findings) > len(scan(message).findings)
                         else message)
    return replace(intent, language=locale)


def _route(stripped: str) -> Intent:
    """Route an English (or rewritten) question by the rules."""
    prefixed = SCAM_PREFIX.match(stripped)
    if prefixed and len(prefixed.group("message")) > 20:
        return Intent("scamcheck", message=prefixed.group("message").strip())
    if len(stripped) >= LONG_MESSAGE or (len(stripped) > 60 and scan(stripped).high):
        return Intent("scamcheck", message=stripped)
    clues = _clues(stripped)
    for rule in RULES:
        intent = rule(clues)
        if intent is not None:
            return intent
    return _fallback(clues)


def _domain(c: Clues) -> Intent | None:
    if c.hosts:
        return c.about("domain", domain=c.hosts[0])
    if c.platforms and SITE.search(c.text) and (LEGIT.search(c.text) or "which" in c.text.lower()):
        return c.about("domain")
    return None


def _impersonation(c: Clues) -> Intent | None:
    if c.platforms and (CHANNEL.search(c.text) or RECRUITER.search(c.text) or HR.search(c.text)):
        return c.about("impersonation")
    return None


def _tax(c: Clues) -> Intent | None:
    if TAX.search(c.text) or re.search(r"\bdeclare\b.{0,30}\b(income|earnings|money)\b", c.text, re.I):
        return c.about("tax")
    return None


def _worth_it(c: Clues) -> Intent | None:
    return c.about("worth_it") if WORTH.search(c.text) else None


def _payments(c: Clues) -> Intent | None:
    text = c.text
    if re.search(r"\bpayment record\b", text, re.I):
        return c.needs("payment_record")
    if not PAYMENT.search(text) and not MISSING.search(text):
        return None
    if c.asks:
        if RELIABILITY.search(text) and not AMOUNT.search(text) and not PAYOUT_ASKED.search(text):
            return c.needs("payment_record")
        return None
    if MISSING.search(text):
        kind = "payment_missing"
    elif LATE.search(text):
        kind = "paid_late"
    elif ON_TIME.search(text):
        kind = "paid_on_time"
    else:
        return None
    return c.about("report", report=kind) if c.platforms else Intent("need_platform", message="report")


def _project(c: Clues) -> Intent | None:
    if not PROJECT.search(c.text) or c.asks:
        return None
    kind = "project_paused" if PROJECT_PAUSE.search(c.text) else "project_ended" if PROJECT_END.search(c.text) else None
    if kind is None:
        return None
    named = PROJECT_NAME.search(c.text)
    project = named.group("name") if named and named.group("name").lower() not in platform_words() else None
    return c.about("report", report=kind, project=project) if c.platforms else None


def _queue(c: Clues) -> Intent | None:
    text = c.text
    dry = bool(DRY.search(text))
    back = bool(BACK.search(text)) and bool(QUEUE.search(text) or re.search(r"\b(is|are) back\b", text, re.I))
    if re.search(r"\b(eq|dry|dead|empty|no tasks)\b[^.]*\bagain\b|\bagain\b[^.]*\b(eq|dry|dead|empty)\b", text, re.I):
        back = False  # "EQ again" is a drought again, not tasks again
    if back and NEGATIVE.search(text) and not re.search(r"\btasks? (are )?back\b", text, re.I):
        back = False
    talk = dry or back or AVAILABLE.search(text) or re.search(r"\bqueue\b|\bstatus\b|\bsituation\b", text, re.I) \
        or (c.platforms and HOW_TODAY.search(text))
    if not talk:
        return None
    if dry and not (QUEUE.search(text) or c.platforms or re.search(r"\beq\b|\bdrought\b", text, re.I)):
        return None
    if c.asks:
        return c.about("status")
    if not c.platforms:
        return Intent("status")
    return c.about("report", report="tasks_back" if back and not dry else "drought")


def _id_check(c: Clues) -> Intent | None:
    return c.needs("id_check") if ID_CHECK.search(c.text) else None


def _assessment(c: Clues) -> Intent | None:
    if ASSESS.search(c.text) and PAYWORDS.search(c.text):
        return c.needs("assessment")
    return None


def _payout(c: Clues) -> Intent | None:
    text = c.text
    if AMOUNT.search(text) and re.search(r"\bmuch\b|\brate\b|\bhourly\b", text, re.I):
        return None
    if PAYOUT_HOW.search(text) or (PAYOUT.search(text) and (PAYWORDS.search(text) or re.search(
            r"\bpayouts?\b|\bpaypal\b|\bpayoneer\b|\bwithdraw\w*\b|\bcash out\b|\bpayday\b|\bmethods?\b", text, re.I))):
        return c.needs("payout")
    return None


def _wage(c: Clues) -> Intent | None:
    if WAGE.search(c.text) and not c.platforms:
        return Intent("wage", country=c.country) if c.country else Intent("need_platform", message="wage")
    return None


def _pay(c: Clues) -> Intent | None:
    text = c.text
    if MONEY_FIGURE.search(text) or (AMOUNT.search(text) and (PAYWORDS.search(text) or re.search(
            r"\bmuch\b|\brates?\b|\bhourly\b|\bsalary\b|\bearn\w*\b|\bwages?\b|\bincome\b", text, re.I))):
        return c.needs("pay")
    return None


def _pays(c: Clues) -> Intent | None:
    """A platform and a pay word with nothing more specific ("what does outlier pay in the UK")."""
    return c.about("pay") if PAYWORDS.search(c.text) and c.platforms else None


def _legit(c: Clues) -> Intent | None:
    if not LEGIT.search(c.text):
        return None
    if c.platforms:
        return c.about("legit")
    named = NAME_IN_LEGIT.search(c.text)
    if named and named.group("name").lower().split()[0] not in NOT_NAMES:
        return Intent("unknown_name", message=named.group("name"))
    return Intent("scam_signs")


def _scam_signs(c: Clues) -> Intent | None:
    return Intent("scam_signs") if SIGNS.search(c.text) and SCAMMY.search(c.text) else None


def _platforms(c: Clues) -> Intent | None:
    return Intent("platforms") if LIST.search(c.text) and not c.platforms else None


def _countries(c: Clues) -> Intent | None:
    if c.platforms and (c.country or re.search(r"\bcountr(y|ies)\b", c.text, re.I)) and COUNTRIES.search(c.text):
        return c.about("countries")
    return None


RULES = (_domain, _impersonation, _tax, _worth_it, _payments, _project, _queue, _id_check, _assessment, _payout,
         _wage, _pay, _legit, _countries, _pays, _scam_signs, _platforms)


def _fallback(c: Clues) -> Intent:
    """No topic found: a bare platform name is a profile; a greeting gets help; anything else is unknown."""
    content = [w for w in words_of(c.text) if compact(w) not in platform_words() and w not in {"the", "a", "an"}]
    if c.platforms and (PROFILE.search(c.text) or len(content) <= 1):
        return c.about("profile")
    if not c.platforms and (GREETING.search(c.text) or ABOUT_BOT.search(c.text) or not content):
        return Intent("help")
    return c.about("unknown")
