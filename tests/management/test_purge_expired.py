import os
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from tests.conftest import consent_document_id
from uploads.core import crypto, storage
from uploads.documents import services as document_services
from uploads.models import PassportDocument, UploadRequest
from uploads.requests import services as request_services


def _purge() -> str:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def _files() -> list[Path]:
    return [path for path in Path(storage.passport_storage().location).rglob("*") if path.is_file()]


def test_it_erases_an_accepted_passport_after_the_retention_period(
    uploaded_request, alice, settings
):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    assert "0 passport(s) erased" in _purge()
    UploadRequest.objects.filter(pk=uploaded_request.pk).update(
        decided_at=timezone.now() - timedelta(days=settings.PASSPORT_RETENTION_DAYS, minutes=1)
    )
    assert "1 passport(s) erased" in _purge()
    document = PassportDocument.objects.get(upload_request=uploaded_request)
    assert (
        document.blob_name == "" and document.wrapped_key == b"" and document.fields_sealed is None
    )
    assert _files() == []


def test_it_keeps_a_passport_the_seller_has_not_decided_on(uploaded_request, settings):
    PassportDocument.objects.update(
        created_at=timezone.now() - timedelta(days=settings.PASSPORT_RETENTION_DAYS + 5)
    )
    assert "0 passport(s) erased" in _purge()
    assert len(_files()) == 1


def test_it_erases_an_upload_the_customer_abandoned(upload_request, passport_jpeg):
    document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    assert "0 passport(s) erased" in _purge()
    PassportDocument.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert "1 passport(s) erased" in _purge()
    assert _files() == []


def test_it_erases_a_rejected_passport_after_the_retention_period(
    uploaded_request, alice, settings
):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="Blurred")
    old = timezone.now() - timedelta(days=settings.PASSPORT_RETENTION_DAYS + 1)
    PassportDocument.objects.update(created_at=old)
    UploadRequest.objects.filter(pk=uploaded_request.pk).update(decided_at=old)
    assert "1 passport(s) erased" in _purge()
    assert _files() == []


def test_it_expires_links_that_ran_out(upload_request):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    assert _purge().startswith("1 request(s) expired")


def _age(path: Path, hours: float) -> None:
    stamp = (timezone.now() - timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


def test_it_deletes_stored_files_no_document_refers_to(uploaded_request):
    kept = PassportDocument.objects.get(upload_request=uploaded_request).blob_name
    key = crypto.new_data_key(context=b"test", shop_id=1, request_id=1)
    # A process that died between storing the file and saving its row, an hour and more ago...
    orphan, _size = storage.blob_save(key=key, plaintext=b"ciphertext of a lost upload")
    # ...and an upload whose row is being saved right now.
    in_flight, _size = storage.blob_save(key=key, plaintext=b"ciphertext of an upload")
    root = Path(storage.passport_storage().location)
    # Every file's age is set from the test's clock: the file system stamps the real one, which a
    # moved clock (pytest --clock) would leave a year behind.
    _age(root / orphan, hours=2)
    _age(root / kept, hours=2)
    _age(root / in_flight, hours=0)
    (root / "health").mkdir()
    (root / "health" / "probe").write_bytes(b"not a blob")

    assert "1 stored file(s) without a document deleted" in _purge()

    assert not (root / orphan).exists()
    assert (root / kept).exists() and (root / in_flight).exists()
    assert (root / "health" / "probe").exists()
    assert "0 stored file(s) without a document deleted" in _purge()


def test_it_sweeps_an_empty_storage(db):
    assert "0 stored file(s) without a document deleted" in _purge()
