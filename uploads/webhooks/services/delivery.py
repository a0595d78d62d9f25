"""Delivering a webhook: one signed attempt, recorded, and the back-off before the next.

Each call is signed (``sign``) over ``"<timestamp>.<delivery id>.<event>.<body>"``, the values of
``X-Portal-Timestamp``, ``X-Portal-Delivery`` and ``X-Portal-Event`` and the raw body. An attempt
ends at ``WEBHOOK_TIMEOUT_SECONDS`` whatever the receiver does (``uploads.webhooks.http``).
"""

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import urllib3
from django.conf import settings
from django.utils import timezone
from django.utils.translation import override

from uploads.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from uploads.webhooks.http import UnsafeWebhookUrl, post_checked

logger = logging.getLogger(__name__)


SIGNATURE_HEADER = "X-Portal-Signature"


TIMESTAMP_HEADER = "X-Portal-Timestamp"


EVENT_HEADER = "X-Portal-Event"


DELIVERY_HEADER = "X-Portal-Delivery"


def sign(*, secret: str, timestamp: int, delivery_id: int, event: str, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``"<timestamp>.<delivery id>.<event>.<body>"``: the
    headers a receiver acts on are signed with the body, so a replayed call cannot pose as a new
    delivery or another event."""
    signed = f"{timestamp}.{delivery_id}.{event}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def retry_delay(attempt_count: int) -> timedelta:
    """Back-off after the given number of failed attempts: base, 2 * base, 4 * base... capped at 6 hours."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempt_count - 1, 0)
    return timedelta(seconds=min(seconds, 6 * 60 * 60))


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt at a pending delivery that is due; record it; schedule the next one.

    Claiming the delivery is a compare-and-set on ``next_attempt_at``, so two workers (or a task
    and the command) never send the same attempt twice.
    """
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return None
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 4 + 30)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk,
        state=WebhookDelivery.State.PENDING,
        next_attempt_at=delivery.next_attempt_at,
    ).update(next_attempt_at=lease)
    if not claimed:
        return None
    if not delivery.endpoint.is_active:
        # Switched off after the event: nothing more is sent, and the log says why.
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
        delivery.save(update_fields=["state", "next_attempt_at"])
        return delivery
    # The attempt log is technical ("HTTP 503", "ConnectTimeoutError"): kept in English whatever
    # language the request or worker that runs the task happens to have active.
    with override("en"):
        outcome = _post(endpoint=delivery.endpoint, delivery=delivery)
    number = delivery.attempt_count + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=now,
        response_status=outcome.status,
        error=outcome.error[:300],
        duration_ms=outcome.duration_ms,
    )
    delivery.attempt_count = number
    if outcome.ok:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif number >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = timezone.now() + retry_delay(number)
    delivery.save(update_fields=["attempt_count", "state", "delivered_at", "next_attempt_at"])
    return delivery


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status: int | None = None
    error: str = ""
    duration_ms: int = 0


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> _Outcome:
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "passport-portal-webhooks/1",
        SIGNATURE_HEADER: sign(
            secret=endpoint.secret,
            timestamp=timestamp,
            delivery_id=delivery.pk,
            event=delivery.event,
            body=body,
        ),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    try:
        status = post_checked(url=endpoint.url, headers=headers, body=body)
    except UnsafeWebhookUrl as error:
        return _Outcome(ok=False, error=str(error), duration_ms=_since(started))
    except (urllib3.exceptions.HTTPError, OSError) as error:
        # The message names the host and the failure; never the body.
        return _Outcome(ok=False, error=type(error).__name__, duration_ms=_since(started))
    return _Outcome(
        ok=200 <= status < 300,
        status=status,
        error="" if 200 <= status < 300 else f"HTTP {status}",
        duration_ms=_since(started),
    )


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def deliveries_retry_due(*, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come (the cron path); return how many."""
    due = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if delivery_attempt(delivery_id=pk) is not None)


def deliveries_retry_now(*, delivery_ids: list[int]) -> int:
    """Staff asked to send these (undelivered) deliveries again at once; return how many arrived."""
    WebhookDelivery.objects.filter(pk__in=delivery_ids).exclude(
        state=WebhookDelivery.State.DELIVERED
    ).update(state=WebhookDelivery.State.PENDING, next_attempt_at=timezone.now())
    return sum(
        1
        for pk in delivery_ids
        if (attempted := delivery_attempt(delivery_id=pk)) is not None
        and attempted.state == WebhookDelivery.State.DELIVERED
    )
