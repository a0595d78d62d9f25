"""/health: 200 when the database, the passport storage and the keys work; 503 naming the failed
check and nothing else."""

import json

import pytest
from django.db import connection
from django.db.utils import OperationalError

from portal import health
from tests.conftest import TEST_MASTER_KEY, submit_and_confirm
from uploads.core import crypto, storage
from uploads.models import PassportDocument

pytestmark = pytest.mark.usefixtures("registered_keys")


def _health(client):
    response = client.get("/health")
    return response, json.loads(response.content)


def test_it_is_healthy_and_leaves_no_probe_behind(client, db, settings, tmp_path):
    response, body = _health(client)

    assert response.status_code == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "keys": "ok"}}
    assert "no-cache" in response["Cache-Control"]
    leftovers = [path for path in (tmp_path / "passports").rglob("*") if path.is_file()]
    assert leftovers == []


def test_it_fails_when_the_storage_cannot_be_written(client, db, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the storage folder should be")
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocked), "base_url": None},
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "passports": storage}

    response, body = _health(client)

    assert response.status_code == 503
    assert body == {
        "status": "fail",
        "checks": {"database": "ok", "storage": "fail", "keys": "ok"},
    }
    assert str(tmp_path) not in response.content.decode()


def test_it_fails_when_the_keys_no_longer_open_stored_passports(
    client, settings, upload_request, passport_jpeg
):
    submit_and_confirm(upload_request, passport_jpeg)
    settings.PASSPORT_ENCRYPTION_KEYS = [bytes(32)]  # a replica started with the wrong key list

    response, body = _health(client)

    assert response.status_code == 503
    assert body["checks"] == {"database": "ok", "storage": "ok", "keys": "fail"}
    assert crypto.master_key_id(bytes(32)) not in response.content.decode()


def test_it_fails_a_replica_that_lacks_a_key_still_in_use(client, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [TEST_MASTER_KEY]
    # The register holds a second key still in use (an old key not yet retired).
    from tests.conftest import keys_registered

    keys_registered([TEST_MASTER_KEY, b"\x05" * 32])

    response, body = _health(client)

    assert response.status_code == 503
    assert body["checks"]["keys"] == "fail"


def test_only_the_bad_replica_fails_whatever_the_newest_passport(
    client, settings, upload_request, passport_jpeg
):
    """A passport sealed under a stray key (the fault of #19) does not take the correctly
    configured replicas out: /health checks the process's own keys, not the newest passport."""
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x09" * 32]
    submit_and_confirm(upload_request, passport_jpeg)
    assert PassportDocument.objects.exclude(wrapped_key=b"").exists()
    assert _health(client)[1]["checks"]["keys"] == "fail"  # the stray replica

    settings.PASSPORT_ENCRYPTION_KEYS = [TEST_MASTER_KEY]  # a correctly configured one

    response, body = _health(client)

    assert response.status_code == 200
    assert body["checks"]["keys"] == "ok"


def test_it_fails_when_the_database_does_not_answer(client, db, monkeypatch, caplog):
    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server at db.internal:5432")

    with monkeypatch.context() as patch:  # undone before the test database is cleaned up
        patch.setattr(connection, "cursor", refused)
        response, body = _health(client)

    assert response.status_code == 503
    assert body["checks"]["database"] == "fail"
    assert "db.internal" not in response.content.decode()
    assert "health check database failed: OperationalError" in caplog.text


# --- the storage probe: at most once a minute per process --------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _count_writes(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    backend = storage.passport_storage()
    writes: list[str] = []
    real_save = backend.save

    def save(name, content, *args, **kwargs):  # type: ignore[no-untyped-def]
        writes.append(name)
        return real_save(name, content, *args, **kwargs)

    monkeypatch.setattr(backend, "save", save)
    return writes


def test_it_writes_the_storage_probe_at_most_once_a_minute(client, db, monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(health, "_monotonic", clock)
    writes = _count_writes(monkeypatch)

    first, _ = _health(client)
    clock.now += 59
    second, body = _health(client)

    assert (first.status_code, second.status_code) == (200, 200)
    assert body["checks"]["storage"] == "ok"
    assert len(writes) == 1

    clock.now += 2  # a minute and a second after the probe
    _health(client)
    assert len(writes) == 2


def test_it_remembers_a_failed_probe_for_the_minute_too(client, db, monkeypatch, caplog):
    clock = _Clock()
    monkeypatch.setattr(health, "_monotonic", clock)
    writes = _count_writes(monkeypatch)
    backend = storage.passport_storage()

    def broken_open(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(backend, "open", broken_open)
    assert _health(client)[1]["checks"]["storage"] == "fail"
    clock.now += 30
    assert _health(client)[1]["checks"]["storage"] == "fail"
    assert len(writes) == 1
    assert "disk gone" not in _health(client)[0].content.decode()


# --- only the load balancer's addresses, when configured ----------------------------------------


@pytest.mark.parametrize(
    ("allowed", "remote", "status"),
    [
        ([], "203.0.113.9", 200),  # empty: anyone
        (["10.0.0.7"], "10.0.0.7", 200),
        (["10.0.0.0/24"], "10.0.0.200", 200),
        (["10.0.0.0/24", "fd00::/8"], "fd00::5", 200),
        (["10.0.0.7"], "10.0.0.8", 404),
        (["10.0.0.0/24"], "203.0.113.9", 404),
        (["10.0.0.7"], "", 404),
    ],
)
def test_it_answers_only_the_allowed_addresses(client, db, settings, allowed, remote, status):
    settings.HEALTH_ALLOWED_IPS = allowed
    response = client.get("/health", REMOTE_ADDR=remote)
    assert response.status_code == status
    if status == 404:
        assert b"database" not in response.content


def test_it_reads_the_callers_address_as_the_proxy_saw_it(client, db, settings):
    settings.HEALTH_ALLOWED_IPS = ["10.0.0.7"]
    settings.BEHIND_PROXY = True
    # The client chose the first entry; the proxy appended the last one.
    spoofed = client.get(
        "/health", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.7, 203.0.113.9"
    )
    genuine = client.get("/health", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.7")
    assert (spoofed.status_code, genuine.status_code) == (404, 200)


def test_a_refused_caller_makes_no_storage_write(client, db, settings, monkeypatch):
    settings.HEALTH_ALLOWED_IPS = ["10.0.0.7"]
    writes = _count_writes(monkeypatch)
    assert client.get("/health", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert writes == []
