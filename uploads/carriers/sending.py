"""One attempt at a hand-over, and reading the carrier's answers back.

A send is claimed by a compare-and-set (state, due time and attempt count), so two workers, or a
task and the cron pass, never make the same attempt twice. What is handed over is recorded before
the call (the field names on the send, the audit event); a worker killed during the call leaves
the send ``sending`` under its lease, and once the lease runs out the next pass sends the same
data again. CDEK is told with an update (``PATCH``) of the same recipient values, which changes
nothing it keeps: a repeated hand-over is visible in the audit log, never as a difference at CDEK.

Failures: 429, 5xx, a timeout or no connection -> tried again after 1, 2, 4 ... times
``CARRIER_RETRY_BASE_SECONDS`` (or CDEK's ``Retry-After``), up to ``CARRIER_MAX_ATTEMPTS``; an
expired token -> one new token at once (``cdek.client``); a refusal (4xx with CDEK's errors) ->
kept with CDEK's codes and messages for the seller, not retried.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from uploads.audit import services as audit
from uploads.carriers import records, registry
from uploads.carriers.base import ApiCarrier, CarrierMessage, Outcome, Readiness, SendResult
from uploads.core import crypto, not_opened
from uploads.customs import selectors as customs_selectors
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, CarrierOrder, CarrierSend, CustomsRecord, TransferRecord

logger = logging.getLogger(__name__)

State = CarrierSend.State

# A send's answer code when the shop's CDEK credentials do not open in this process.
CREDENTIALS_NOT_OPENED = "credentials_not_opened"


def retry_delay(attempts: int, retry_after: int | None = None) -> timedelta:
    """Back-off after ``attempts`` failed attempts: base, 2 * base, 4 * base... at most 6 hours,
    and never sooner than the carrier's ``Retry-After``."""
    seconds = settings.CARRIER_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(max(seconds, retry_after or 0), 6 * 60 * 60))


def lease() -> timedelta:
    """How long a claimed send is left to its worker: a token, a look-up and the update."""
    return timedelta(seconds=settings.CARRIER_TIMEOUT_SECONDS * 4 + 30)


def redact(messages: list[CarrierMessage], secrets: list[str]) -> list[dict[str, str]]:
    """The carrier's messages as stored: any value we sent that a message quotes is cut out."""
    kept = []
    for message in messages:
        text = message.message
        for secret in secrets:
            if len(secret) >= 2:
                for form in {secret, secret.upper(), secret.lower()}:
                    text = text.replace(form, "…")
        kept.append({"code": message.code, "message": text[:300]})
    return kept


