"""Settings from the environment and `.env`, built by a factory at start (never at import time)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.shared import is_postgres

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_TELEGRAM_API = "https://api.telegram.org/bot"
DEFAULT_KEY_FILE = Path("data/queuewatch.key")
OPERATOR_ENTRY = re.compile(r"^(telegram|discord):[1-9][0-9]*$")
DEFAULT_FX_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram allows 1-256 of these; we ask for 16 at least
LISTEN = re.compile(r"^(?P<host>[^:\s]+|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})$")
DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 8080


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and what is expected."""


def _id_list(value: object) -> object:
    """Parse a comma-separated list of numeric ids."""
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        for part in parts:
            if not part.isdigit():
                raise ValueError(f"expected comma-separated numeric ids, got {part!r}")
        return [int(part) for part in parts]
    return value


def _operator_list(value: object) -> object:
    """Parse a comma-separated list of `telegram:<user id>` / `discord:<user id>` entries."""
    parts = [p.strip() for p in value.split(",")] if isinstance(value, str) else value
    if not isinstance(parts, list):
        return value
    entries = [str(part).strip().lower() for part in parts if str(part).strip()]
    for entry in entries:
        if not OPERATOR_ENTRY.match(entry):
            raise ValueError(
                f"expected comma-separated telegram:<user id> or discord:<user id> entries, got {entry!r}"
            )
    return entries


def _token(value: SecretStr | None) -> SecretStr | None:
    if value is None:
        return None
    raw = value.get_secret_value()
    if not raw.strip():
        return None
    if any(ch.isspace() for ch in raw):
        raise ValueError("a token has no spaces or line breaks; copy it again from the developer portal")
    return value


