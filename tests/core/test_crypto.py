import io
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.conftest import TEST_MASTER_KEY
from uploads.core import crypto

PLACE = {"shop_id": 1, "request_id": 10, "document_id": 100}
OTHER_SHOP = {"shop_id": 2, "request_id": 10, "document_id": 100}


def _new_key(**place: int) -> crypto.DataKey:
    place = place or PLACE
    return crypto.new_data_key(
        context=b"passport", shop_id=place["shop_id"], request_id=place["request_id"]
    )


def _wrapped(key: crypto.DataKey, **place: int) -> bytes:
    return crypto.wrap_data_key(key, context=b"passport", **(place or PLACE))


def _unwrapped(wrapped: bytes, **place: int) -> crypto.DataKey:
    return crypto.unwrap_data_key(wrapped, context=b"passport", **(place or PLACE))


def _legacy_wrapped(plaintext: bytes, master_key: bytes = TEST_MASTER_KEY) -> bytes:
    """A data key wrapped as before the binding (version 1: a constant authenticated data)."""
    nonce = os.urandom(12)
    return (
        crypto._fingerprint(master_key)
        + nonce
        + AESGCM(master_key).encrypt(nonce, plaintext, b"passport-portal data key v1")
    )


def _encrypt(key: crypto.DataKey, plaintext: bytes) -> bytes:
    return b"".join(crypto.encrypt_stream(key, io.BytesIO(plaintext)))


def _decrypt(key: crypto.DataKey, ciphertext: bytes) -> bytes:
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(ciphertext)))


@pytest.mark.parametrize(
    "size", [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE + 17]
)
def test_it_round_trips_streams_of_any_size(size):
    key = _new_key()
    plaintext = os.urandom(size)
    ciphertext = _encrypt(key, plaintext)
    assert len(ciphertext) == crypto.encrypted_size(size)
    assert _decrypt(key, ciphertext) == plaintext


def test_it_never_contains_the_plaintext():
    key = _new_key()
    plaintext = b"P<UTOERIKSSON<<ANNA<MARIA" * 4000
    ciphertext = _encrypt(key, plaintext)
    assert b"ERIKSSON" not in ciphertext


def test_it_uses_a_fresh_data_key_and_nonce_each_time():
    first, second = _new_key(), _new_key()
    assert first.plaintext != second.plaintext
    assert _encrypt(first, b"same") != _encrypt(first, b"same")


@pytest.mark.parametrize("damage", ["flip", "truncate_chunk", "drop_last_chunk", "swap_chunks"])
def test_it_refuses_tampered_streams(damage):
    key = _new_key()
    ciphertext = bytearray(_encrypt(key, os.urandom(3 * crypto.CHUNK_SIZE)))
    header, sealed = 12, crypto.CHUNK_SIZE + crypto.TAG_SIZE
    if damage == "flip":
        ciphertext[header + 100] ^= 1
    elif damage == "truncate_chunk":
        del ciphertext[-5:]
    elif damage == "drop_last_chunk":
        del ciphertext[header + 2 * sealed :]
    else:
        first = ciphertext[header : header + sealed]
        ciphertext[header : header + sealed] = ciphertext[header + sealed : header + 2 * sealed]
        ciphertext[header + sealed : header + 2 * sealed] = first
    with pytest.raises(crypto.DecryptionError):
        _decrypt(key, bytes(ciphertext))


def test_it_refuses_a_file_that_is_not_ours():
    with pytest.raises(crypto.DecryptionError):
        _decrypt(_new_key(), b"\xff\xd8\xff\xe0 plain jpeg")


def test_it_wraps_data_keys_under_the_first_master_key(settings):
    key = _new_key()
    wrapped = _wrapped(key)
    assert _unwrapped(wrapped).plaintext == key.plaintext
    assert crypto.is_wrapped_by_primary_key(wrapped)
    assert crypto.wrapped_key_id(wrapped) == crypto.master_key_id(TEST_MASTER_KEY)


def test_it_still_decrypts_with_an_older_key_after_rotation(settings):
    key = _new_key()
    wrapped = _wrapped(key)
    ciphertext = _encrypt(key, b"passport")
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x01" * 32, TEST_MASTER_KEY]
    assert not crypto.is_wrapped_by_primary_key(wrapped)
    assert _decrypt(_unwrapped(wrapped), ciphertext) == b"passport"
    rewrapped = crypto.rewrap_data_key(wrapped, context=b"passport", **PLACE)
    assert crypto.is_wrapped_by_primary_key(rewrapped)
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x01" * 32]
    assert _decrypt(_unwrapped(rewrapped), ciphertext) == b"passport"


