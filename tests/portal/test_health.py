"""/health: 200 when the database, the passport storage and the keys work; 503 naming the failed
check and nothing else."""

import json

from django.db import connection
from django.db.utils import OperationalError

from tests.conftest import submit_and_confirm


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
