import io
import os

import pytest

from tests.conftest import TEST_MASTER_KEY
from uploads.core import crypto


def _encrypt(key: crypto.DataKey, plaintext: bytes) -> bytes:
    return b"".join(crypto.encrypt_stream(key, io.BytesIO(plaintext)))


def _decrypt(key: crypto.DataKey, ciphertext: bytes) -> bytes:
    return b"".join(crypto.decrypt_stream(key, io.BytesIO(ciphertext)))


@pytest.mark.parametrize(
    "size", [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE + 17]
)
def test_it_round_trips_streams_of_any_size(size):
    key = crypto.new_data_key()
    plaintext = os.urandom(size)
    ciphertext = _encrypt(key, plaintext)
    assert len(ciphertext) == crypto.encrypted_size(size)
    assert _decrypt(key, ciphertext) == plaintext


def test_it_never_contains_the_plaintext():
    key = crypto.new_data_key()
    plaintext = b"P<UTOERIKSSON<<ANNA<MARIA" * 4000
    ciphertext = _encrypt(key, plaintext)
    assert b"ERIKSSON" not in ciphertext


def test_it_uses_a_fresh_data_key_and_nonce_each_time():
    first, second = crypto.new_data_key(), crypto.new_data_key()
    assert first.plaintext != second.plaintext
    assert _encrypt(first, b"same") != _encrypt(first, b"same")


@pytest.mark.parametrize("damage", ["flip", "truncate_chunk", "drop_last_chunk", "swap_chunks"])
def test_it_refuses_tampered_streams(damage):
    key = crypto.new_data_key()
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
        _decrypt(crypto.new_data_key(), b"\xff\xd8\xff\xe0 plain jpeg")


def test_it_wraps_data_keys_under_the_first_master_key(settings):
    key = crypto.new_data_key()
    assert key.plaintext not in key.wrapped
    assert crypto.unwrap_data_key(key.wrapped).plaintext == key.plaintext
    assert crypto.is_wrapped_by_primary_key(key.wrapped)


def test_it_still_decrypts_with_an_older_key_after_rotation(settings):
    key = crypto.new_data_key()
    ciphertext = _encrypt(key, b"passport")
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x01" * 32, TEST_MASTER_KEY]
    assert not crypto.is_wrapped_by_primary_key(key.wrapped)
    assert _decrypt(crypto.unwrap_data_key(key.wrapped), ciphertext) == b"passport"
    rewrapped = crypto.rewrap_data_key(key.wrapped)
    assert crypto.is_wrapped_by_primary_key(rewrapped)
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x01" * 32]
    assert _decrypt(crypto.unwrap_data_key(rewrapped), ciphertext) == b"passport"


def test_it_fails_clearly_when_the_master_key_is_gone(settings):
    key = crypto.new_data_key()
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x02" * 32]
    with pytest.raises(crypto.DecryptionError, match="no longer configured"):
        crypto.unwrap_data_key(key.wrapped)


def test_it_seals_small_values_bound_to_their_context():
    sealed = crypto.seal(b"L898902C3", context=b"a")
    assert b"L898902C3" not in sealed
    assert crypto.unseal(sealed, context=b"a") == b"L898902C3"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(sealed, context=b"b")


def test_it_reads_the_encrypting_reader_in_any_slice_sizes():
    key = crypto.new_data_key()
    plaintext = os.urandom(200_000)
    reader = crypto.EncryptingReader(key, io.BytesIO(plaintext))
    parts = []
    while part := reader.read(7919):
        parts.append(part)
    assert _decrypt(key, b"".join(parts)) == plaintext


def test_it_keeps_key_material_out_of_reprs():
    key = crypto.new_data_key()
    assert key.plaintext.hex() not in repr(key)
    assert "hidden" in repr(key)