class Settings(BaseSettings):
    """Every setting queuewatch reads; `.env.example` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    discord_mod_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    telegram_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_TELEGRAM_API
    database_url: str = "sqlite:///data/queuewatch.db"
    database_pool_size: int = Field(default=10, ge=1, le=1000)  # PostgreSQL: connections each process keeps open
    queuewatch_secret: SecretStr | None = None
    queuewatch_secret_file: Path = DEFAULT_KEY_FILE
    queuewatch_operators: Annotated[list[str], NoDecode] = Field(default_factory=list)
    queuewatch_fx_url: str = DEFAULT_FX_URL
    queuewatch_http_host: str = DEFAULT_HTTP_HOST
    queuewatch_http_port: int | None = DEFAULT_HTTP_PORT  # None (0 or empty): no web server
    queuewatch_public_url: str | None = None
    log_level: str = "INFO"
    # Several processes (PostgreSQL; docs/DEPLOY.md).
    telegram_webhook_url: str = ""  # public https URL Telegram posts updates to (empty: long polling)
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1:8081"  # where the webhook receiver listens (behind the proxy)
    discord_shard_count: int | None = None  # None: one connection (or discord.py's recommended count)
    discord_shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    # Telegram allows about 30 messages a second overall; more with paid broadcasts (up to 1000 a second).
    telegram_sends_per_second: float = Field(30.0, gt=0, le=1000)
    queuewatch_leader_retry_seconds: float = Field(10.0, gt=0, le=30)  # how often a waiting process tries a job's lock
    queuewatch_outbox_lease_seconds: float = Field(120.0, gt=0)  # a claimed send's lease (a killed worker's expire)

    _ids = field_validator("discord_guild_ids", "discord_mod_role_ids", "discord_shard_ids", mode="before")(_id_list)
    _tokens = field_validator("discord_token", "telegram_token")(_token)
    _operators = field_validator("queuewatch_operators", mode="before")(_operator_list)

    @field_validator("telegram_api_base_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"expected an http(s) URL such as {DEFAULT_TELEGRAM_API}")
        return value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str) -> str:
        value = value.strip()
        parsed = urlparse(value)
        if value and (parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment):
            raise ValueError("expected the public https URL Telegram should post to, such as "
                             "https://bot.example.org (Telegram sends webhooks over https only), or nothing to poll")
        return value.rstrip("/")

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("use 16 to 256 letters, digits, _ or - (e.g. python3 -c 'import secrets; "
                             "print(secrets.token_urlsafe(32))')")
        return value

    @field_validator("telegram_webhook_listen")
    @classmethod
    def _check_listen(cls, value: str) -> str:
        match = LISTEN.match(value.strip())
        if match is None or not 0 < int(match["port"]) < 65536:
            raise ValueError("expected host:port, such as 127.0.0.1:8081")
        return value.strip()

    @field_validator("discord_shard_count", mode="before")
    @classmethod
    def _empty_shard_count(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # DISCORD_SHARD_COUNT= means unset

    @field_validator("discord_shard_count")
    @classmethod
    def _check_shard_count(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("expected a whole number of shards, 1 or more")
        return value

    @model_validator(mode="after")
    def _check_together(self) -> Settings:
        if self.telegram_webhook_url and self.telegram_webhook_secret is None:
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be set with TELEGRAM_WEBHOOK_URL: Telegram sends it "
                             "with every update, so the bot knows an update came from Telegram")
        if self.discord_shard_ids and self.discord_shard_count is None:
            raise ValueError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (the total number of shards)")
        wrong = [i for i in self.discord_shard_ids if self.discord_shard_count is not None
                 and i >= self.discord_shard_count]
        if wrong:
            raise ValueError(f"DISCORD_SHARD_IDS: shard {wrong[0]} does not exist; with DISCORD_SHARD_COUNT="
                             f"{self.discord_shard_count} the ids are 0 to {self.discord_shard_count - 1}")
        return self

    @property
    def webhook_listen(self) -> tuple[str, int]:
        """(host, port) the Telegram webhook receiver listens on."""
        host, _, port = self.telegram_webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @field_validator("queuewatch_fx_url")
    @classmethod
    def _check_fx_url(cls, value: str) -> str:
        value = value.strip()
        parsed = urlparse(value)
        if value and (parsed.scheme not in ("http", "https") or not parsed.netloc):
            raise ValueError(f"expected an http(s) URL such as {DEFAULT_FX_URL}, or nothing to turn the refresh off")
        return value

    @field_validator("queuewatch_http_host")
    @classmethod
    def _check_http_host(cls, value: str) -> str:
        value = value.strip().removeprefix("[").removesuffix("]")  # [::1] -> ::1
        if not value:
            return DEFAULT_HTTP_HOST
        if any(ch.isspace() or ch in "/@?#" for ch in value):
            raise ValueError(f"expected a host name or address to listen on, e.g. {DEFAULT_HTTP_HOST} or 0.0.0.0")
        return value

    @field_validator("queuewatch_http_port", mode="before")
    @classmethod
    def _check_http_port(cls, value: object) -> object:
        text = str(value).strip() if value is not None else ""
        if text in ("", "0"):
            return None  # 0 or empty: the web server is off
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValueError("expected a port number from 1 to 65535, or 0 (or nothing) to turn the web server off")
        return int(text)

    @field_validator("queuewatch_public_url", mode="before")
    @classmethod
    def _check_public_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = str(value).strip().rstrip("/")
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
            raise ValueError("expected the page's public address, e.g. https://status.example.org, or nothing")
        return text

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if is_postgres(value):
            return value  # checked when connecting: libpq's URL forms are many (see storage/postgres.py)
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            raise ValueError("expected sqlite:///path/to/queuewatch.db (relative), sqlite:////absolute/path.db or "
                             "postgresql://user:password@host:5432/database")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("queuewatch_secret_file", mode="before")
    @classmethod
    def _check_secret_file(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return DEFAULT_KEY_FILE  # QUEUEWATCH_SECRET_FILE= (empty) means the default
        if isinstance(value, str | Path) and Path(value).is_dir():
            raise ValueError(f"{value} is a folder; name the key file in it, e.g. {Path(value) / 'queuewatch.key'}")
        return value

    @field_validator("queuewatch_secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None  # QUEUEWATCH_SECRET= (empty, as in .env.example) means unset
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError(
                "use at least 16 characters (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return value or None

    @property
    def log_level_number(self) -> int:
        """The log level as a logging constant."""
        return logging.getLevelName(self.log_level)

    def secrets(self) -> list[str]:
        """Every secret value, so logging can redact them."""
        values = [self.discord_token, self.telegram_token, self.queuewatch_secret, self.telegram_webhook_secret]
        found = [v.get_secret_value() for v in values if v is not None]
        try:
            password = urlparse(self.database_url).password
        except ValueError:
            password = None
        return [*found, password] if password else found


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment and `.env`; raise SettingsError with one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a rule about two settings together names them itself
            raise SettingsError(message) from None
        variable = str(first["loc"][0]).upper()
        raise SettingsError(f"{variable}: {message}") from None
