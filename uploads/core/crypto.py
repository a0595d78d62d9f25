"""Envelope encryption for passport files and extracted fields, bound to where they belong.

Every document gets a fresh 256-bit data key. Files are encrypted with AES-256-GCM in chunks, so a
20 MB photo is never held twice in memory and a truncated, reordered or altered file fails to
decrypt. The data key is stored only wrapped (AES-256-GCM) by a master key from
``settings.PASSPORT_ENCRYPTION_KEYS``: the first key wraps, every listed key unwraps, and a wrapped key
names its master by a short fingerprint (its key id) so keys can be rotated by re-wrapping (no file
is rewritten).

**Bound to its place.** The authenticated data of every wrapped key, sealed value and file chunk
names what it is (``context``) and where it belongs: the shop, the upload request and the document
ids (``None`` where there is none, e.g. a link token has no document). A wrapped key, sealed field
set or file copied to another row, request or shop does not open there: it raises
``DecryptionError``, it never yields the other row's data. A file is written before its row exists,
so its chunks carry the shop and request ids; the document id binds it through its data key (unique
to the document and wrapped with the document id).

Rows sealed before the binding (version 1: a constant context) are refused by every ordinary read;
only ``rewrap_data_key``/``reseal``/``decrypt_value(..., legacy=True)``, which the upgrade migration
and ``rotate_keys`` use to re-seal them in place, still open them. Files keep their format (``PPE1``
files open with the data key alone; their key is what binds them).

Stream layout: ``MAGIC | nonce prefix (8 bytes)`` then chunks of ``CHUNK_SIZE`` plaintext bytes, each
sealed with nonce ``prefix | chunk counter (4 bytes)`` and associated data saying whether it is the
last chunk (the STREAM construction) and, from ``PPE2``, the place. An empty plaintext is one empty
final chunk.
"""

import hashlib
import hmac
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"PPE2"  # files bound to their shop and request
MAGIC_V1 = b"PPE1"  # files written before the binding: the data key alone authenticates them
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
NONCE_SIZE = 12
_NONCE_PREFIX_SIZE = 8
_FINGERPRINT_SIZE = 8
_LAST, _MORE = b"last", b"more"
_WRAP_CONTEXT_V1 = b"passport-portal data key v1"
_WRAP_CONTEXT = b"passport-portal data key v2"
_WRAPPED_V2 = b"\x02"
_WRAPPED_V1_SIZE = _FINGERPRINT_SIZE + NONCE_SIZE + 32 + TAG_SIZE
_WRAPPED_V2_SIZE = len(_WRAPPED_V2) + _WRAPPED_V1_SIZE
_CHECK_CONSTANT = b"passport-portal master key check v1"

Id = int | None


class DecryptionError(Exception):
    """The ciphertext is damaged, truncated, belongs elsewhere, or was sealed under a key we do
    not have. Messages never carry content."""


class MasterKeyMissing(DecryptionError):
    """Sealed under a master key this process was not given: ``key_id`` names it (not secret)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"sealed under master key {key_id}, which is not loaded here")
        self.key_id = key_id


class UnboundCiphertext(DecryptionError):
    """Sealed before ciphertext was bound to its place; ``rotate_keys`` re-seals it."""


def _id(value: Id) -> bytes:
    if value is not None and not isinstance(value, int):
        raise TypeError("ids are integers")
    return b"-" if value is None else str(value).encode()


def place_binding(
    *, context: bytes, shop_id: Id = None, request_id: Id = None, document_id: Id = None
) -> bytes:
    """The authenticated data naming what a ciphertext is and where it belongs."""
    if not context or b"\x00" in context:
        raise ValueError("a context is a non-empty label")
    return b"\x00".join(
        [
            context,
            b"shop=" + _id(shop_id),
            b"request=" + _id(request_id),
            b"document=" + _id(document_id),
        ]
    )


@dataclass(frozen=True)
class DataKey:
    """A document's data key in clear, its wrapped form (once its row exists), and the place its
    file stream is bound to (``context``, shop and request)."""

    plaintext: bytes = b""
    wrapped: bytes = b""
    stream_binding: bytes = b""

    def __repr__(self) -> str:  # never print key material, even in a debugger or traceback
        return "DataKey(<hidden>)"


# --- master keys: ids and check values -----------------------------------------------------------


def _fingerprint(master_key: bytes) -> bytes:
    return hashlib.sha256(b"passport-portal master key id" + master_key).digest()[
        :_FINGERPRINT_SIZE
    ]


def master_key_id(master_key: bytes) -> str:
    """A master key's public id: 16 hex digits of a hash (it reveals nothing of the key)."""
    return _fingerprint(master_key).hex()


