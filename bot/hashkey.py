"""The key that hashes people's identities: kept outside the database it protects, checked against it.

Why outside: with the key, every stored hash can be reversed by trying candidate ids (Discord ids from
any member list, every Telegram id in hours), so a database backup must never carry it. The key comes
from QUEUEWATCH_SECRET, or from the key file (QUEUEWATCH_SECRET_FILE, default data/queuewatch.key,
mode 0600), generated on the first start. The database keeps only a fingerprint: the key chain applied
to a fixed label, a hash like any stored one, so it tells an attacker nothing a stored hash does not;
a start with a key that does not match it is refused, instead of every member silently becoming a
stranger to their own reports.

Rekeying without the ids: the ids are never stored, so a hash cannot be recomputed under a new key.
Instead keys form a chain, oldest first, and a person's key runs through all of them:
h1 = HMAC(k1, "platform:id"), h2 = HMAC(k2, h1), ... `queuewatch rekey` adds a key and replaces every
stored h by HMAC(k_new, h) in one transaction. After it, a backup and any one old key (a leaked key
file of before the rekey, say) no longer reveal anyone: testing a candidate id needs every key. A
database hashed with only the first keys of the chain (a backup from before a rekey, or a rekey that
stopped between writing the key file and committing) is brought forward on start.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from bot.core.errors import StartupError
from bot.settings import Settings
from storage import keys as store
from storage.database import Database

log = logging.getLogger(__name__)

FINGERPRINT_LABEL = b"queuewatch:key-fingerprint"  # no platform is called "queuewatch": never a person
MIN_KEY_LENGTH = 16
FILE_HEADER = """\
# queuewatch hashing keys, oldest first, one a line. Every key is needed: members' hashes run through all.
# Keep this file secret (mode 0600) and apart from the database's backups: with both, stored hashes can be
# reversed by trying ids. Losing it leaves every stored report and setting without its member.
"""


class KeyChain:
    """The hashing keys, oldest first; a person's keyed hash runs through every one of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a key chain needs at least one key")
        self.keys = tuple(keys)
        self._raw = tuple(key.encode() for key in keys)
        self._sealers: dict[str, AESSIV] = {}  # per purpose: deriving one costs two HMAC chains and a key setup

    def __len__(self) -> int:
        return len(self.keys)

    def _through(self, message: bytes, start: int = 0, stop: int | None = None) -> str:
        value = message
        for key in self._raw[start:stop]:
            value = hmac.new(key, value, sha256).hexdigest()[:32].encode()
        return value.decode()

    def person_key(self, platform: str, user_id: str) -> str:
        """A keyed hash of a person's platform identity; the only way people are stored."""
        return self._through(f"{platform}:{user_id}".encode())

    def forward(self, stored: str, done: int) -> str:
        """A hash made with the first `done` keys, carried through the rest of the chain."""
        return self._through(stored.encode(), start=done)

    def fingerprint(self, keys: int | None = None) -> str:
        """What the database keeps to recognise this chain (or its first `keys` keys)."""
        return self._through(FINGERPRINT_LABEL, stop=keys)

    def hashed_with(self, fingerprint: str) -> int | None:
        """How many of the first keys made a database with this fingerprint, or None if no prefix did."""
        for count in range(len(self), 0, -1):
            if hmac.compare_digest(self.fingerprint(count), fingerprint):
                return count
        return None

    def seal(self, purpose: str, stored: str) -> str:
        """A person's keyed hash scrambled for one purpose: unlinkable without the keys, and reversible with
        them (deterministic AES-SIV under a key derived from the whole chain), so rekey can move it."""
        return self._sealer(purpose).encrypt(stored.encode(), None).hex()

    def unseal(self, purpose: str, sealed: str) -> str:
        """The keyed hash a `seal` was made from."""
        return self._sealer(purpose).decrypt(bytes.fromhex(sealed), None).decode()

    def _sealer(self, purpose: str) -> AESSIV:
        sealer = self._sealers.get(purpose)
        if sealer is None:
            halves = (self._through(f"queuewatch:seal:{purpose}:{half}".encode()) for half in "ab")
            sealer = self._sealers[purpose] = AESSIV(bytes.fromhex("".join(halves)))  # AES-SIV's two 128-bit keys
        return sealer


    def prefix(self, count: int) -> KeyChain:
        """The chain of the first `count` keys (what a database a rekey behind was made with)."""
        return KeyChain(self.keys[:count])

    def extended(self) -> KeyChain:
        """This chain with a new random key at the end."""
        return KeyChain([*self.keys, secrets.token_hex(32)])


