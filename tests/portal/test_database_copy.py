"""A copy of the database opens nothing (#20 item 9): read straight from the raw tables, it holds
no session key that works, no authenticator seed and no backup code."""

import re
from base64 import b32encode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from portal import two_factor_services
from portal.sessions import session_key_hash
from tests.conftest import login
from uploads.models import StaffTOTPDevice

CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")


def _raw(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor]


def test_the_session_table_holds_no_key_that_signs_in(client, alice):
    login(client, alice)
    cookie_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(CHANGELIST).status_code == 200

    stored = [key for (key,) in _raw("SELECT session_key FROM django_session")]

    assert cookie_key not in stored
    assert session_key_hash(cookie_key) in stored
    for key in stored:  # replaying what a database copy holds
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = key
        response = thief.get(CHANGELIST)
        assert response.status_code == 302  # to the sign-in page


def test_signing_out_deletes_the_session_row(client, alice):
    login(client, alice)
    assert _raw("SELECT COUNT(*) FROM django_session") == [(1,)]
    client.post(reverse("admin:logout"))
    assert _raw("SELECT COUNT(*) FROM django_session") == [(0,)]


def test_a_customer_session_works_and_is_stored_hashed(customer, link):
    cookie_key = customer.cookies[settings.SESSION_COOKIE_NAME].value
    assert customer.get("/upload/").status_code == 200
    stored = [key for (key,) in _raw("SELECT session_key FROM django_session")]
    assert stored == [session_key_hash(cookie_key)]


def test_the_authenticator_seed_is_stored_sealed(alice):
    device = two_factor_services.totp_device_create(user=alice)
    seed = device.bin_key
    rows = _raw("SELECT * FROM uploads_stafftotpdevice")
    raw = repr(rows).encode()
    assert rows
    for form in (seed, seed.hex().encode(), b32encode(seed)):
        assert form not in raw
        assert all(form not in value for row in rows for value in row if isinstance(value, bytes))
    # django-otp's own table, which held seeds in clear, is empty.
    assert _raw("SELECT COUNT(*) FROM otp_totp_totpdevice") == [(0,)]
    # The seed still gives the codes the app shows.
    totp = TOTP(seed, device.step, device.t0, device.digits, device.drift)
    assert device.verify_token(f"{totp.token():06d}")


def test_backup_codes_are_stored_as_salted_hashes_only(alice):
    codes = two_factor_services.backup_codes_replace(user=alice)
    rows = _raw("SELECT code_hash FROM uploads_backupcode")
    stored = " ".join(code_hash for (code_hash,) in rows)
    assert len(rows) == len(codes)
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
        assert re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", code)
    assert _raw("SELECT COUNT(*) FROM otp_static_statictoken") == [(0,)]


def test_the_upgrade_moves_clear_seeds_and_codes_out_of_the_database(alice):
    """Staff enrolled before the upgrade keep their app and backup codes; the clear rows go."""
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from uploads.models import BackupCodeDevice

    old_device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    static = StaticDevice.objects.create(user=alice, name="backup codes", confirmed=True)
    StaticToken.objects.create(device=static, token="abcdefgh")

    migration = importlib.import_module("uploads.migrations.0014_two_factor_sealed")
    migration.move_second_factors(apps, None)

    assert _raw("SELECT COUNT(*) FROM otp_totp_totpdevice") == [(0,)]
    assert _raw("SELECT COUNT(*) FROM otp_static_statictoken") == [(0,)]
    device = StaffTOTPDevice.objects.get(user=alice)
    assert device.bin_key == old_device.bin_key and device.confirmed
    assert "abcdefgh" not in repr(_raw("SELECT code_hash FROM uploads_backupcode"))
    codes = BackupCodeDevice.objects.get(user=alice)
    assert codes.verify_token("abcdefgh")
    assert not codes.verify_token("abcdefgh")  # single use
