"""The second document a shop may ask foreign citizens for: upload, encryption, admin view, purge."""

from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import consent_shown_to, login
from tests.core import hostile_files
from tests.web.test_review import VALID
from uploads.documents import selectors as document_selectors
from uploads.models import (
    AuditEvent,
    CustomsRecord,
    CustomsSettings,
    SupportingDocument,
    UploadRequest,
)
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention
from uploads.retention.services import key_rotation


@pytest.fixture
def confirmed(customer, shop, passport_jpeg):
    CustomsSettings.objects.create(shop=shop, require_second_document=True)
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    response = customer.post("/upload/review/", VALID)
    assert response["Location"] == "/upload/second-document/"
    return customer


def test_it_asks_for_the_second_document_and_stores_it_encrypted(
    confirmed, upload_request, passport_jpeg
):
    assert confirmed.get("/upload/second-document/").status_code == 200
    assert not CustomsRecord.objects.get(upload_request=upload_request).ready
    response = confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("permit.jpg", passport_jpeg)}
    )
    assert response["Location"] == "/upload/done/"
    supporting = SupportingDocument.objects.get(upload_request=upload_request)
    with storages["passports"].open(supporting.blob_name) as blob:
        stored = blob.read()
    assert not stored.startswith(b"\xff\xd8")  # encrypted, not a JPEG
    assert CustomsRecord.objects.get(upload_request=upload_request).ready


def test_it_explains_an_unusable_file(confirmed, upload_request):
    response = confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("x.jpg", b"not an image")}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not SupportingDocument.objects.exists()


def test_it_shows_the_second_document_to_staff_who_may_view_passports(
    confirmed, upload_request, passport_jpeg, alice, charlie, client
):
    confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("permit.jpg", passport_jpeg)}
    )
    url = f"/admin/uploads/uploadrequest/{upload_request.pk}/second-document/"
    login(client, charlie)
    assert client.get(url).status_code == 403
    login(client, alice)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"\xff\xd8")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW_IMAGE, detail="second document", actor=alice
    ).exists()


def test_it_erases_the_second_document_with_the_passport(
    confirmed, upload_request, passport_jpeg, alice, settings
):
    confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("permit.jpg", passport_jpeg)}
    )
    request_services.request_accept(upload_request=upload_request, actor=alice)
    settings.PASSPORT_RETENTION_DAYS = 0
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        decided_at=timezone.now() - timedelta(days=1)
    )
    retention.retention_purge_due()
    supporting = SupportingDocument.objects.get(upload_request=upload_request)
    assert supporting.blob_name == ""
    assert supporting.erased_at is not None
    assert not CustomsRecord.objects.get(upload_request=upload_request).ready


def test_it_keeps_the_second_document_when_the_passport_is_replaced(
    confirmed, upload_request, passport_jpeg
):
    confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("permit.jpg", passport_jpeg)}
    )
    confirmed.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(confirmed),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert confirmed.post("/upload/review/", VALID)["Location"] == "/upload/done/"
    assert SupportingDocument.objects.get(upload_request=upload_request).erased_at is None
    assert CustomsRecord.objects.get(upload_request=upload_request).ready


def test_it_rewraps_the_second_documents_key_when_keys_rotate(
    confirmed, upload_request, passport_jpeg, settings
):
    from tests.conftest import TEST_MASTER_KEY, keys_registered
    from uploads.core import storage

    confirmed.post(
        "/upload/second-document/", {"file": SimpleUploadedFile("permit.jpg", passport_jpeg)}
    )
    new_key = b"\x07" * 32
    settings.PASSPORT_ENCRYPTION_KEYS = [new_key, TEST_MASTER_KEY]
    keys_registered()
    assert key_rotation.keys_rotate().total == 3  # passport, second document, link token
    settings.PASSPORT_ENCRYPTION_KEYS = [new_key]
    supporting = SupportingDocument.objects.get(upload_request=upload_request)
    image = storage.blob_read(
        key=document_selectors.document_key(supporting), name=supporting.blob_name
    )
    assert image.startswith(b"\xff\xd8")


def test_it_reminds_the_customer_of_a_missing_second_document(confirmed):
    page = confirmed.get("/upload/done/").content.decode()
    assert 'href="/upload/second-document/"' in page


def test_it_counts_second_documents_against_the_upload_cap(
    confirmed, upload_request, passport_jpeg, settings
):
    settings.RATE_LIMIT_UPLOADS_PER_DAY = 2  # the passport above was the first

    def post():  # type: ignore[no-untyped-def]
        permit = SimpleUploadedFile("permit.jpg", passport_jpeg)
        return confirmed.post("/upload/second-document/", {"file": permit})

    assert post().status_code == 302
    assert post().status_code == 429
    assert SupportingDocument.objects.filter(upload_request=upload_request).count() == 1


def test_it_refuses_a_file_that_is_not_a_document(confirmed, upload_request):
    not_an_image = SimpleUploadedFile("permit.jpg", b"<html><script>alert(1)</script></html>")
    response = confirmed.post("/upload/second-document/", {"file": not_an_image})
    assert response.status_code == 400
    assert not SupportingDocument.objects.filter(upload_request=upload_request).exists()


@pytest.mark.parametrize(
    "build", [hostile_files.pdf_strokes_5kb, hostile_files.rgba_png_7000], ids=["pdf", "png"]
)
def test_it_refuses_a_file_built_to_burn_a_decoder(confirmed, upload_request, build):
    bomb = SimpleUploadedFile("permit.pdf", build())
    response = confirmed.post("/upload/second-document/", {"file": bomb})
    assert response.status_code == 400
    page = response.content.decode()  # the link's order is in Russian
    assert "Файл слишком сложен для обработки" in page or "Изображение слишком велико" in page
    assert not SupportingDocument.objects.filter(upload_request=upload_request).exists()
