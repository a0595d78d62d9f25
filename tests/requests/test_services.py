"""Request services: orders and their links, then the seller's decisions (the customer's upload
is tests/documents/test_services.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from tests.conftest import submit_and_confirm
from uploads.core.errors import ServiceError
from uploads.core.tokens import hash_token
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, UploadRequest, WebhookDelivery
from uploads.requests import links
from uploads.requests import services as request_services

Status = UploadRequest.Status


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


# --- decisions bind to the passport the seller saw (#19.6) and reasons are codes ---------------


def replaced_by_the_customer(upload_request: UploadRequest, jpeg: bytes) -> tuple[int, int]:
    """The customer sends a second passport after the seller opened the first: (seen, newer)."""
    seen = document_selectors.document_current(upload_request=upload_request).pk
    submit_and_confirm(upload_request, jpeg)
    newer = document_selectors.document_current(upload_request=upload_request).pk
    assert newer != seen
    return seen, newer


def test_it_accepts_the_passport_the_seller_saw_and_audits_it(uploaded_request, alice):
    seen = document_selectors.document_current(upload_request=uploaded_request).pk
    request_services.request_accept(upload_request=uploaded_request, actor=alice, document_id=seen)
    assert uploaded_request.status == Status.ACCEPTED
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCEPT)
    assert event.document_id == seen


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_it_refuses_a_decision_on_a_passport_replaced_since(
    uploaded_request, alice, passport_jpeg, decision
):
    seen, _newer = replaced_by_the_customer(uploaded_request, passport_jpeg)
    decided_before = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.ACCEPT, AuditEvent.Action.REJECT]
    ).count()
    deliveries_before = WebhookDelivery.objects.count()
    mail.outbox.clear()
    with translation.override("en"), pytest.raises(ServiceError, match="sent a new passport"):
        if decision == "accept":
            request_services.request_accept(
                upload_request=uploaded_request, actor=alice, document_id=seen
            )
        else:
            request_services.request_reject(
                upload_request=uploaded_request, actor=alice, code="blurred", document_id=seen
            )
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.decided_by) == (Status.UPLOADED, None)
    assert uploaded_request.rejection_code == ""
    assert (
        AuditEvent.objects.filter(
            action__in=[AuditEvent.Action.ACCEPT, AuditEvent.Action.REJECT]
        ).count()
        == decided_before
    )
    assert WebhookDelivery.objects.count() == deliveries_before
    assert mail.outbox == []


def test_it_refuses_a_decision_made_on_a_page_that_showed_no_passport(
    upload_request, alice, passport_jpeg
):
    submit_and_confirm(upload_request, passport_jpeg)  # arrived after the page was opened
    with translation.override("en"), pytest.raises(ServiceError, match="sent a new passport"):
        request_services.request_accept(upload_request=upload_request, actor=alice, document_id=0)
    upload_request.refresh_from_db()
    assert upload_request.status == Status.UPLOADED


def test_it_accepts_the_newer_passport_once_the_seller_has_seen_it(
    uploaded_request, alice, passport_jpeg
):
    _seen, newer = replaced_by_the_customer(uploaded_request, passport_jpeg)
    request_services.request_accept(upload_request=uploaded_request, actor=alice, document_id=newer)
    assert uploaded_request.status == Status.ACCEPTED


def test_it_stores_the_reason_as_a_code_and_the_note_apart(uploaded_request, alice):
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, code="glare", reason="  Over the number  "
    )
    assert (uploaded_request.rejection_code, uploaded_request.rejection_reason) == (
        "glare",
        "Over the number",
    )


def test_it_rejects_with_a_code_alone(uploaded_request, alice):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, code="cut_off")
    assert (uploaded_request.status, uploaded_request.rejection_reason) == (Status.REJECTED, "")


@pytest.mark.parametrize("code", ["", "smudged", "OTHER"])
def test_it_refuses_an_unknown_reason_code(uploaded_request, alice, code):
    with pytest.raises(ServiceError):
        request_services.request_reject(
            upload_request=uploaded_request, actor=alice, code=code, reason="note"
        )
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_forgets_the_reason_when_the_customer_sends_again(
    uploaded_request, alice, passport_jpeg
):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, code="glare")
    submit_and_confirm(uploaded_request, passport_jpeg)
    assert (uploaded_request.rejection_code, uploaded_request.rejection_reason) == ("", "")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Фотография размыта"),
        ("zh-hans", "照片模糊"),
        ("en", "The photo is blurred"),
    ],
)
def test_it_words_the_reason_in_the_readers_language(uploaded_request, alice, language, expected):
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, code="blurred", reason="注意"
    )
    with translation.override(language):
        message = uploaded_request.rejection_message
    assert message.startswith(expected)
    assert message.endswith("注意")  # the note as typed
