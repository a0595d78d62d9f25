"""The scale-out settings: task backend, cache, and a web tier that keeps nothing on local disk."""

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

from bench import stack
from portal.backends import cache_from_url, tasks_backend
from portal.keys import new_master_key_text

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "passports.example.com",
    "SITE_URL": "https://passports.example.com",
    "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
    "EMAIL_HOST": "smtp.example.com",
    "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
    "STORAGE_BACKEND": "s3",
    "S3_BUCKET": "passports",
    "TASKS_BACKEND": "database",
    "CACHE_URL": "redis://cache.example.com:6379/0",
}
PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings
print(json.dumps({
    "tasks": settings.TASKS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "cache_prefix": settings.CACHES["default"]["KEY_PREFIX"],
    "sessions": settings.SESSION_ENGINE,
    "passports": settings.STORAGES["passports"]["BACKEND"],
    "acl": settings.STORAGES["passports"].get("OPTIONS", {}).get("default_acl"),
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "middleware": settings.MIDDLEWARE,
}))
"""


def _settings(data_dir: Path, **overrides: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    env.update({"DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "portal.settings"})
    for key, value in {**PRODUCTION, **overrides}.items():
        if value is not None:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_it_selects_workers_redis_s3_and_keeps_nothing_on_the_web_machine(tmp_path):
    data_dir = tmp_path / "data"
    result = _settings(data_dir, CACHE_KEY_PREFIX="shop-eu")

    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    assert chosen["tasks"] == "django_tasks_db.DatabaseBackend"
    assert chosen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert chosen["cache_location"] == "redis://cache.example.com:6379/0"
    assert chosen["cache_prefix"] == "shop-eu"
    assert chosen["sessions"] == "portal.sessions"  # in the database, under a hash of the key
    assert chosen["passports"] == "uploads.core.s3_storage.PassportS3Storage"
    assert chosen["acl"] == "private"
    assert chosen["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in chosen["middleware"]
    # No development key, no SQLite file, no email folder: the data folder is never even made.
    assert not data_dir.exists()


def test_it_runs_tasks_in_the_request_and_caches_in_memory_by_default(tmp_path):
    result = _settings(
        tmp_path, DEBUG="1", TASKS_BACKEND=None, CACHE_URL=None, STORAGE_BACKEND=None
    )

    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    assert chosen["tasks"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert chosen["cache"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of immediate, database"),
        ({"CACHE_URL": "memcached://secret@cache:11211"}, "CACHE_URL must start with"),
        ({"MRZ_READING_TIMEOUT_S": "0"}, "MRZ_READING_TIMEOUT_S must be at least 1"),
    ],
)
def test_it_refuses_a_bad_scale_out_setting(tmp_path, overrides, message):
    result = _settings(tmp_path, **overrides)
    assert result.returncode != 0
    assert message in result.stderr
    assert "secret@" not in result.stderr


def test_it_accepts_a_task_backend_import_path():
    assert tasks_backend("Database") == "django_tasks_db.DatabaseBackend"
    assert tasks_backend("my.tasks.Backend") == "my.tasks.Backend"
    with pytest.raises(ImproperlyConfigured):
        tasks_backend("")


def test_it_never_repeats_a_cache_password_in_its_error():
    with pytest.raises(ImproperlyConfigured) as refused:
        cache_from_url("memcache://user:hunter2@cache:11211")
    assert "hunter2" not in str(refused.value)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server on loopback, with no persistence, stopped after the test."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: run ./scripts/system-deps.sh --tests as root")
    [port] = stack.free_ports(1)
    log = tmp_path / "redis.log"
    process = stack.start(
        [server, "--bind", stack.HOST, "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        env={"PATH": "/usr/bin:/bin"}, log=log, cwd=tmp_path,
    )  # fmt: skip
    try:
        stack.wait_until(
            lambda: socket.create_connection((stack.HOST, port), timeout=0.2).close() is None,
            what="redis-server", timeout_s=10, process=process, log=log,
        )  # fmt: skip
        yield f"redis://{stack.HOST}:{port}/0"
    finally:
        stack.stop(process, grace_s=10)


def test_it_shares_the_cache_through_a_real_redis(settings, redis_url):
    settings.CACHES = {"default": cache_from_url(redis_url)}
    cache = caches["default"]

    cache.set("rate:link:203.0.113.7", 3, timeout=30)
    assert cache.incr("rate:link:203.0.113.7") == 4

    # A second process reaching the same Redis sees the same count, which locmem could not give.
    import redis

    assert int(redis.Redis.from_url(redis_url).get(cache.make_key("rate:link:203.0.113.7"))) == 4
