"""register_encryption_key, the system check and the start-up refusal: a process whose first key
is not registered, or that lacks a key still in use, does not start (#19)."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError

from tests.conftest import TEST_MASTER_KEY, keys_registered
from uploads.core import crypto
from uploads.models import MasterKey
from uploads.retention.services import master_keys

NEW_KEY = b"\x07" * 32
STRAY_KEY = b"\x09" * 32
pytestmark = pytest.mark.usefixtures("registered_keys")


def _check() -> None:
    call_command("check", stdout=StringIO(), stderr=StringIO())


def test_the_register_holds_ids_and_check_values_never_keys():
    row = MasterKey.objects.get()
    assert row.key_id == crypto.master_key_id(TEST_MASTER_KEY)
    assert TEST_MASTER_KEY not in bytes(row.check_value)
    assert bytes(row.check_value) == crypto.master_key_check_value(TEST_MASTER_KEY)


def test_check_passes_with_the_installations_keys():
    _check()
    master_keys.master_keys_require()


def test_a_stray_key_list_fails_the_check_and_the_start(settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]
    stray_id = crypto.master_key_id(STRAY_KEY)
    with pytest.raises(SystemCheckError, match=f"id {stray_id}. is not registered"):
        _check()
    with pytest.raises(ImproperlyConfigured, match="is not registered"):
        master_keys.master_keys_require()


def test_a_list_lacking_a_key_still_in_use_fails_the_check(settings):
    keys_registered([NEW_KEY, TEST_MASTER_KEY])
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    old_id = crypto.master_key_id(TEST_MASTER_KEY)
    with pytest.raises(SystemCheckError, match=f"master key {old_id} is still in use"):
        _check()


def test_registering_a_new_first_key_is_explicit_and_then_starts(settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    with pytest.raises(SystemCheckError):
        _check()
    out = StringIO()
    call_command("register_encryption_key", stdout=out)
    assert f"registered master key {crypto.master_key_id(NEW_KEY)}" in out.getvalue()
    _check()


def test_a_stray_list_cannot_be_registered(settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]  # lacks the key everything is sealed under
    with pytest.raises(CommandError, match="lacks master key"):
        call_command("register_encryption_key", stdout=StringIO())
    assert not MasterKey.objects.filter(key_id=crypto.master_key_id(STRAY_KEY)).exists()


def test_a_key_with_a_wrong_check_value_fails(settings):
    MasterKey.objects.update(check_value=b"\x00" * 32)
    with pytest.raises(SystemCheckError, match="does not match its check value"):
        _check()


@pytest.mark.server
def test_a_web_process_and_a_worker_with_a_stray_key_refuse_to_start(tmp_path):
    """The fault of #19: a replica started with a stray key list. Migrated with the right key,
    then started with another: the WSGI application and the worker stop with the key id."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import key_text

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASKS_BACKEND": "database",
        "PASSPORT_ENCRYPTION_KEYS": key_text(TEST_MASTER_KEY),
    }

    def run(*args: str, keys: bytes) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=root,
            env={**env, "PASSPORT_ENCRYPTION_KEYS": key_text(keys)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run("manage.py", "migrate", "--noinput", "-v", "0", keys=TEST_MASTER_KEY).returncode == 0
    assert run("-c", "import portal.wsgi", keys=TEST_MASTER_KEY).returncode == 0

    stray_id = crypto.master_key_id(STRAY_KEY)
    web = run("-c", "import portal.wsgi", keys=STRAY_KEY)
    worker = run("manage.py", "db_worker", "--no-reload", "--no-startup-delay", keys=STRAY_KEY)
    check = run("manage.py", "check", keys=STRAY_KEY)

    for process in (web, worker, check):
        assert process.returncode != 0
        assert f"(id {stray_id}) is not registered" in process.stderr
    assert STRAY_KEY.hex() not in web.stderr + worker.stderr + check.stderr
