"""Document services: the customer's upload stored encrypted, its MRZ read, confirmed or refused
(orders, links and the seller's decisions are tests/requests/test_services.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import consent_document_id, submit_and_confirm
from uploads.core import crypto, storage
from uploads.core.errors import ServiceError
from uploads.core.images import RejectedFile
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import Consent, ConsentDocument, PassportDocument, UploadRequest
from uploads.requests import services as request_services

Status = UploadRequest.Status


def _submit(upload_request, data):
    return document_services.document_submit(
        upload_request=upload_request,
        data=data,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )


def _stored_files(settings) -> list:
    root = storage.passport_storage().location
    import pathlib

    return [path for path in pathlib.Path(root).rglob("*") if path.is_file()]


# --- the customer's upload --------------------------------------------------------------------


def test_it_stores_the_upload_encrypted_and_decrypts_it_back(
    upload_request, passport_jpeg, settings
):
    document = _submit(upload_request, passport_jpeg)
    raw = storage.passport_storage().open(document.blob_name).read()
    assert not raw.startswith(b"\xff\xd8")
    assert passport_jpeg[1000:1100] not in raw
    key = document_selectors.document_key(document)
    decrypted = storage.blob_read(key=key, name=document.blob_name)
    assert decrypted.startswith(b"\xff\xd8")
    assert len(raw) == crypto.encrypted_size(len(decrypted))
    assert document.blob_name.endswith(".enc") and "A-100" not in document.blob_name


def test_it_records_the_consent_with_its_version_and_time(upload_request, passport_jpeg):
    document = _submit(upload_request, passport_jpeg)
    consent = Consent.objects.get(pk=document.consent_id)
    assert consent.document == ConsentDocument.objects.get(
        shop=upload_request.order.shop, language="ru"
    )
    assert consent.consent_text is None
    assert consent.language == "ru"
    assert timezone.now() - consent.given_at < timedelta(minutes=1)


def test_it_stores_nothing_for_a_bad_file(upload_request, settings):
    with pytest.raises(RejectedFile):
        _submit(upload_request, b"not an image at all")
    assert PassportDocument.objects.count() == 0
    assert _stored_files(settings) == []


def test_it_replaces_an_unconfirmed_upload_and_deletes_its_file(
    upload_request, passport_jpeg, settings
):
    first = _submit(upload_request, passport_jpeg)
    second = _submit(upload_request, passport_jpeg)
    assert not PassportDocument.objects.filter(pk=first.pk).exists()
    assert [path.name for path in _stored_files(settings)] == [second.blob_name.split("/")[-1]]


def test_it_reads_the_mrz_into_sealed_fields(upload_request, passport_jpeg):
    document = _submit(upload_request, passport_jpeg)
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.FOUND
    assert b"ERIKSSON" not in bytes(document.fields_sealed)
    fields = document_selectors.document_fields(document=document)
    assert fields["surname"] == "ERIKSSON"
    assert fields["number"] == "L898902C3"
    assert fields["date_of_birth"] == "1974-08-12"
    assert document.field_validity["number"] is True


def test_it_marks_a_photo_without_mrz_as_not_found(upload_request):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (240, 240, 240)).save(out, format="JPEG")
    document = _submit(upload_request, out.getvalue())
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    assert document_selectors.document_fields(document=document) == {}


def test_it_confirms_marks_uploaded_and_notifies_the_shop(upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    assert upload_request.status == Status.UPLOADED
    assert upload_request.uploaded_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice-shop@example.com"]
    assert "A-100" in mail.outbox[0].subject
    assert "ERIKSSON" not in mail.outbox[0].body  # no passport data in notifications


def test_it_keeps_only_the_latest_confirmed_passport(upload_request, passport_jpeg, settings):
    submit_and_confirm(upload_request, passport_jpeg)
    first = document_selectors.document_current(upload_request=upload_request)
    submit_and_confirm(upload_request, passport_jpeg)
    second = document_selectors.document_current(upload_request=upload_request)
    assert first.pk != second.pk
    first.refresh_from_db()
    assert first.superseded_at is not None and first.blob_name == "" and first.fields_sealed is None
    assert len(_stored_files(settings)) == 1


def test_it_refuses_a_second_confirmation(upload_request, passport_jpeg):
    document = _submit(upload_request, passport_jpeg)
    document_services.document_confirm(document=document, fields={"surname": "X"})
    with pytest.raises(ServiceError):
        document_services.document_confirm(document=document, fields={"surname": "Y"})


def test_it_refuses_uploads_once_accepted(uploaded_request, passport_jpeg, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    with pytest.raises(ServiceError):
        _submit(uploaded_request, passport_jpeg)


def test_it_refuses_uploads_on_an_expired_link(upload_request, passport_jpeg):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    upload_request.refresh_from_db()
    with pytest.raises(ServiceError):
        _submit(upload_request, passport_jpeg)


def test_it_refuses_to_confirm_a_document_a_newer_upload_replaced(upload_request, passport_jpeg):
    """Two tabs: the first shows document A, the second uploads B (which replaces A). Confirming
    A refuses, and B is left as it was, waiting for its own confirmation."""
    shown = _submit(upload_request, passport_jpeg)
    newer = _submit(upload_request, passport_jpeg)
    with pytest.raises(ServiceError) as refused:
        document_services.document_confirm(document=shown, fields={"surname": "A"})
    assert refused.value.message == document_services.NEWER_UPLOAD_MESSAGE
    newer.refresh_from_db()
    upload_request.refresh_from_db()
    assert newer.confirmed_at is None
    assert upload_request.status == UploadRequest.Status.WAITING