def master_key_check_value(master_key: bytes) -> bytes:
    """What the installation records to recognise a key without holding it (an HMAC)."""
    return hmac.new(master_key, _CHECK_CONSTANT, hashlib.sha256).digest()


def configured_master_keys() -> list[bytes]:
    keys: list[bytes] = settings.PASSPORT_ENCRYPTION_KEYS
    if not keys:
        raise DecryptionError("no master key is configured")
    return keys


_master_keys = configured_master_keys


def _key_for(fingerprint: bytes) -> bytes:
    for master_key in _master_keys():
        if hmac.compare_digest(_fingerprint(master_key), fingerprint):
            return master_key
    raise MasterKeyMissing(fingerprint.hex())


# --- data keys -----------------------------------------------------------------------------------


def new_data_key(*, context: bytes, shop_id: int, request_id: int) -> DataKey:
    """A fresh data key for a file of ``context`` (e.g. b"passport") in that shop's request. It is
    wrapped with ``wrap_data_key`` once the document's row (and id) exists."""
    return DataKey(
        plaintext=AESGCM.generate_key(bit_length=256),
        stream_binding=place_binding(context=context, shop_id=shop_id, request_id=request_id),
    )


def _wrap_binding(context: bytes, shop_id: Id, request_id: Id, document_id: Id) -> bytes:
    return (
        _WRAP_CONTEXT
        + b"\x00"
        + place_binding(
            context=context, shop_id=shop_id, request_id=request_id, document_id=document_id
        )
    )


def _wrap(data_key: bytes, master_key: bytes, binding: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_SIZE)
    sealed = AESGCM(master_key).encrypt(nonce, data_key, binding)
    return _WRAPPED_V2 + _fingerprint(master_key) + nonce + sealed


def wrap_data_key(
    key: DataKey, *, context: bytes, shop_id: int, request_id: int, document_id: int
) -> bytes:
    """The data key wrapped by the first master key, bound to the document's place."""
    binding = _wrap_binding(context, shop_id, request_id, document_id)
    return _wrap(key.plaintext, _master_keys()[0], binding)


def _is_v1(wrapped: bytes) -> bool:
    return len(wrapped) == _WRAPPED_V1_SIZE


def wrapped_key_id(wrapped: bytes) -> str:
    """The id of the master key that wrapped this data key."""
    body = wrapped if _is_v1(wrapped) else wrapped[len(_WRAPPED_V2) :]
    return body[:_FINGERPRINT_SIZE].hex()


def _unwrap(wrapped: bytes, binding: bytes, *, legacy: bool) -> bytes:
    wrapped = bytes(wrapped)
    if _is_v1(wrapped):
        if not legacy:
            raise UnboundCiphertext("the data key was wrapped before binding: run rotate_keys")
        body, binding = wrapped, _WRAP_CONTEXT_V1
    elif len(wrapped) == _WRAPPED_V2_SIZE and wrapped[:1] == _WRAPPED_V2:
        body = wrapped[1:]
    else:
        raise DecryptionError("not a wrapped data key")
    master_key = _key_for(body[:_FINGERPRINT_SIZE])
    nonce = body[_FINGERPRINT_SIZE : _FINGERPRINT_SIZE + NONCE_SIZE]
    try:
        return AESGCM(master_key).decrypt(nonce, body[_FINGERPRINT_SIZE + NONCE_SIZE :], binding)
    except InvalidTag:
        raise DecryptionError("the data key does not unwrap here") from None


