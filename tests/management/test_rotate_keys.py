"""rotate_keys: re-wraps under the newest master key with progress, can be killed and run again
without loss, and verifies by decrypting a sample or everything."""

import os
import signal
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.keys import decode_master_key, new_master_key_text
from tests.conftest import TEST_MASTER_KEY, key_text
from uploads.core import storage
from uploads.core.crypto import unwrap_data_key
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, DestructionRecord
from uploads.requests import links
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention
from uploads.retention.services import key_rotation

ROOT = Path(__file__).resolve().parents[2]
NEW_KEY = b"\x07" * 32


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


def test_it_rewraps_everything_so_the_old_key_can_go(uploaded_request, link, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    output = _rotate()
    assert "2 key(s) re-wrapped (1 data keys, 1 link tokens); 0 still under an old key" in output
    assert "0 key(s) re-wrapped" in _rotate()
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    document = document_selectors.document_current(upload_request=uploaded_request)
    image = storage.blob_read(key=unwrap_data_key(document.wrapped_key), name=document.blob_name)
    assert image.startswith(b"\xff\xd8")
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    uploaded_request.refresh_from_db()
    assert links.upload_link_current(upload_request=uploaded_request).token == link.token


def test_it_rewraps_and_verifies_second_documents_too(uploaded_request, passport_jpeg, settings):
    supporting = customs_decisions.supporting_document_submit(
        upload_request=uploaded_request, data=passport_jpeg
    )
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    # A passport, a second document and a link token wait for the new key.
    assert key_rotation.keys_still_old() == 3

    output = _rotate("--verify-all")

    assert "second documents 1/1 checked, 1 re-wrapped" in output
    assert "(2 data keys, 1 link tokens); 0 still under an old key" in output
    assert "verification: 3 opened, 0 failed" in output
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    supporting.refresh_from_db()
    key = unwrap_data_key(bytes(supporting.wrapped_key))
    assert storage.blob_read(key=key, name=supporting.blob_name).startswith(b"\xff\xd8")


def test_it_prints_progress_per_batch(shop, settings):
    for number in range(5):
        request_services.order_create(shop_id=shop.pk, number=f"P-{number}", customer_name="Test")
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    lines = _rotate("--batch-size", "2").splitlines()
    assert lines[:3] == [
        "link tokens 2/5 checked, 2 re-wrapped",
        "link tokens 4/5 checked, 4 re-wrapped",
        "link tokens 5/5 checked, 5 re-wrapped",
    ]


def test_it_verifies_every_document_with_verify_all(uploaded_request, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
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
    assert err.getvalue().strip() == f"document {document.pk}: DecryptionError"


def test_it_says_when_an_old_key_was_dropped_too_early(uploaded_request, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]  # the old one removed before rotating
    with pytest.raises(Exception, match="no longer configured"):
        _rotate()


def test_it_skips_erased_passports_and_links(uploaded_request, settings):
    retention.request_erase(
        upload_request=uploaded_request, reason=DestructionRecord.Reason.RETENTION
    )
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    assert "0 key(s) re-wrapped" in _rotate("--verify-all")


def test_it_audits_a_rotation(uploaded_request, settings):
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
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
    from uploads.papers.operator import DEMO_OPERATOR
    from uploads.requests import services as request_services
    shop = Shop.objects.create(name="Rotation shop", **DEMO_OPERATOR)
    consent_text = document_selectors.consent_text_current()
    for number in range({count}):
        link = request_services.order_create(shop_id=shop.pk, number=f"R-{{number}}", customer_name="R")
        consent = Consent.objects.create(
            upload_request=link.upload_request, consent_text=consent_text, language="ru"
        )
        key = crypto.new_data_key()
        name, size = storage.blob_save(key=key, plaintext=f"passport {{number}}".encode() * 100)
        PassportDocument.objects.create(
            upload_request=link.upload_request, consent=consent, blob_name=name,
            wrapped_key=key.wrapped, original_format="JPEG", width=1, height=1, stored_bytes=size,
            fields_sealed=document_services.fields_seal(key, {{"number": f"N{{number}}"}}),
        )
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
        key = crypto.unwrap_data_key(bytes(document.wrapped_key))
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