def test_it_names_the_master_key_that_is_not_loaded(settings):
    wrapped = _wrapped(_new_key())
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x01" * 32]
    with pytest.raises(crypto.MasterKeyMissing, match="not loaded here") as caught:
        _unwrapped(wrapped)
    assert caught.value.key_id == crypto.master_key_id(TEST_MASTER_KEY)


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"shop_id": 2, "request_id": 10, "document_id": 100},
        {"shop_id": 1, "request_id": 11, "document_id": 100},
        {"shop_id": 1, "request_id": 10, "document_id": 101},
    ],
)
def test_it_binds_every_ciphertext_to_its_shop_request_and_document(elsewhere):
    key = _new_key()
    wrapped = _wrapped(key)
    with pytest.raises(crypto.DecryptionError):
        _unwrapped(wrapped, **elsewhere)
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_data_key(wrapped, context=b"second document", **PLACE)
    fields = crypto.encrypt_value(key, b"{}", context=b"fields", **PLACE)
    assert crypto.decrypt_value(key, fields, context=b"fields", **PLACE) == b"{}"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_value(key, fields, context=b"fields", **elsewhere)
    sealed = crypto.seal(b"token", context=b"token", **PLACE)
    assert crypto.unseal(sealed, context=b"token", **PLACE) == b"token"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(sealed, context=b"token", **elsewhere)


def test_it_binds_a_file_to_its_shop_and_request():
    key = _new_key()
    ciphertext = _encrypt(key, b"passport")
    assert ciphertext.startswith(b"PPE2")
    same_key_elsewhere = crypto.DataKey(
        plaintext=key.plaintext,
        stream_binding=crypto.place_binding(context=b"passport", shop_id=2, request_id=10),
    )
    with pytest.raises(crypto.DecryptionError):
        _decrypt(same_key_elsewhere, ciphertext)


def test_it_opens_what_was_sealed_before_the_binding_only_to_reseal_it():
    key = _new_key()
    legacy = _legacy_wrapped(key.plaintext)
    assert not crypto.is_bound(legacy) and not crypto.is_wrapped_by_primary_key(legacy)
    with pytest.raises(crypto.UnboundCiphertext):
        _unwrapped(legacy)
    rewrapped = crypto.rewrap_data_key(legacy, context=b"passport", **PLACE)
    assert crypto.is_bound(rewrapped) and crypto.is_wrapped_by_primary_key(rewrapped)
    assert _unwrapped(rewrapped).plaintext == key.plaintext
    with pytest.raises(crypto.DecryptionError):
        _unwrapped(rewrapped, **OTHER_SHOP)
    # A value sealed before the binding (its context alone) opens only with legacy=True.
    old_value = os.urandom(12)
    old_value += AESGCM(key.plaintext).encrypt(old_value, b"{}", b"fields")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_value(key, old_value, context=b"fields", **PLACE)
    assert crypto.decrypt_value(key, old_value, context=b"fields", legacy=True, **PLACE) == b"{}"


def test_it_reads_files_written_before_the_binding_with_their_key():
    key = _new_key()
    nonce_prefix = os.urandom(8)
    v1 = (
        b"PPE1"
        + nonce_prefix
        + AESGCM(key.plaintext).encrypt(nonce_prefix + bytes(4), b"old photo", b"last")
    )
    assert _decrypt(key, v1) == b"old photo"


def test_it_reseals_a_sealed_value_sealed_before_the_binding(settings):
    inner = crypto.DataKey(plaintext=AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    value = nonce + AESGCM(inner.plaintext).encrypt(nonce, b"token", b"token ctx")
    wrapped = _legacy_wrapped(inner.plaintext)
    sealed = len(wrapped).to_bytes(2, "big") + wrapped + value
    with pytest.raises(crypto.UnboundCiphertext):
        crypto.unseal(sealed, context=b"token ctx", shop_id=1, request_id=10)
    resealed = crypto.reseal(sealed, context=b"token ctx", shop_id=1, request_id=10)
    assert crypto.is_sealed_bound(resealed)
    assert crypto.unseal(resealed, context=b"token ctx", shop_id=1, request_id=10) == b"token"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(resealed, context=b"token ctx", shop_id=2, request_id=10)


def test_it_checks_master_keys_by_a_check_value_that_is_not_the_key():
    check = crypto.master_key_check_value(TEST_MASTER_KEY)
    assert TEST_MASTER_KEY not in check and len(check) == 32
    assert check != crypto.master_key_check_value(b"\x01" * 32)
    assert len(crypto.master_key_id(TEST_MASTER_KEY)) == 16


def test_it_seals_small_values_bound_to_their_context():
    sealed = crypto.seal(b"L898902C3", context=b"a")
    assert b"L898902C3" not in sealed
    assert crypto.unseal(sealed, context=b"a") == b"L898902C3"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(sealed, context=b"b")


def test_it_reads_the_encrypting_reader_in_any_slice_sizes():
    key = _new_key()
    plaintext = os.urandom(200_000)
    reader = crypto.EncryptingReader(key, io.BytesIO(plaintext))
    parts = []
    while part := reader.read(7919):
        parts.append(part)
    assert _decrypt(key, b"".join(parts)) == plaintext


def test_it_keeps_key_material_out_of_reprs():
    key = _new_key()
    assert key.plaintext.hex() not in repr(key)
    assert "hidden" in repr(key)
