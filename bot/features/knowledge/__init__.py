"""The knowledge base: sourced, dated facts about platforms, minimum wages, exchange rates and scam signs."""

from bot.features.knowledge.loader import KnowledgeError, knowledge_base, load_knowledge
from bot.features.knowledge.money import KNOWN_CURRENCIES, convert, format_money, parse_currency, to_usd

__all__ = [
    "KNOWN_CURRENCIES",
    "KnowledgeError",
    "convert",
    "format_money",
    "knowledge_base",
    "load_knowledge",
    "parse_currency",
    "to_usd",
]
