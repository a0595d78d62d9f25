"""What follows a change of a request's status or documents: the one way a change travels.

A service that changes a request's status calls ``status_changed`` once, inside the transaction
that made the change; one that changes a request's documents without changing its status calls
``document_changed``. Nothing else records the status change, queues the webhook, refreshes
customs readiness or tells the shop and the customer, so a change made anywhere has the same
consequences everywhere:

1. the audit event (``previous → new``), appended;
2. the webhook (a ``WebhookDelivery`` row: an outbox, sent once the transaction commits);
3. customs readiness (the request's customs record, and a second document that lost its passport),
   and, for a shop that sends automatically, the hand-over to its carrier once it is ready;
4. e-mails: the shop's upload notification, the customer's rejection notice (contact-log rows,
   sent by the task backend: with the database backend only once the transaction commits).
"""

from django.contrib.auth.models import AbstractBaseUser

from uploads.audit import services as audit
from uploads.carriers import services as carriers
from uploads.customs.services import readiness as customs_readiness
from uploads.messaging.services import contacts, notifications
from uploads.models import AuditEvent, ContactLogEntry, PassportDocument, UploadRequest
from uploads.webhooks.services import outbox as webhook_outbox

Status = UploadRequest.Status


def status_changed(
    *,
    upload_request: UploadRequest,
    previous: str,
    actor: AbstractBaseUser | None = None,
    action: str = AuditEvent.Action.STATUS_CHANGE,
    note: str = "",
    document: PassportDocument | None = None,
    via: str = AuditEvent.Via.STAFF_OR_SYSTEM,
) -> None:
    """``upload_request`` (saved, with its new status) was ``previous`` a moment ago.

    ``action`` names the audit event when it is a decision (accept, reject, erase...); ``note``
    says who or why in a word ("customer", "deadline extended"), never personal data; ``via``
    says what acted when no user did (the customer's link).
    """
    detail = f"{previous} → {upload_request.status}" + (f" ({note})" if note else "")
    audit.audit_record(
        actor=actor,
        action=action,
        upload_request=upload_request,
        document=document,
        detail=detail,
        via=via,
    )
    webhook_outbox.request_status_changed(upload_request=upload_request)
    _customs_after_change(upload_request_id=upload_request.pk)
    if upload_request.status == Status.UPLOADED:
        notifications.upload_notify(upload_request=upload_request)
    elif upload_request.status == Status.REJECTED and upload_request.order.email:
        contacts.email_queue(
            upload_request=upload_request, kind=ContactLogEntry.Kind.REJECTION, actor=actor
        )


def statuses_changed(*, changes: dict[int, str], new_status: str) -> None:
    """The same for many requests changed in one UPDATE (links that ran out): ``changes`` maps
    each request's id to its previous status."""
    audit.status_changes_record(changes=changes, new_status=new_status)
    webhook_outbox.requests_status_changed(upload_request_ids=list(changes))
    for pk in changes:
        _customs_after_change(upload_request_id=pk)


def document_changed(*, upload_request_id: int) -> None:
    """A document of the request was erased or replaced, its status unchanged."""
    _customs_after_change(upload_request_id=upload_request_id)


def customs_changed(*, upload_request_id: int) -> None:
    """What readiness is measured by changed without a status change (the customer's situation
    and name check, the seller's confirmation of differing names)."""
    _customs_after_change(upload_request_id=upload_request_id)


def _customs_after_change(*, upload_request_id: int) -> None:
    """Readiness recomputed, then what follows from it: the carrier's hand-over."""
    customs_readiness.customs_after_change(upload_request_id=upload_request_id)
    carriers.carrier_sends_after_customs_change(upload_request_id=upload_request_id)
