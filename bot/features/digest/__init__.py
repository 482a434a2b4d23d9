"""Weekly digests: one model, built from the database, rendered to a neutral Reply."""

from bot.features.digest.build import build_digest
from bot.features.digest.model import Change, Digest, PayMove, StatusRow
from bot.features.digest.render import digest_reply

__all__ = ["Change", "Digest", "PayMove", "StatusRow", "build_digest", "digest_reply"]