def send_attempt(*, send_id: int) -> CarrierSend | None:
    """Make one attempt at a due send; return it, or ``None`` when it was not due or another
    worker claimed it first."""
    now = timezone.now()
    send = (
        CarrierSend.objects.filter(pk=send_id, state__in=CarrierSend.DUE_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .first()
    )
    if send is None:
        return None
    claimed = CarrierSend.objects.filter(
        pk=send.pk,
        state=send.state,
        attempts=send.attempts,
        next_attempt_at=send.next_attempt_at,
    ).update(state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + lease())
    if not claimed:
        return None
    send = CarrierSend.objects.select_related("upload_request__order").get(pk=send.pk)
    upload_request = send.upload_request
    try:
        carrier = registry.api_carrier_for(shop=upload_request.order.shop_id, carrier=send.carrier)
    except crypto.DecryptionError as error:
        # The shop's credentials no longer open here (their master key is not loaded).
        logger.warning(
            "carrier send %s: credentials do not open (%s)", send.pk, type(error).__name__
        )
        return _finish(send, State.FAILED, [{"code": CREDENTIALS_NOT_OPENED, "message": ""}])
    if carrier is None:
        return _finish(send, State.FAILED, [{"code": "no_account", "message": ""}])
    document = document_selectors.document_current(upload_request=upload_request)
    record = CustomsRecord.objects.filter(upload_request=upload_request).first()
    if (
        document is None
        or record is None
        or not customs_selectors.customs_is_ready(upload_request=upload_request)
    ):
        return _finish(send, State.FAILED, [{"code": "not_ready", "message": ""}])
    link, _created = CarrierOrder.objects.get_or_create(
        upload_request=upload_request, defaults={"carrier": send.carrier}
    )
    if not link.order_uuid:
        found = order_find(carrier=carrier, link=link)
        if found.outcome == Outcome.NOT_FOUND:
            return _finish(send, State.NOT_FOUND, redact(found.messages, []), found.http_status)
        if found.outcome != Outcome.SUCCESSFUL:
            return _after(send, found, secrets=[])
    try:
        out = records.cdek_record(
            upload_request=upload_request, document=document, situation=record.situation, link=link
        )
    except crypto.DecryptionError as error:
        # The passport no longer opens: nothing is handed over, and trying again will not help
        # until the customer uploads again.
        audit.document_not_opened_record(
            error=error,
            where=f"carrier send {send.pk}",
            upload_request=upload_request,
            document=document,
            actor=send.actor,
        )
        return _finish(send, State.FAILED, [{"code": not_opened.UNREADABLE, "message": ""}])
    with transaction.atomic():
        # The hand-over is on record before anything leaves.
        send.document = document
        send.fields = out.field_names()
        send.save(update_fields=["document", "fields"])
        audit.audit_record(
            actor=send.actor,
            action=AuditEvent.Action.CARRIER_SEND,
            upload_request=upload_request,
            document=document,
            detail=f"{carrier.name}: {', '.join(out.field_names())}"[:200],
            transfer=audit.Transfer(
                kind=TransferRecord.Kind.CARRIER_SEND,
                recipient=carrier.name,
                country=carrier.country,
                categories=out.field_names(),
            ),
        )
    result = carrier.send(out)
    logger.info(
        "carrier send %s attempt %s: %s", send.pk, send.attempts, result.outcome.value
    )  # ids and an outcome word only
    if result.outcome == Outcome.NOT_FOUND:
        # The order went away at CDEK (deleted, or the link was wrong): look it up again next time.
        CarrierOrder.objects.filter(pk=link.pk).update(
            order_uuid="", lookup=CarrierOrder.Lookup.NOT_FOUND
        )
    return _after(send, result, secrets=out.secret_strings())


def order_find(*, carrier: ApiCarrier, link: CarrierOrder) -> SendResult:
    """Look the request's order up at the carrier and keep what was found."""
    upload_request = link.upload_request
    found = carrier.find_order(
        order_number=upload_request.order.number, carrier_number=link.cdek_number
    )
    if found.outcome == Outcome.SUCCESSFUL:
        link.order_uuid = found.carrier_order_id
        link.cdek_number = link.cdek_number or found.carrier_number
        link.lookup = CarrierOrder.Lookup.LINKED
        link.save(update_fields=["order_uuid", "cdek_number", "lookup"])
    elif found.outcome == Outcome.NOT_FOUND:
        link.lookup = CarrierOrder.Lookup.NOT_FOUND
        link.save(update_fields=["lookup"])
    return found


def _after(send: CarrierSend, result: SendResult, *, secrets: list[str]) -> CarrierSend:
    answers = redact(result.messages, secrets)
    send.request_uuid = result.request_id or send.request_uuid
    if result.outcome == Outcome.ACCEPTED:
        send.state, send.next_attempt_at, send.answers = State.ACCEPTED, None, answers
        send.http_status = result.http_status
        send.save(
            update_fields=["state", "next_attempt_at", "answers", "http_status", "request_uuid"]
        )
        return send
    if result.outcome == Outcome.SUCCESSFUL:
        return _finish(send, State.SUCCESSFUL, answers, result.http_status)
    if result.outcome == Outcome.REFUSED:
        return _finish(send, State.REFUSED, answers, result.http_status)
    if result.outcome == Outcome.NOT_FOUND:
        return _finish(send, State.NOT_FOUND, answers, result.http_status)
    if result.outcome == Outcome.AUTH_FAILED:
        return _finish(send, State.FAILED, answers, result.http_status)
    if send.attempts >= settings.CARRIER_MAX_ATTEMPTS:
        return _finish(send, State.FAILED, answers, result.http_status)
    send.state = State.RETRYING
    send.next_attempt_at = timezone.now() + retry_delay(send.attempts, result.retry_after)
    send.answers, send.http_status = answers, result.http_status
    send.save(update_fields=["state", "next_attempt_at", "answers", "http_status", "request_uuid"])
    return send


def _finish(
    send: CarrierSend,
    state: str,
    answers: list[dict[str, str]],
    http_status: int | None = None,
) -> CarrierSend:
    send.state, send.answers, send.http_status = state, answers, http_status
    send.next_attempt_at, send.finished_at = None, timezone.now()
    send.save(
        update_fields=[
            "state",
            "answers",
            "http_status",
            "next_attempt_at",
            "finished_at",
            "request_uuid",
        ]
    )
    return send


def sends_due(*, limit: int = 500) -> list[int]:
    """Sends whose time has come: queued, waiting to retry, or left by a worker past its lease."""
    return list(
        CarrierSend.objects.filter(state__in=CarrierSend.DUE_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- reading back -----------------------------------------------------------------------------


@dataclass
class PollSummary:
    sends_checked: int = 0
    orders_checked: int = 0
    satisfied: int = 0
    missing: int = 0
    errors: int = 0


def send_follow(*, send: CarrierSend, carrier: ApiCarrier) -> CarrierSend:
    """Where an accepted (asynchronous) update stands at the carrier now."""
    link = CarrierOrder.objects.filter(upload_request_id=send.upload_request_id).first()
    if link is None or not link.order_uuid or not send.request_uuid:
        return _finish(send, State.SUCCESSFUL, send.answers)
    result = carrier.request_state(carrier_order_id=link.order_uuid, request_id=send.request_uuid)
    if result.outcome == Outcome.SUCCESSFUL:
        return _finish(send, State.SUCCESSFUL, send.answers, send.http_status)
    if result.outcome == Outcome.REFUSED:
        return _finish(
            send, State.REFUSED, redact(result.messages, _sent_values(send)), send.http_status
        )
    return send


def _sent_values(send: CarrierSend) -> list[str]:
    """The values a send handed over, rebuilt to cut them out of a message read back later."""
    record = CustomsRecord.objects.filter(upload_request_id=send.upload_request_id).first()
    document = document_selectors.document_current(upload_request=send.upload_request)
    if record is None or document is None:
        return []
    link = CarrierOrder(upload_request=send.upload_request, carrier=send.carrier)
    try:
        return records.cdek_record(
            upload_request=send.upload_request,
            document=document,
            situation=record.situation,
            link=link,
        ).secret_strings()
    except crypto.DecryptionError:
        return []  # nothing to cut out that we could read


def readiness_refresh(*, link: CarrierOrder, carrier: ApiCarrier) -> CarrierOrder:
    result = carrier.readiness(carrier_order_id=link.order_uuid)
    link.readiness = {
        Readiness.SATISFIED: CarrierOrder.Readiness.SATISFIED,
        Readiness.MISSING: CarrierOrder.Readiness.MISSING,
    }.get(result.readiness, CarrierOrder.Readiness.ERROR)
    link.readiness_code = result.messages[0].code[:100] if result.messages else ""
    link.readiness_checked_at = timezone.now()
    link.save(update_fields=["readiness", "readiness_code", "readiness_checked_at"])
    return link


def carriers_poll(*, limit: int = 500) -> PollSummary:
    """Follow accepted updates, then ask the carrier's readiness of every order that was handed
    over and is not yet satisfied."""
    summary = PollSummary()
    carriers: dict[tuple[int, str], ApiCarrier | None] = {}

    def carrier_of(shop_id: int, key: str) -> ApiCarrier | None:
        if (shop_id, key) not in carriers:
            try:
                carriers[shop_id, key] = registry.api_carrier_for(shop=shop_id, carrier=key)
            except crypto.DecryptionError:
                carriers[shop_id, key] = None  # its credentials do not open here: not asked
                summary.errors += 1
        return carriers[shop_id, key]

    accepted = CarrierSend.objects.filter(state=State.ACCEPTED).select_related(
        "upload_request__order"
    )[:limit]
    for send in accepted:
        carrier = carrier_of(send.upload_request.order.shop_id, send.carrier)
        if carrier is not None:
            send_follow(send=send, carrier=carrier)
            summary.sends_checked += 1
    handed_over = (
        CarrierOrder.objects.exclude(order_uuid="")
        .exclude(readiness=CarrierOrder.Readiness.SATISFIED)
        .filter(
            upload_request__carrier_sends__state=State.SUCCESSFUL,
            upload_request__carrier_sends__carrier=F("carrier"),
        )
        .select_related("upload_request__order")
        .distinct()
        .order_by("readiness_checked_at", "pk")[:limit]
    )
    for link in handed_over:
        carrier = carrier_of(link.upload_request.order.shop_id, link.carrier)
        if carrier is None:
            continue
        readiness_refresh(link=link, carrier=carrier)
        summary.orders_checked += 1
        if link.readiness == CarrierOrder.Readiness.SATISFIED:
            summary.satisfied += 1
        elif link.readiness == CarrierOrder.Readiness.MISSING:
            summary.missing += 1
        else:
            summary.errors += 1
    return summary