def unwrap_data_key(
    wrapped: bytes,
    *,
    context: bytes,
    shop_id: int,
    request_id: int,
    document_id: int,
    legacy: bool = False,
) -> DataKey:
    """The data key of the document at this place; DecryptionError if it belongs elsewhere,
    MasterKeyMissing if its master key is not configured. ``legacy`` also opens a key wrapped
    before the binding (for re-sealing it, never for showing it)."""
    binding = _wrap_binding(context, shop_id, request_id, document_id)
    plaintext = _unwrap(wrapped, binding, legacy=legacy)
    return DataKey(
        plaintext=plaintext,
        wrapped=bytes(wrapped),
        stream_binding=place_binding(context=context, shop_id=shop_id, request_id=request_id),
    )


def is_wrapped_by_primary_key(wrapped: bytes) -> bool:
    """Wrapped by the first master key and bound to its place (nothing for rotate_keys to do)."""
    wrapped = bytes(wrapped)
    return (
        not _is_v1(wrapped)
        and wrapped[:1] == _WRAPPED_V2
        and wrapped[1 : 1 + _FINGERPRINT_SIZE] == _fingerprint(_master_keys()[0])
    )


def is_bound(wrapped: bytes) -> bool:
    return not _is_v1(bytes(wrapped))


def rewrap_data_key(
    wrapped: bytes, *, context: bytes, shop_id: int, request_id: int, document_id: int
) -> bytes:
    """Re-wrap a data key under the first master key, bound to its place (key rotation and the
    upgrade of keys wrapped before the binding)."""
    key = unwrap_data_key(
        wrapped,
        context=context,
        shop_id=shop_id,
        request_id=request_id,
        document_id=document_id,
        legacy=True,
    )
    return wrap_data_key(
        key, context=context, shop_id=shop_id, request_id=request_id, document_id=document_id
    )


# --- small values (extracted passport fields) -------------------------------------------------


def encrypt_value(
    key: DataKey,
    plaintext: bytes,
    *,
    context: bytes,
    shop_id: Id = None,
    request_id: Id = None,
    document_id: Id = None,
) -> bytes:
    """A small value sealed with a document's data key, bound to its place."""
    binding = place_binding(
        context=context, shop_id=shop_id, request_id=request_id, document_id=document_id
    )
    nonce = secrets.token_bytes(NONCE_SIZE)
    return nonce + AESGCM(key.plaintext).encrypt(nonce, plaintext, binding)


def decrypt_value(
    key: DataKey,
    sealed: bytes,
    *,
    context: bytes,
    shop_id: Id = None,
    request_id: Id = None,
    document_id: Id = None,
    legacy: bool = False,
) -> bytes:
    """The value sealed by ``encrypt_value`` at this place. ``legacy`` also opens one sealed
    before the binding (its context alone), for re-sealing it."""
    binding = place_binding(
        context=context, shop_id=shop_id, request_id=request_id, document_id=document_id
    )
    sealed = bytes(sealed)
    aead = AESGCM(key.plaintext)
    for candidate in [binding, context] if legacy else [binding]:
        try:
            return aead.decrypt(sealed[:NONCE_SIZE], sealed[NONCE_SIZE:], candidate)
        except InvalidTag:
            continue
    raise DecryptionError("the value does not decrypt here")


def seal(
    plaintext: bytes,
    *,
    context: bytes,
    shop_id: Id = None,
    request_id: Id = None,
    document_id: Id = None,
) -> bytes:
    """Encrypt a small secret under its own data key, bound to its place (the ids it belongs to,
    ``None`` where it has none): ``len(wrapped key) | wrapped key | value``. Open it with
    ``unseal`` and the same keywords."""
    ids = {"shop_id": shop_id, "request_id": request_id, "document_id": document_id}
    key = DataKey(plaintext=AESGCM.generate_key(bit_length=256))
    binding = _wrap_binding(context, shop_id, request_id, document_id)
    wrapped = _wrap(key.plaintext, _master_keys()[0], binding)
    return (
        len(wrapped).to_bytes(2, "big")
        + wrapped
        + encrypt_value(key, plaintext, context=context, **ids)
    )


