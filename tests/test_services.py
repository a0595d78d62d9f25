from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.conftest import submit_and_confirm
from uploads.core import crypto, storage
from uploads.core.errors import ServiceError
from uploads.core.images import RejectedFile
from uploads.core.tokens import hash_token
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import AuditEvent, Consent, PassportDocument, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

Status = UploadRequest.Status


def _submit(upload_request, data):
    return document_services.document_submit(
        upload_request=upload_request,
        data=data,
        consent_text_id=document_selectors.consent_text_current().pk,
        language="ru",
    )


def _stored_files(settings) -> list:
    root = storage.passport_storage().location
    import pathlib

    return [path for path in pathlib.Path(root).rglob("*") if path.is_file()]


# --- links ------------------------------------------------------------------------------------


def test_it_creates_an_order_with_an_unguessable_link(link):
    assert len(link.token) >= 43  # 32 random bytes, url-safe base64
    assert link.url == f"http://testserver/u/{link.token}/"
    stored = UploadRequest.objects.get(pk=link.upload_request.pk)
    assert stored.token_hash == hash_token(link.token)
    assert link.token.encode() not in bytes(stored.token_sealed)
    assert stored.status == Status.WAITING


def test_it_sets_the_link_expiry_from_settings(settings, shop):
    settings.UPLOAD_LINK_TTL_DAYS = 3
    link = request_services.order_create(shop_id=shop.pk, number="X-1", customer_name="X")
    remaining = link.upload_request.expires_at - timezone.now()
    assert timedelta(days=2, hours=23) < remaining <= timedelta(days=3)


def test_it_keeps_the_link_working_until_a_later_deadline(settings, shop):
    settings.UPLOAD_LINK_TTL_DAYS = 30
    deadline = timezone.localdate() + timedelta(days=45)
    link = request_services.order_create(
        shop_id=shop.pk, number="X-2", customer_name="X", deadline=deadline
    )
    expires = timezone.localtime(link.upload_request.expires_at)
    assert expires.date() == deadline + timedelta(days=1)  # the whole deadline day


def test_it_finds_a_request_by_its_token_only(link):
    assert request_services.upload_request_by_token(token=link.token) == link.upload_request
    assert (
        request_services.upload_request_by_token(
            token=link.token[:-1] + ("A" if link.token[-1] != "A" else "B")
        )
        is None
    )
    assert request_services.upload_request_by_token(token="../../etc/passwd") is None
    assert request_services.upload_request_by_token(token="") is None


def test_it_expires_a_link_that_ran_out(link):
    UploadRequest.objects.filter(pk=link.upload_request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert request_services.upload_request_by_token(token=link.token) is None
    assert UploadRequest.objects.get(pk=link.upload_request.pk).status == Status.EXPIRED


def test_it_shows_the_same_link_again(link):
    again = links.upload_link_current(upload_request=link.upload_request)
    assert again.token == link.token


def test_it_issues_a_new_link_that_replaces_the_old_one(link, alice):
    UploadRequest.objects.filter(pk=link.upload_request.pk).update(status=Status.EXPIRED)
    link.upload_request.refresh_from_db()
    new = request_services.upload_link_issue(upload_request=link.upload_request, actor=alice)
    assert request_services.upload_request_by_token(token=link.token) is None
    assert request_services.upload_request_by_token(token=new.token) == link.upload_request
    assert UploadRequest.objects.get(pk=link.upload_request.pk).status == Status.WAITING
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_ISSUED, actor=alice).count() == 1


def test_it_emails_the_link_in_the_orders_language(link):
    request_services.upload_link_send(upload_request=link.upload_request)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert link.url in message.body
    assert 'lang="ru"' in message.alternatives[0].content


def test_it_expires_due_requests_in_bulk(link, shop):
    fresh = request_services.order_create(shop_id=shop.pk, number="F-1", customer_name="Fresh")
    UploadRequest.objects.filter(pk=link.upload_request.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    assert request_services.upload_requests_expire_due() == 1
    assert UploadRequest.objects.get(pk=link.upload_request.pk).status == Status.EXPIRED
    assert UploadRequest.objects.get(pk=fresh.upload_request.pk).status == Status.WAITING


# --- the customer's upload --------------------------------------------------------------------


def test_it_stores_the_upload_encrypted_and_decrypts_it_back(
    upload_request, passport_jpeg, settings
):
    document = _submit(upload_request, passport_jpeg)
    raw = storage.passport_storage().open(document.blob_name).read()
    assert not raw.startswith(b"\xff\xd8")
    assert passport_jpeg[1000:1100] not in raw
    key = crypto.unwrap_data_key(document.wrapped_key)
    decrypted = storage.blob_read(key=key, name=document.blob_name)
    assert decrypted.startswith(b"\xff\xd8")
    assert len(raw) == crypto.encrypted_size(len(decrypted))
    assert document.blob_name.endswith(".enc") and "A-100" not in document.blob_name


def test_it_records_the_consent_with_its_version_and_time(upload_request, passport_jpeg):
    document = _submit(upload_request, passport_jpeg)
    consent = Consent.objects.get(pk=document.consent_id)
    assert consent.consent_text.version == document_selectors.consent_text_current().version
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


# --- the seller's decisions -------------------------------------------------------------------


def test_it_accepts_an_uploaded_passport(uploaded_request, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    assert uploaded_request.status == Status.ACCEPTED
    assert uploaded_request.decided_by == alice
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCEPT, upload_request=uploaded_request
    ).exists()


def test_it_refuses_to_accept_before_upload(upload_request, alice):
    with pytest.raises(ServiceError):
        request_services.request_accept(upload_request=upload_request, actor=alice)
    upload_request.refresh_from_db()
    assert upload_request.status == Status.WAITING


def test_it_rejects_with_a_reason_and_tells_the_customer(uploaded_request, alice, link):
    mail.outbox.clear()
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, reason="Glare over the number"
    )
    assert uploaded_request.status == Status.REJECTED
    assert uploaded_request.rejection_reason == "Glare over the number"
    assert uploaded_request.is_open_for_upload
    assert len(mail.outbox) == 1
    assert "Glare over the number" in mail.outbox[0].body
    assert link.url in mail.outbox[0].body


def test_it_refuses_a_rejection_without_reason(uploaded_request, alice):
    with pytest.raises(ServiceError):
        request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="   ")
    assert uploaded_request.status == Status.UPLOADED


def test_it_returns_to_uploaded_when_the_customer_uploads_again_after_rejection(
    uploaded_request, alice, passport_jpeg
):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="Blurred")
    submit_and_confirm(uploaded_request, passport_jpeg)
    assert uploaded_request.status == Status.UPLOADED
    assert uploaded_request.rejection_reason == ""
