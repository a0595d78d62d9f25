"""Signed webhooks: a JSON POST to the shop's own system on every status change of a request.

The status-change services call ``request_status_changed`` inside their transaction. It writes a
``WebhookDelivery`` row (an outbox: the event exists exactly when the change was committed) and,
once the transaction commits, hands the delivery to ``django.tasks``. Each attempt is recorded. A
failed attempt is retried with exponential back-off: with a worker backend that can defer tasks
the task re-enqueues itself; with the immediate backend the ``send_webhooks`` command (cron) picks
up what is due.

Signature: ``X-Portal-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` with the
Unix time in ``X-Portal-Timestamp``; the receiver recomputes it and rejects old timestamps.

Calls never follow redirects, time out quickly, and (unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES``)
refuse any host that resolves to a loopback, private, link-local or otherwise non-public address,
connecting to the very address that was checked (no second DNS lookup to rebind).
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from uploads.models import UploadRequest, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_HEADER = "X-Portal-Event"
DELIVERY_HEADER = "X-Portal-Delivery"

# Statuses that make an event; "waiting" is the starting point, not a change worth a call.
EVENTS = {
    UploadRequest.Status.UPLOADED: "request.uploaded",
    UploadRequest.Status.ACCEPTED: "request.accepted",
    UploadRequest.Status.REJECTED: "request.rejected",
    UploadRequest.Status.EXPIRED: "request.expired",
}


class UnsafeWebhookUrl(ValueError):
    pass


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# --- creating deliveries ----------------------------------------------------------------------


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
    transaction.on_commit(lambda: _enqueue(delivery_id=delivery.pk))
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
        data["rejection_reason"] = upload_request.rejection_reason
    return json.dumps(
        {"event": event, "created_at": _iso(timezone.now()), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _enqueue(*, delivery_id: int, run_after: datetime | None = None) -> None:
    from uploads import tasks  # tasks imports services, which imports this module

    task = tasks.deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the send_webhooks command retries it when it is due
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id=delivery_id)


# --- delivering -------------------------------------------------------------------------------


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
    if delivery.state == WebhookDelivery.State.PENDING:
        _enqueue(delivery_id=delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


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
        SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
        TIMESTAMP_HEADER: str(timestamp),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }
    started = time.monotonic()
    try:
        status = _send(url=endpoint.url, headers=headers, body=body)
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


def _send(*, url: str, headers: dict[str, str], body: bytes) -> int:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _has_valid_port(url):
        raise UnsafeWebhookUrl(str(_("Only http:// and https:// addresses can be used.")))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_allowed(host=parts.hostname, port=port)
    timeout = urllib3.Timeout(connect=3.0, read=float(settings.WEBHOOK_TIMEOUT_SECONDS))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    pool_options: dict = {"timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        # Connect to the checked address; verify the certificate for the name in the URL.
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
            **pool_options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **pool_options)
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
        # Only the status matters; read a little so the connection closes cleanly.
        response.read(1024)
        response.release_conn()
        return response.status


def resolve_allowed(*, host: str, port: int) -> str:
    """The address to connect to; refuses non-public ones unless they are allowed by settings."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeWebhookUrl(str(_("The webhook host name does not resolve."))) from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise UnsafeWebhookUrl(
                    str(_("The webhook address is not a public internet address."))
                )
    return addresses[0]


def url_check(*, url: str) -> None:
    """Validate a webhook URL when a seller saves it (the same checks run again on every call)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _has_valid_port(url):
        raise UnsafeWebhookUrl(str(_("Only http:// and https:// addresses can be used.")))
    if parts.username or parts.password:
        raise UnsafeWebhookUrl(str(_("Put no user name or password in the webhook address.")))
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        resolve_allowed(host=parts.hostname, port=parts.port or 443)


def _has_valid_port(url: str) -> bool:
    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return True
