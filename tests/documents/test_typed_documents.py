"""A passport typed without a photo: a document with no file at all, its fields sealed like a
photo's. Everything that opens, reads, erases, purges or re-keys a document's file copes with
there being none; the shop's photo policy is enforced by the services themselves."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import TEST_MASTER_KEY, consent_document_id, submit_and_confirm
from tests.typed import TYPED_FIELDS, photo_policy_set, type_and_confirm, typed_start
from uploads.core import crypto, storage
from uploads.core.errors import ServiceError
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import (
    CustomsRecord,
    DestructionRecord,
    PassportDocument,
    PhotoPolicy,
    UploadRequest,
)
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention
from uploads.retention.services import key_rotation

NEW_KEY = b"\x07" * 32


def _stored_files() -> list[Path]:
    return [path for path in Path(storage.passport_storage().location).rglob("*") if path.is_file()]


def test_a_typed_document_has_no_file_and_its_fields_sealed(upload_request):
    document = type_and_confirm(upload_request)
    assert document.source == PassportDocument.Source.TYPED
    assert (document.blob_name, document.width, document.height, document.stored_bytes) == (
        "",
        0,
        0,
        0,
    )
    assert document.wrapped_key  # only to seal the fields
    assert b"ERIKSSON" not in bytes(document.fields_sealed)
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    assert document_selectors.document_current(upload_request=upload_request) == document
    assert upload_request.status == UploadRequest.Status.UPLOADED
    assert _stored_files() == []


def test_the_services_refuse_typing_where_a_photo_is_required(upload_request):
    with pytest.raises(ServiceError) as refusal:
        typed_start(upload_request)
    assert refusal.value.message == document_services.PHOTO_REQUIRED_MESSAGE
    assert not PassportDocument.objects.exists()


def test_the_services_refuse_a_photo_where_none_is_collected(upload_request, passport_jpeg):
    photo_policy_set(upload_request.order.shop, PhotoPolicy.NOT_COLLECTED)
    with pytest.raises(ServiceError) as refusal:
        document_services.document_submit(
            upload_request=upload_request,
            data=passport_jpeg,
            consent_document_id=consent_document_id(upload_request),
        )
    assert refusal.value.message == document_services.PHOTO_NOT_COLLECTED_MESSAGE
    assert not PassportDocument.objects.exists()
    assert _stored_files() == []


def test_a_second_document_is_refused_where_no_photo_is_collected(upload_request, passport_jpeg):
    type_and_confirm(upload_request)
    photo_policy_set(upload_request.order.shop, PhotoPolicy.NOT_COLLECTED)
    with pytest.raises(ServiceError):
        customs_decisions.supporting_document_submit(
            upload_request=upload_request, data=passport_jpeg
        )
    assert _stored_files() == []


def test_the_services_refuse_confirming_typed_details_once_a_photo_is_required(upload_request):
    customs_settings = photo_policy_set(upload_request.order.shop, PhotoPolicy.OPTIONAL)
    document = typed_start(upload_request)
    customs_settings.photo_policy = PhotoPolicy.REQUIRED
    customs_settings.save()
    with pytest.raises(ServiceError):
        document_services.document_confirm(document=document, fields=TYPED_FIELDS)
    document.refresh_from_db()
    assert document.confirmed_at is None


def test_nothing_reads_a_typed_document(upload_request):
    photo_policy_set(upload_request.order.shop, PhotoPolicy.OPTIONAL)
    document = typed_start(upload_request)
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    assert document.mrz_status == PassportDocument.MrzStatus.NO_PHOTO
    assert document.mrz_attempts == 0
    assert document_selectors.documents_reading_lost() == []
    assert not document_services.document_read_again(document=document)


def test_a_photo_replaces_a_typed_document_not_yet_confirmed(upload_request, passport_jpeg):
    photo_policy_set(upload_request.order.shop, PhotoPolicy.OPTIONAL)
    typed = typed_start(upload_request)
    photo = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request),
    )
    assert list(PassportDocument.objects.all()) == [photo]
    record = DestructionRecord.objects.get()
    assert record.document_refs == [typed.pk]


def test_typed_details_replace_a_confirmed_photo(upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    assert len(_stored_files()) == 1
    typed = type_and_confirm(upload_request)
    assert document_selectors.document_current(upload_request=upload_request) == typed
    # The replaced passport's photo is deleted, as when a photo replaces one.
    assert _stored_files() == []


def test_typed_details_become_ready_for_customs_without_a_name_check(upload_request):
    type_and_confirm(upload_request)
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.name_check == CustomsRecord.NameCheck.TYPED
    assert record.ready, record.problems
    assert record.ready_until.isoformat() == TYPED_FIELDS["expiry_date"]
    # Accepting keeps it ready; nothing asks the seller to compare names with a photo.
    request_services.request_accept(upload_request=upload_request, actor=None)
    record.refresh_from_db()
    assert record.ready


def test_typed_details_are_not_ready_when_the_rules_are_not_met(upload_request):
    type_and_confirm(upload_request, fields={**TYPED_FIELDS, "expiry_date": "2020-01-01"})
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert not record.ready
    assert "expiry_date" in record.problems or "expired" in record.problems


def test_erasing_a_typed_document_destroys_its_key_and_fields(upload_request):
    document = type_and_confirm(upload_request)
    retention.request_erase(
        upload_request=upload_request, reason=DestructionRecord.Reason.CUSTOMER_REQUEST
    )
    document.refresh_from_db()
    assert document.wrapped_key == b"" and document.fields_sealed is None
    assert DestructionRecord.objects.get().document_refs == [document.pk]


def test_the_retention_purge_copes_with_typed_documents(upload_request):
    document = type_and_confirm(upload_request)
    request_services.request_accept(upload_request=upload_request, actor=None)
    shop = upload_request.order.shop
    later = timezone.now() + timedelta(days=shop.effective_image_retention_days + 1)
    # Past the image's time: there is no image, so nothing is destroyed and the fields stay.
    report = retention.retention_purge_due(now=later)
    assert report.images == 0
    document.refresh_from_db()
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    # Past the whole order's time: the typed document goes like a photo's.
    latest = timezone.now() + timedelta(days=shop.effective_retention_days + 400)
    report = retention.retention_purge_due(now=latest)
    assert (report.requests, report.documents) == (1, 1)
    document.refresh_from_db()
    assert document.wrapped_key == b"" and document.fields_sealed is None


def test_an_abandoned_typed_document_is_purged(upload_request):
    photo_policy_set(upload_request.order.shop, PhotoPolicy.OPTIONAL)
    document = typed_start(upload_request)
    later = timezone.now() + document_services.ABANDONED_UPLOAD_AGE + timedelta(minutes=1)
    assert retention.retention_purge_due(now=later).documents == 1
    document.refresh_from_db()
    assert document.wrapped_key == b""
    assert DestructionRecord.objects.get().reason == DestructionRecord.Reason.ABANDONED


def test_storage_orphans_are_cleaned_around_typed_documents(upload_request):
    type_and_confirm(upload_request)
    assert retention.storage_orphans_delete() == 0


@pytest.mark.usefixtures("registered_keys")
def test_key_rotation_rewraps_and_verifies_typed_documents(upload_request, settings):
    document = type_and_confirm(upload_request)
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY, TEST_MASTER_KEY]
    call_command("register_encryption_key", stdout=StringIO())
    report = key_rotation.keys_rotate()
    assert report.documents == 1
    assert not report.unopened
    settings.PASSPORT_ENCRYPTION_KEYS = [NEW_KEY]
    document.refresh_from_db()
    assert crypto.is_wrapped_by_primary_key(bytes(document.wrapped_key))
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    verification = key_rotation.keys_verify(sample=None)
    assert verification.failures == []
