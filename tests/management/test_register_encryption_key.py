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
