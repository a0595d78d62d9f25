"""Encrypted blobs in the ``passports`` storage (local disk or S3, see STORAGES in settings)."""

import contextlib
import io
import re
import secrets
from collections.abc import Iterator
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.core.files.storage import Storage, storages

from uploads.core import crypto
from uploads.core.errors import StorageUnavailable

# "<first 2 hex digits>/<32 hex digits>.enc", as blob_save names them.
BLOB_FOLDER = re.compile(r"[0-9a-f]{2}")
BLOB_FILE = re.compile(r"[0-9a-f]{32}\.enc")


def passport_storage() -> Storage:
    return storages["passports"]


# S3 answers that mean "the object is not there", not "the storage is down".
_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


@contextlib.contextmanager
def _storage_reached() -> Iterator[None]:
    """Turn the storage not answering (S3 unreachable, timing out, failing with 5xx or refusing
    our credentials; a local disk full or unwritable) into ``StorageUnavailable``, one error the
    callers and ``portal.outages`` know. A missing object stays FileNotFoundError (S3: a
    ClientError 404) and an object that does not decrypt stays crypto's error: those are not
    outages."""
    try:
        yield
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code", "")) in _MISSING_CODES:
            raise
        raise StorageUnavailable() from error
    except BotoCoreError as error:
        raise StorageUnavailable() from error
    except FileNotFoundError:
        raise
    except OSError as error:  # local disk; also urllib3's connection errors, which are OSErrors
        raise StorageUnavailable() from error


def warm_up() -> None:
    """Open the storage's connection now (S3: load the client model), not in a customer's upload."""
    getattr(passport_storage(), "connection", None)


def blob_save(*, key: crypto.DataKey, plaintext: bytes) -> tuple[str, int]:
    """Encrypt and store ``plaintext`` under a random name; return the name and stored size.

    The name carries no order number or customer name: a listing of the bucket says nothing.
    """
    name = secrets.token_hex(16)
    name = f"{name[:2]}/{name}.enc"
    reader = crypto.EncryptingReader(key, io.BytesIO(plaintext))
    with _storage_reached():
        stored_name = passport_storage().save(name, File(reader, name=name))
    return stored_name, crypto.encrypted_size(len(plaintext))


def blob_open(*, key: crypto.DataKey, name: str) -> Iterator[bytes]:
    """Yield the decrypted content of a stored blob chunk by chunk."""
    with _storage_reached(), passport_storage().open(name, "rb") as handle:
        yield from crypto.decrypt_stream(key, handle)


def blob_read(*, key: crypto.DataKey, name: str) -> bytes:
    return b"".join(blob_open(key=key, name=name))


def blob_delete(*, name: str) -> None:
    with _storage_reached():
        passport_storage().delete(name)


def blob_folders() -> list[str]:
    """The folders blob_save has written into (at most 256); other names in the storage (the
    health check's probes) are not blobs."""
    try:
        folders, _files = passport_storage().listdir("")
    except FileNotFoundError:  # local storage before the first upload
        return []
    return sorted(folder for folder in folders if BLOB_FOLDER.fullmatch(folder))


def blob_names_in(folder: str) -> list[str]:
    _folders, files = passport_storage().listdir(folder)
    return [f"{folder}/{file}" for file in files if BLOB_FILE.fullmatch(file)]


def blob_stored_at(*, name: str) -> datetime:
    return passport_storage().get_modified_time(name)
