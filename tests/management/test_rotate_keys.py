"""rotate_keys: re-wraps under the newest master key with progress, can be killed and run again
without loss, goes on past a row it cannot open (listing each with its key id), re-seals rows
sealed before the binding, retires keys nothing is under, and verifies by decrypting a sample or
everything (``--verify-only`` changes nothing)."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import CommandError, call_command

from portal.keys import decode_master_key, new_master_key_text
from tests.conftest import TEST_MASTER_KEY, key_text
from uploads.core import crypto, storage
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, DestructionRecord, MasterKey, PassportDocument
from uploads.requests import links
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention
from uploads.retention.services import key_rotation

ROOT = Path(__file__).resolve().parents[2]
NEW_KEY = b"\x07" * 32
pytestmark = pytest.mark.usefixtures("registered_keys")


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def _new_key_first(settings) -> None:  # type: ignore[no-untyped-def]
    """The operator puts a new key first and registers it, as the README says."""
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    call_command("register_encryption_key", stdout=StringIO())


def test_it_rewraps_everything_so_the_old_key_can_go(uploaded_request, link, settings):
    _new_key_first(settings)
    output = _rotate()
    assert "2 key(s) re-wrapped (1 data keys, 1 link tokens); 0 still under an old key" in output
    assert "0 key(s) re-wrapped" in _rotate()
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    document = document_selectors.document_current(upload_request=uploaded_request)
    image = storage.blob_read(
        key=document_selectors.document_key(document), name=document.blob_name
    )
    assert image.startswith(b"\xff\xd8")
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    uploaded_request.refresh_from_db()
    assert links.upload_link_current(upload_request=uploaded_request).token == link.token


def test_it_rewraps_and_verifies_second_documents_too(uploaded_request, passport_jpeg, settings):
    supporting = customs_decisions.supporting_document_submit(
        upload_request=uploaded_request, data=passport_jpeg
    )
    _new_key_first(settings)
    # A passport, a second document and a link token wait for the new key.
    assert key_rotation.keys_still_old() == 3

    output = _rotate("--verify-all")

    assert "second documents 1/1 checked, 1 re-wrapped" in output
    assert "(2 data keys, 1 link tokens); 0 still under an old key" in output
    assert "verification: 3 opened, 0 failed" in output
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    supporting.refresh_from_db()
    key = document_selectors.document_key(supporting)
    assert storage.blob_read(key=key, name=supporting.blob_name).startswith(b"\xff\xd8")


def test_it_prints_progress_per_batch(shop, settings):
    for number in range(5):
        request_services.order_create(shop_id=shop.pk, number=f"P-{number}", customer_name="Test")
    _new_key_first(settings)
    lines = _rotate("--batch-size", "2").splitlines()
    assert lines[:3] == [
        "link tokens 2/5 checked, 2 re-wrapped",
        "link tokens 4/5 checked, 4 re-wrapped",
        "link tokens 5/5 checked, 5 re-wrapped",
    ]


def test_it_verifies_every_document_with_verify_all(uploaded_request, settings):
    _new_key_first(settings)
    assert "verification: 2 opened, 0 failed" in _rotate("--verify-all")


def test_it_reports_a_document_that_does_not_open(uploaded_request, settings):
    document = document_selectors.document_current(upload_request=uploaded_request)
    path = Path(storage.passport_storage().path(document.blob_name))
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF  # one flipped bit in the last chunk: its tag no longer matches
    path.write_bytes(bytes(data))
    err = StringIO()
    with pytest.raises(CommandError, match="verification: 1 of 2 failed"):
        call_command("rotate_keys", "--verify-all", stdout=StringIO(), stderr=err)
    key_id = crypto.master_key_id(TEST_MASTER_KEY)
    assert (
        err.getvalue().strip() == f"document {document.pk}: DecryptionError (master key {key_id})"
    )


def test_it_goes_on_past_documents_it_cannot_open_and_lists_them_all(shop, passport_jpeg, settings):
    stray_key = b"\x09" * 32
    under_stray = []
    for number in range(3):
        link = request_services.order_create(
            shop_id=shop.pk, number=f"S-{number}", customer_name="S"
        )
        if number == 1:  # this one sealed by a replica that had a stray key first
            settings.PASSPORT_ENCRYPTION_KEYS = [stray_key]
        from tests.conftest import submit_and_confirm

        submit_and_confirm(link.upload_request, passport_jpeg)
        if number == 1:
            under_stray.append(PassportDocument.objects.get(upload_request=link.upload_request))
        settings.PASSPORT_ENCRYPTION_KEYS = [TEST_MASTER_KEY]
    _new_key_first(settings)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="could not be opened"):
        call_command("rotate_keys", "--verify-all", stdout=out, stderr=err)

    stray_id = crypto.master_key_id(stray_key)
    document = under_stray[0]
    assert err.getvalue().splitlines() == [
        f"document {document.pk}: MasterKeyMissing (master key {stray_id})"
    ]
    # The others were re-wrapped and verified all the same.
    assert "(2 data keys, 3 link tokens); 1 still under an old key" in out.getvalue()
    assert "re-wrapping: 1 could not be opened" in out.getvalue()
    # A key is not retired while a row that did not open might still be under it.
    assert not MasterKey.objects.filter(retired_at__isnull=False).exists()


def test_it_verifies_only_with_verify_only(uploaded_request, settings):
    _new_key_first(settings)
    document = document_selectors.document_current(upload_request=uploaded_request)
    before = bytes(document.wrapped_key)

    output = _rotate("--verify-only", "--verify-all")

    assert "re-wrapped" not in output
    assert "verification: 2 opened, 0 failed" in output
    document.refresh_from_db()
    assert bytes(document.wrapped_key) == before
    assert key_rotation.keys_still_old() == 2
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.KEY_ROTATION).exists()


def test_it_refuses_to_rotate_to_a_key_that_is_not_registered(uploaded_request, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]  # not registered
    with pytest.raises(CommandError, match="not registered"):
        _rotate()
    assert key_rotation.keys_still_old() == 2


def test_it_retires_the_old_key_once_nothing_is_under_it(uploaded_request, settings):
    _new_key_first(settings)
    output = _rotate()
    old_id = crypto.master_key_id(TEST_MASTER_KEY)
    assert f"master key {old_id} retired" in output
    assert MasterKey.objects.get(key_id=old_id).retired_at is not None
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can go now
    from uploads.retention.services import master_keys

    assert master_keys.master_keys_problems() == []


def test_it_reseals_rows_sealed_before_the_binding(uploaded_request, settings):
    """A document, its fields and the link token as an older version sealed them (a constant
    authenticated data) are refused by ordinary reads, and re-sealed bound by rotate_keys."""
    document = document_selectors.document_current(upload_request=uploaded_request)
    key = document_selectors.document_key(document)
    fields = document_selectors.document_fields(document=document)
    nonce = os.urandom(12)
    legacy_wrapped = (
        crypto._fingerprint(TEST_MASTER_KEY)
        + nonce
        + AESGCM(TEST_MASTER_KEY).encrypt(nonce, key.plaintext, b"passport-portal data key v1")
    )
    nonce = os.urandom(12)
    legacy_fields = nonce + AESGCM(key.plaintext).encrypt(
        nonce, json.dumps(fields).encode(), b"passport fields v1"
    )
    PassportDocument.objects.filter(pk=document.pk).update(
        wrapped_key=legacy_wrapped, fields_sealed=legacy_fields
    )
    document.refresh_from_db()
    with pytest.raises(crypto.UnboundCiphertext):
        document_selectors.document_fields(document=document)
    assert key_rotation.keys_still_old() == 1

    assert "1 key(s) re-wrapped (1 data keys, 0 link tokens)" in _rotate("--verify-all")

    document.refresh_from_db()
    assert crypto.is_bound(bytes(document.wrapped_key))
    assert document_selectors.document_fields(document=document) == fields


def test_it_skips_erased_passports_and_links(uploaded_request, settings):
    retention.request_erase(
        upload_request=uploaded_request, reason=DestructionRecord.Reason.RETENTION
    )
    _new_key_first(settings)
    assert "0 key(s) re-wrapped" in _rotate("--verify-all")


def test_it_audits_a_rotation(uploaded_request, settings):
    _new_key_first(settings)
    _rotate()
    event = AuditEvent.objects.get(action=AuditEvent.Action.KEY_ROTATION)
    assert event.detail == "1 data keys, 1 link tokens re-wrapped"


# --- killed midway ----------------------------------------------------------------------------

SEED = textwrap.dedent(
    """
    import django; django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from uploads.core import crypto, storage
    from uploads.documents import selectors as document_selectors
    from uploads.documents import services as document_services
    from uploads.models import Consent, PassportDocument, Shop
    from uploads.papers import services as papers_services
    from uploads.papers.operator import DEMO_OPERATOR
    from uploads.requests import services as request_services
    shop = Shop.objects.create(name="Rotation shop", **DEMO_OPERATOR)
    consent_document = papers_services.consent_document_shown(shop=shop, language="ru")
    for number in range({count}):
        link = request_services.order_create(shop_id=shop.pk, number=f"R-{{number}}", customer_name="R")
        consent = Consent.objects.create(
            upload_request=link.upload_request, document=consent_document, language="ru"
        )
        key = crypto.new_data_key(
            context=document_selectors.PASSPORT_FILE_CONTEXT, shop_id=shop.pk,
            request_id=link.upload_request.pk,
        )
        name, size = storage.blob_save(key=key, plaintext=f"passport {{number}}".encode() * 100)
        document = PassportDocument.objects.create(
            upload_request=link.upload_request, consent=consent, blob_name=name,
            wrapped_key=b"", original_format="JPEG", width=1, height=1, stored_bytes=size,
        )
        document.wrapped_key = crypto.wrap_data_key(
            key, context=document_selectors.PASSPORT_FILE_CONTEXT,
            **document_selectors.document_place(document),
        )
        document.fields_sealed = document_services.fields_seal(
            key, document=document, fields={{"number": f"N{{number}}"}}
        )
        document.save()
    print("seeded")
    """
)

CHECK = textwrap.dedent(
    """
    import django; django.setup()
    from uploads.core import crypto, storage
    from uploads.documents import selectors as document_selectors
    from uploads.models import PassportDocument
    opened = old = 0
    for document in PassportDocument.objects.order_by("pk"):
        key = document_selectors.document_key(document)
        text = storage.blob_read(key=key, name=document.blob_name).decode()
        number = document_selectors.document_fields(document=document)["number"][1:]
        assert text == f"passport {number}" * 100, document.pk
        opened += 1
        old += not crypto.is_wrapped_by_primary_key(bytes(document.wrapped_key))
    print(opened, old)
    """
)


def _env(tmp_path: Path, keys: list[bytes]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'rotation.sqlite3'}",
            "PASSPORT_ENCRYPTION_KEYS": ",".join(key_text(key) for key in keys),
        }
    )
    return env


def _python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def test_it_loses_nothing_when_killed_midway_and_run_again(tmp_path):
    count = 60
    old_key = TEST_MASTER_KEY
    new_key = decode_master_key(new_master_key_text())
    assert _python(SEED.format(count=count), _env(tmp_path, [old_key])) == "seeded"

    both = _env(tmp_path, [new_key, old_key])
    register = subprocess.run(
        [sys.executable, "manage.py", "register_encryption_key"],
        cwd=ROOT,
        env=both,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert register.returncode == 0, register.stderr
    rotation = subprocess.Popen(
        [sys.executable, "manage.py", "rotate_keys", "--batch-size", "5", "--pause", "0.3"],
        cwd=ROOT,
        env=both,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert rotation.stdout is not None
    first = rotation.stdout.readline()
    second = rotation.stdout.readline()
    assert first.startswith("documents 5/60") and second.startswith("documents 10/60"), first
    rotation.send_signal(signal.SIGKILL)
    rotation.wait(timeout=30)
    assert rotation.returncode == -signal.SIGKILL

    # Midway: some data keys are under the new master key, the rest under the old; all open.
    opened, still_old = map(int, _python(CHECK, both).split())
    assert opened == count
    assert 0 < still_old < count

    # Run again to the end; then every document opens with the new key alone.
    finish = subprocess.run(
        [sys.executable, "manage.py", "rotate_keys", "--verify-all"],
        cwd=ROOT,
        env=both,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finish.returncode == 0, finish.stderr
    assert "; 0 still under an old key" in finish.stdout
    assert f"verification: {2 * count} opened, 0 failed" in finish.stdout
    assert _python(CHECK, _env(tmp_path, [new_key])).split() == [str(count), "0"]
