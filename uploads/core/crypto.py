"""Envelope encryption for passport files and extracted fields.

Every document gets a fresh 256-bit data key. Files are encrypted with AES-256-GCM in chunks, so a
20 MB photo is never held twice in memory and a truncated, reordered or altered file fails to
decrypt. The data key is stored only wrapped (AES-256-GCM) by a master key from
``settings.PASSPORT_ENCRYPTION_KEYS``: the first key wraps, every listed key unwraps, and a wrapped key
names its master by a short fingerprint so keys can be rotated by re-wrapping (no file is rewritten).

Stream layout: ``MAGIC | nonce prefix (8 bytes)`` then chunks of ``CHUNK_SIZE`` plaintext bytes, each
sealed with nonce ``prefix | chunk counter (4 bytes)`` and associated data saying whether it is the
last chunk (the STREAM construction). An empty plaintext is one empty final chunk.
"""

import hashlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"PPE1"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
NONCE_SIZE = 12
_NONCE_PREFIX_SIZE = 8
_FINGERPRINT_SIZE = 8
_LAST, _MORE = b"last", b"more"
_WRAP_CONTEXT = b"passport-portal data key v1"


class DecryptionError(Exception):
    """The ciphertext is damaged, truncated, or was sealed under a key we do not have."""


@dataclass(frozen=True)
class DataKey:
    plaintext: bytes = b""
    wrapped: bytes = b""

    def __repr__(self) -> str:  # never print key material, even in a debugger or traceback
        return "DataKey(<hidden>)"


def _fingerprint(master_key: bytes) -> bytes:
    return hashlib.sha256(b"passport-portal master key id" + master_key).digest()[
        :_FINGERPRINT_SIZE
    ]


def _master_keys() -> list[bytes]:
    keys: list[bytes] = settings.PASSPORT_ENCRYPTION_KEYS
    if not keys:
        raise DecryptionError("no master key is configured")
    return keys


def new_data_key() -> DataKey:
    plaintext = AESGCM.generate_key(bit_length=256)
    return DataKey(plaintext=plaintext, wrapped=_wrap(plaintext, _master_keys()[0]))


def _wrap(data_key: bytes, master_key: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(master_key).encrypt(nonce, data_key, _WRAP_CONTEXT)
    return _fingerprint(master_key) + nonce + sealed


def unwrap_data_key(wrapped: bytes) -> DataKey:
    fingerprint = wrapped[:_FINGERPRINT_SIZE]
    nonce = wrapped[_FINGERPRINT_SIZE : _FINGERPRINT_SIZE + NONCE_SIZE]
    sealed = wrapped[_FINGERPRINT_SIZE + NONCE_SIZE :]
    for master_key in _master_keys():
        if _fingerprint(master_key) == fingerprint:
            try:
                return DataKey(AESGCM(master_key).decrypt(nonce, sealed, _WRAP_CONTEXT), wrapped)
            except InvalidTag:
                raise DecryptionError("the data key does not unwrap") from None
    raise DecryptionError("the data key was wrapped by a master key that is no longer configured")


def is_wrapped_by_primary_key(wrapped: bytes) -> bool:
    return wrapped[:_FINGERPRINT_SIZE] == _fingerprint(_master_keys()[0])


def rewrap_data_key(wrapped: bytes) -> bytes:
    """Re-wrap a data key under the current primary master key (for key rotation)."""
    return _wrap(unwrap_data_key(wrapped).plaintext, _master_keys()[0])


# --- small values (extracted passport fields) -------------------------------------------------


def encrypt_value(key: DataKey, plaintext: bytes, *, context: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    return nonce + AESGCM(key.plaintext).encrypt(nonce, plaintext, context)


def decrypt_value(key: DataKey, sealed: bytes, *, context: bytes) -> bytes:
    try:
        return AESGCM(key.plaintext).decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], context)
    except InvalidTag:
        raise DecryptionError("the value does not decrypt") from None


def seal(plaintext: bytes, *, context: bytes) -> bytes:
    """Encrypt a small value under its own data key: ``len(wrapped key) | wrapped key | value``."""
    key = new_data_key()
    return (
        len(key.wrapped).to_bytes(2, "big")
        + key.wrapped
        + encrypt_value(key, plaintext, context=context)
    )


def is_sealed_by_primary_key(sealed: bytes) -> bool:
    size = int.from_bytes(sealed[:2], "big")
    return is_wrapped_by_primary_key(sealed[2 : 2 + size])


def unseal(sealed: bytes, *, context: bytes) -> bytes:
    size = int.from_bytes(sealed[:2], "big")
    key = unwrap_data_key(sealed[2 : 2 + size])
    return decrypt_value(key, sealed[2 + size :], context=context)


# --- streams (files) --------------------------------------------------------------------------


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    if index >= 2**32:
        raise ValueError("stream too long")
    return prefix + index.to_bytes(4, "big")


def encrypt_stream(key: DataKey, source: BinaryIO) -> Iterator[bytes]:
    """Yield the encrypted form of ``source``, one sealed chunk at a time."""
    aead = AESGCM(key.plaintext)
    prefix = secrets.token_bytes(_NONCE_PREFIX_SIZE)
    yield MAGIC + prefix
    index = 0
    chunk = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE)
        last = not following
        yield aead.encrypt(_chunk_nonce(prefix, index), chunk, _LAST if last else _MORE)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(key: DataKey, source: BinaryIO) -> Iterator[bytes]:
    """Yield plaintext chunks; raise DecryptionError on any tampering or truncation."""
    header = _read_exactly(source, len(MAGIC) + _NONCE_PREFIX_SIZE)
    if header[: len(MAGIC)] != MAGIC:
        raise DecryptionError("not an encrypted passport file")
    prefix = header[len(MAGIC) :]
    aead = AESGCM(key.plaintext)
    sealed_size = CHUNK_SIZE + TAG_SIZE
    index = 0
    sealed = _read_exactly(source, sealed_size)
    while True:
        following = _read_exactly(source, sealed_size)
        last = not following
        if len(sealed) < TAG_SIZE:
            raise DecryptionError("the file is truncated")
        try:
            yield aead.decrypt(_chunk_nonce(prefix, index), sealed, _LAST if last else _MORE)
        except InvalidTag:
            raise DecryptionError("the file is damaged or truncated") from None
        if last:
            return
        sealed, index = following, index + 1


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    """Read up to ``size`` bytes, looping over short reads (network streams return less)."""
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class EncryptingReader(io.RawIOBase):
    """A read-only file object whose content is the encrypted form of ``source``.

    Storage backends pull from it (``read(n)``), so the ciphertext is produced as it is written and
    never assembled in memory as a whole.
    """

    def __init__(self, key: DataKey, source: BinaryIO) -> None:
        self._chunks = encrypt_stream(key, source)
        self._buffer = bytearray()
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = None if size is None or size < 0 else size
        while not self._done and (want is None or len(self._buffer) < want):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if want is None:
            want = len(self._buffer)
        out = bytes(self._buffer[:want])
        del self._buffer[:want]
        return out

    def readinto(self, target) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


def encrypted_size(plaintext_size: int) -> int:
    chunks = max(1, -(-plaintext_size // CHUNK_SIZE))
    return len(MAGIC) + _NONCE_PREFIX_SIZE + plaintext_size + chunks * TAG_SIZE
