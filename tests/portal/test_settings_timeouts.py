"""Nothing waits longer than the load balancer: database connect and statement timeouts, the
client's own deadline on PostgreSQL, and the S3 client's timeouts and retries."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.keys import new_master_key_text

pytestmark = pytest.mark.server  # a fresh interpreter reads the settings

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings
from django.core.files.storage import storages
config = storages["passports"].client_config
database = settings.DATABASES["default"]
print(json.dumps({
    "engine": database["ENGINE"],
    "options": database.get("OPTIONS", {}),
    "s3": [config.connect_timeout, config.read_timeout, config.retries],
}))
"""


def _settings(tmp_path: Path, **overrides: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("S3_", "DATA"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings", "DATA_DIR": str(tmp_path),
        "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
        "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
        "STORAGE_BACKEND": "s3", "S3_BUCKET": "passports", **overrides,
    })  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_it_bounds_every_wait_by_default(tmp_path):
    found = _settings(tmp_path)
    assert found["engine"] == "portal.postgresql"  # PostgreSQL plus the client's deadline
    assert found["options"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=20000 -c lock_timeout=10000"
        " -c idle_in_transaction_session_timeout=60000",
    }
    assert found["s3"] == [3, 10, {"max_attempts": 2, "mode": "standard"}]


def test_it_takes_the_timeouts_from_the_environment(tmp_path):
    found = _settings(
        tmp_path,
        DATABASE_CONNECT_TIMEOUT_S="2",
        DATABASE_STATEMENT_TIMEOUT_S="0",
        S3_CONNECT_TIMEOUT_S="1",
        S3_READ_TIMEOUT_S="4",
        S3_MAX_ATTEMPTS="1",
    )
    assert found["options"] == {"connect_timeout": 2}  # 0: no statement timeout at all
    assert found["s3"] == [1, 4, {"max_attempts": 1, "mode": "standard"}]
