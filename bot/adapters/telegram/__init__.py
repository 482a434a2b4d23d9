"""The Telegram adapter (python-telegram-bot v22): commands, buttons, questions and delivery in Telegram chats."""

from bot.adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
