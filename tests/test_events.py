"""The one way a change travels: every status change, wherever it is made, leaves exactly one
status-change audit event and one webhook outbox row (uploads.events.status_changed)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import submit_and_confirm
from tests.customs.test_readiness import upload
from uploads.customs.services import readiness as customs_readiness
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import (
    AuditEvent,
    CustomsRecord,
    DestructionRecord,
    UploadRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from uploads.requests import services as request_services
from uploads.retention.services import erasure
from uploads.webhooks.services import outbox as webhook_outbox

Status = UploadRequest.Status


@pytest.fixture
def endpoint(shop) -> WebhookEndpoint:
    # Deliveries are queued on commit, which a test's transaction never reaches: only the outbox
    # rows are counted here; tests/webhooks/test_webhooks.py sends them.
    return WebhookEndpoint.objects.create(
        shop=shop, url="https://hooks.example.com/portal", secret=webhook_outbox.new_secret()
    )


def _expired(upload_request: UploadRequest) -> None:
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    upload_request.refresh_from_db()


def _old(upload_request: UploadRequest) -> None:
    long_ago = timezone.now() - timedelta(
        days=upload_request.order.shop.effective_retention_days + 5
    )
    UploadRequest.objects.filter(pk=upload_request.pk).update(created_at=long_ago)


def _replace(upload_request, alice, jpeg):
    submit_and_confirm(upload_request, jpeg)


def _accept(upload_request, alice, jpeg):
    request_services.request_accept(upload_request=upload_request, actor=alice)


def _reject(upload_request, alice, jpeg):
    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Blurred")


def _expire_one(upload_request, alice, jpeg):
    _expired(upload_request)
    request_services.upload_request_expire_if_due(upload_request=upload_request)


def _expire_in_bulk(upload_request, alice, jpeg):
    _expired(upload_request)
    assert request_services.upload_requests_expire_due() == 1


def _erase_on_request(upload_request, alice, jpeg):
    erasure.request_erase(
        upload_request=upload_request,
        reason=DestructionRecord.Reason.CUSTOMER_REQUEST,
        actor=alice,
    )


def _withdraw_consent(upload_request, alice, jpeg):
    erasure.request_erase(
        upload_request=upload_request, reason=DestructionRecord.Reason.CONSENT_WITHDRAWN
    )


def _purge(upload_request, alice, jpeg):
    _old(upload_request)
    assert erasure.retention_purge_due().requests == 1


def _reopen_with_new_link(upload_request, alice, jpeg):
    request_services.upload_link_issue(upload_request=upload_request, actor=alice)


# Each transition: the state to start from, the step, and the status it ends in.
TRANSITIONS: dict[str, tuple[str, Callable, str]] = {
    "accept": ("uploaded", _accept, Status.ACCEPTED),
    "reject": ("uploaded", _reject, Status.REJECTED),
    "expire": ("waiting", _expire_one, Status.EXPIRED),
    "expire in bulk": ("waiting", _expire_in_bulk, Status.EXPIRED),
    "erase on request": ("uploaded", _erase_on_request, Status.EXPIRED),
    "consent withdrawal": ("waiting", _withdraw_consent, Status.EXPIRED),
    "retention purge": ("waiting", _purge, Status.EXPIRED),
    "replacement": ("uploaded", _replace, Status.UPLOADED),
    "customer upload": ("waiting", _replace, Status.UPLOADED),
    "new link": ("expired", _reopen_with_new_link, Status.WAITING),
}


def _arrange(state: str, upload_request: UploadRequest, jpeg: bytes) -> None:
    if state == "uploaded":
        submit_and_confirm(upload_request, jpeg)
    elif state == "expired":
        _expired(upload_request)
        request_services.upload_request_expire_if_due(upload_request=upload_request)
    upload_request.refresh_from_db()


def _status_changes(upload_request: UploadRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(upload_request=upload_request, detail__contains="→")
        .order_by("pk")
        .values_list("detail", flat=True)
    )


@pytest.mark.parametrize("transition", TRANSITIONS)
def test_it_records_each_status_change_once_with_its_webhook(
    transition, endpoint, upload_request, alice, passport_jpeg
):
    start, step, end = TRANSITIONS[transition]
    _arrange(start, upload_request, passport_jpeg)
    changes_before = len(_status_changes(upload_request))
    deliveries_before = WebhookDelivery.objects.filter(upload_request=upload_request).count()

    step(upload_request, alice, passport_jpeg)

    upload_request.refresh_from_db()
    assert upload_request.status == end
    changes = _status_changes(upload_request)[changes_before:]
    assert len(changes) == 1, changes
    assert changes[0].startswith(f"{start} → {end}")
    deliveries = WebhookDelivery.objects.filter(upload_request=upload_request).order_by("pk")
    assert deliveries.count() == deliveries_before + 1
    assert deliveries.last().event == webhook_outbox.EVENTS[end]


def test_it_records_the_deadline_extension_that_reopens_a_request(endpoint, upload_request, alice):
    _arrange("expired", upload_request, b"")
    changes_before = len(_status_changes(upload_request))
    request_services.request_deadline_extend(
        upload_request=upload_request,
        actor=alice,
        deadline=timezone.localdate() + timedelta(days=10),
    )
    upload_request.refresh_from_db()
    assert upload_request.status == Status.WAITING
    assert _status_changes(upload_request)[changes_before:] == [
        "expired → waiting (deadline extended)"
    ]
    assert WebhookDelivery.objects.filter(
        upload_request=upload_request, event="request.waiting"
    ).exists()


def test_it_keeps_customs_readiness_in_step_with_every_change(upload_request, alice, passport_jpeg):
    upload(upload_request, passport_jpeg)  # confirmed with the customs situation
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.ready
    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Blurred")
    record.refresh_from_db()
    assert not record.ready
    assert customs_readiness.PROBLEM_STATUS in record.problems
    erasure.request_erase(
        upload_request=upload_request, reason=DestructionRecord.Reason.CUSTOMER_REQUEST
    )
    record.refresh_from_db()
    assert not record.ready
    assert customs_readiness.PROBLEM_NO_DOCUMENT in record.problems


def test_it_changes_nothing_for_a_document_change_without_a_status_change(
    endpoint, upload_request, alice, passport_jpeg
):
    submit_and_confirm(upload_request, passport_jpeg)
    changes_before = len(_status_changes(upload_request))
    deliveries_before = WebhookDelivery.objects.count()
    document = document_selectors.document_current(upload_request=upload_request)
    document_services.document_erase(document=document)
    assert len(_status_changes(upload_request)) == changes_before
    assert WebhookDelivery.objects.count() == deliveries_before
