"""Signed webhooks: a JSON POST to the shop's own system on every status change of a request.

The status-change services call ``request_status_changed`` inside their transaction. It writes a
``WebhookDelivery`` row (an outbox: the event exists exactly when the change was committed) and,
once the transaction commits, hands the delivery to ``django.tasks``. Each attempt is recorded. A
failed attempt is retried with exponential back-off: with a worker backend that can defer tasks
the task re-enqueues itself; with the immediate backend the ``send_webhooks`` command (cron) picks
up what is due.

Signature: ``X-Portal-Signature: sha256=<hex HMAC-SHA256(secret, signed)>`` where ``signed`` is
``"<timestamp>.<delivery id>.<event>.<body>"``: the Unix time of ``X-Portal-Timestamp``, the id of
``X-Portal-Delivery``, the event of ``X-Portal-Event`` and the raw body, joined by dots (e.g.
``1767225600.42.request.accepted.{"event":...}``). The receiver recomputes it from the headers and
the body, and rejects old timestamps; a replay cannot change the delivery id or the event.

Calls never follow redirects, end at ``WEBHOOK_TIMEOUT_SECONDS`` (lookup, connecting, sending and
reading together), read at most 64 KiB of the answer, and (unless
``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``) refuse any host that resolves to a loopback, private,
link-local, multicast or otherwise non-public address (IPv6 forms of such IPv4 addresses
included), connecting to the very address that was checked (no second DNS lookup to rebind)."""

import json
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from uploads.models import UploadRequest, WebhookDelivery, WebhookEndpoint
from uploads.webhooks import tasks as webhook_tasks

# Statuses that make an event; "waiting" is the starting point, not a change worth a call.
EVENTS = {
    UploadRequest.Status.WAITING: "request.waiting",
    UploadRequest.Status.UPLOADED: "request.uploaded",
    UploadRequest.Status.ACCEPTED: "request.accepted",
    UploadRequest.Status.REJECTED: "request.rejected",
    UploadRequest.Status.EXPIRED: "request.expired",
}


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def request_status_changed(*, upload_request: UploadRequest) -> WebhookDelivery | None:
    """Record the event for the shop's webhook (if any) and deliver it once the change commits."""
    event = EVENTS.get(upload_request.status)
    if event is None:
        return None
    endpoint = WebhookEndpoint.objects.filter(
        shop_id=upload_request.order.shop_id, is_active=True
    ).first()
    if endpoint is None:
        return None
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        upload_request=upload_request,
        event=event,
        body=_body(event=event, upload_request=upload_request),
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: webhook_tasks.delivery_enqueue(delivery_id=delivery.pk))
    return delivery


def requests_status_changed(*, upload_request_ids: list[int]) -> int:
    """The same for a bulk change (links expired in one UPDATE)."""
    shops_with_webhook = WebhookEndpoint.objects.filter(is_active=True).values("shop_id")
    count = 0
    for upload_request in (
        UploadRequest.objects.filter(
            pk__in=upload_request_ids, order__shop_id__in=shops_with_webhook
        )
        .select_related("order")
        .iterator()
    ):
        if request_status_changed(upload_request=upload_request) is not None:
            count += 1
    return count


def _body(*, event: str, upload_request: UploadRequest) -> str:
    # Status only: never a passport field, never the customer's link.
    data = {
        "id": upload_request.pk,
        "order_number": upload_request.order.number,
        "status": upload_request.status,
        "uploaded_at": _iso(upload_request.uploaded_at),
        "decided_at": _iso(upload_request.decided_at),
        "expires_at": _iso(upload_request.expires_at),
    }
    if upload_request.status == UploadRequest.Status.REJECTED:
        data["rejection_code"] = upload_request.rejection_code
        data["rejection_reason"] = upload_request.rejection_reason
    return json.dumps(
        {"event": event, "created_at": _iso(timezone.now()), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