class KeyFile:
    """The key file: read, and created or replaced atomically with mode 0600."""

    setting = "QUEUEWATCH_SECRET_FILE"

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[str] | None:
        """The keys in the file, oldest first; None when there is no file."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
            raise StartupError(f"{self.setting}: cannot read {self.path} ({reason}); it must be this user's "
                               "key file, mode 0600") from None
        keys = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if not keys:
            raise StartupError(f"{self.setting}: {self.path} holds no key; restore the key file that belongs "
                               "to this database")
        if any(len(key) < MIN_KEY_LENGTH for key in keys):
            raise StartupError(f"{self.setting}: a key in {self.path} is shorter than {MIN_KEY_LENGTH} characters; "
                               "restore the key file that belongs to this database")
        if self.path.stat().st_mode & 0o077:
            log.warning("%s is readable by other users; make it private with chmod 600", self.path)
        return keys

    def create(self, keys: Sequence[str]) -> bool:
        """Write a new key file unless one appeared meanwhile; returns False when one did."""
        temporary = self._write_temporary(keys)
        try:
            os.link(temporary, self.path)  # appears whole, and never over a file another process made
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create it in place, still never over another
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return False
            with os.fdopen(fd, "wb") as out:
                out.write(temporary.read_bytes())
                out.flush()
                os.fsync(out.fileno())
        finally:
            temporary.unlink()
        _sync_folder(self.path.parent)
        return True

    def replace(self, keys: Sequence[str]) -> None:
        """Replace the key file in one step: a crash leaves the old file or the new, never half of one."""
        os.replace(self._write_temporary(keys), self.path)
        _sync_folder(self.path.parent)

    def _write_temporary(self, keys: Sequence[str]) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (FILE_HEADER + "".join(f"{key}\n" for key in keys)).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        return temporary


def _sync_folder(folder: Path) -> None:
    """Make a rename or link in a folder durable."""
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened or synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def in_memory(settings: Settings) -> bool:
    """True for a database that lives only in this process (nothing to protect after it ends)."""
    return settings.database_url == "sqlite:///:memory:"


def _mismatch(settings: Settings, key_file: KeyFile) -> StartupError:
    if settings.queuewatch_secret is not None:
        return StartupError(
            "QUEUEWATCH_SECRET: not the key this database's hashes were made with (its fingerprint differs); "
            f"set it back to the earlier value, or unset it to use the key file {key_file.path}")
    return StartupError(f"{key_file.setting}: the keys in {key_file.path} are not the ones this database's hashes "
                        "were made with; restore the key file that belongs to it, or set QUEUEWATCH_SECRET to its key")


async def _configured_chain(settings: Settings, db: Database, key_file: KeyFile, legacy: str | None,
                            expected: str | None) -> KeyChain:
    """The chain the settings name: QUEUEWATCH_SECRET, the key file, or a new key file when there may be one."""
    if settings.queuewatch_secret is not None:
        return KeyChain([settings.queuewatch_secret.get_secret_value()])
    keys = key_file.read()
    if keys is not None:
        return KeyChain(keys)
    if legacy is not None:
        keys = [legacy]  # an older version kept it in the database: move it out
        log.info("moving the hashing key out of the database into %s", key_file.path)
    elif expected is not None or await store.has_hashes(db):
        raise StartupError(
            f"{key_file.setting}: {key_file.path} is missing, but this database holds hashes made with a key; "
            "restore that key file, or set QUEUEWATCH_SECRET to the key it ran with before")
    else:
        keys = [secrets.token_hex(32)]
        log.info("generated a hashing key in %s; keep it with care, apart from the database's backups",
                 key_file.path)
    if not key_file.create(keys):  # another process created one meanwhile: use that
        keys = key_file.read() or keys
    return KeyChain(keys)


async def load_keys(settings: Settings, db: Database, key_file: KeyFile) -> KeyChain:
    """The key chain for this database, checked against its fingerprint (StartupError naming the setting on
    a mismatch); a key kept in the database is moved out, and a database a rekey behind is brought forward."""
    if in_memory(settings):
        secret = settings.queuewatch_secret
        return KeyChain([secret.get_secret_value() if secret is not None else secrets.token_hex(32)])
    legacy = await store.legacy_key(db)
    stored = await store.fingerprint(db)
    expected = stored if stored is not None or legacy is None else KeyChain([legacy]).fingerprint()
    chain = await _configured_chain(settings, db, key_file, legacy, expected)
    done = len(chain) if expected is None else chain.hashed_with(expected)
    if done is None:
        raise _mismatch(settings, key_file)
    if done < len(chain):
        people, _rows = await store.rehash(db, _mover(chain.prefix(done), chain), chain.fingerprint())
        log.info("brought %d stored hashes forward through the %d newer key(s) in %s", people,
                 len(chain) - done, key_file.path)
    if stored is None or legacy is not None:  # a first start, or a key still kept in the database
        await store.settle(db, chain.fingerprint())
    return chain


async def rekey(settings: Settings, db: Database, key_file: KeyFile) -> tuple[KeyChain, int, int]:
    """Add a key to the chain and move every stored hash to it; returns (new chain, people, rows). The caller
    holds the database's process lock, so no bot runs meanwhile with the old chain.

    The key file is written first: should the transaction not happen, the next start brings the database
    forward to the new chain, so the database never holds hashes of a chain no file knows."""
    chain = await load_keys(settings, db, key_file)
    new = chain.extended()
    key_file.replace(new.keys)
    people, rows = await store.rehash(db, _mover(chain, new), new.fingerprint())
    return new, people, rows


def _mover(old: KeyChain, new: KeyChain) -> store.Mover:
    """How each stored value moves from a chain to a longer one that starts with it."""
    return store.Mover(
        hashed=lambda stored: new.forward(stored, len(old)),
        sealed=lambda purpose, sealed: new.seal(purpose, new.forward(old.unseal(purpose, sealed), len(old))),
    )