def _split_sealed(sealed: bytes) -> tuple[bytes, bytes]:
    sealed = bytes(sealed)
    size = int.from_bytes(sealed[:2], "big")
    if len(sealed) < 2 + size:
        raise DecryptionError("not a sealed value")
    return sealed[2 : 2 + size], sealed[2 + size :]


def sealed_key_id(sealed: bytes) -> str:
    return wrapped_key_id(_split_sealed(sealed)[0])


def is_sealed_bound(sealed: bytes) -> bool:
    return is_bound(_split_sealed(sealed)[0])


def is_sealed_by_primary_key(sealed: bytes) -> bool:
    return is_wrapped_by_primary_key(_split_sealed(sealed)[0])


def unseal(
    sealed: bytes,
    *,
    context: bytes,
    shop_id: Id = None,
    request_id: Id = None,
    document_id: Id = None,
    legacy: bool = False,
) -> bytes:
    """The secret sealed by ``seal`` with the same keywords; DecryptionError if it was sealed for
    another place (or damaged), MasterKeyMissing if its master key is not configured."""
    wrapped, value = _split_sealed(sealed)
    binding = _wrap_binding(context, shop_id, request_id, document_id)
    key = DataKey(plaintext=_unwrap(wrapped, binding, legacy=legacy))
    return decrypt_value(
        key,
        value,
        context=context,
        shop_id=shop_id,
        request_id=request_id,
        document_id=document_id,
        legacy=legacy and _is_v1(wrapped),
    )


def reseal(
    sealed: bytes,
    *,
    context: bytes,
    shop_id: Id = None,
    request_id: Id = None,
    document_id: Id = None,
) -> bytes:
    """Seal again under the first master key, bound to its place (key rotation, and the upgrade
    of values sealed before the binding)."""
    ids = {"shop_id": shop_id, "request_id": request_id, "document_id": document_id}
    return seal(unseal(sealed, context=context, legacy=True, **ids), context=context, **ids)


# --- streams (files) --------------------------------------------------------------------------


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    if index >= 2**32:
        raise ValueError("stream too long")
    return prefix + index.to_bytes(4, "big")


def encrypt_stream(key: DataKey, source: BinaryIO) -> Iterator[bytes]:
    """Yield the encrypted form of ``source``, one sealed chunk at a time, bound to the key's
    place (``new_data_key``'s shop and request)."""
    if not key.stream_binding:
        raise ValueError("a file is encrypted with a data key made for its place")
    aead = AESGCM(key.plaintext)
    prefix = secrets.token_bytes(_NONCE_PREFIX_SIZE)
    yield MAGIC + prefix
    index = 0
    chunk = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE)
        last = not following
        aad = (_LAST if last else _MORE) + b"\x00" + key.stream_binding
        yield aead.encrypt(_chunk_nonce(prefix, index), chunk, aad)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(key: DataKey, source: BinaryIO) -> Iterator[bytes]:
    """Yield plaintext chunks; raise DecryptionError on any tampering, truncation or a file that
    belongs to another place."""
    header = _read_exactly(source, len(MAGIC) + _NONCE_PREFIX_SIZE)
    magic = header[: len(MAGIC)]
    if magic == MAGIC:
        suffix = b"\x00" + key.stream_binding
    elif magic == MAGIC_V1:
        suffix = b""  # written before the binding: its data key (bound) authenticates it
    else:
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
            yield aead.decrypt(
                _chunk_nonce(prefix, index), sealed, (_LAST if last else _MORE) + suffix
            )
        except InvalidTag:
            raise DecryptionError("the file is damaged, truncated or not this document's") from None
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
