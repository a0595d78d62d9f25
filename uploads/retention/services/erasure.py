"""Retention and erasure: what the portal destroys, when, and the record it keeps of it.

Destroying a passport means deleting its ciphertext and forgetting its wrapped data key (without
the key, any copy left in a backup is unreadable) together with the sealed fields. Every
destruction leaves a ``DestructionRecord`` with internal ids, the reason and the time only.

Rules (per shop, the site settings as defaults):

- an accepted passport's image goes ``image_retention_days`` after acceptance; its fields stay for
  customs (they are sealed under the same data key, which stays too);
- everything about an order goes ``retention_days`` after its deadline or its last activity
  (decision, upload or creation), whichever is later: the passport (image, key, fields), the
  customer's name and contacts on the order, the rejection reason, and the link;
- an upload the customer never confirmed goes after a day;
- on the customer's request (erasure from admin) or when the customer withdraws consent:
  everything, at once;
- a stored file that no document refers to (an upload whose process died between storing the file
  and saving its row, a delete that failed after the row was cleared) goes once it is an hour old.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from uploads import events
from uploads.audit import services as audit
from uploads.core import storage
from uploads.core.tokens import hash_token, new_token
from uploads.documents import services as document_services
from uploads.models import (
    AuditEvent,
    DestructionRecord,
    PassportDocument,
    Shop,
    SupportingDocument,
    UploadRequest,
)

logger = logging.getLogger(__name__)

Reason = DestructionRecord.Reason
Scope = DestructionRecord.Scope
Status = UploadRequest.Status

_AUDIT_ACTION = {
    Reason.CUSTOMER_REQUEST: AuditEvent.Action.ERASE,
    Reason.CONSENT_WITHDRAWN: AuditEvent.Action.CONSENT_WITHDRAWN,
}


@dataclass
class PurgeReport:
    documents: int = 0  # passports destroyed whole (image, key, fields)
    images: int = 0  # images destroyed, fields kept
    requests: int = 0  # orders whose personal data was erased


def _holds_data(document: PassportDocument) -> bool:
    return bool(document.blob_name or document.wrapped_key or document.fields_sealed)


def _destruction_recorded(
    *,
    upload_request: UploadRequest,
    reason: str,
    scope: str,
    document_refs: list[int],
    typed_refs: list[int] | None = None,
    document: PassportDocument | None = None,
    actor: AbstractBaseUser | None = None,
    via: str = AuditEvent.Via.STAFF_OR_SYSTEM,
) -> DestructionRecord:
    """What every destruction leaves: an audit event and a destruction record (ids only)."""
    audit.audit_record(
        actor=actor,
        action=_AUDIT_ACTION.get(reason, AuditEvent.Action.PURGE),
        upload_request=upload_request,
        document=document,
        detail=f"{scope}: {reason}",
        via=via,
    )
    return DestructionRecord.objects.create(
        reason=reason,
        scope=scope,
        shop_id=upload_request.order.shop_id,
        upload_request_ref=upload_request.pk,
        order_number=upload_request.order.number,
        document_refs=document_refs,
        typed_refs=typed_refs or [],
        actor=actor,
    )


def typed_refs_of(documents: list[PassportDocument]) -> list[int]:
    """The ids of the documents whose details were typed, not read from a photo."""
    return [doc.pk for doc in documents if doc.source == PassportDocument.Source.TYPED]


def request_erase(
    *,
    upload_request: UploadRequest,
    reason: str,
    actor: AbstractBaseUser | None = None,
    via: str = AuditEvent.Via.STAFF_OR_SYSTEM,
) -> DestructionRecord:
    """Erase everything personal about an order: passports, the customer's details, the link.

    ``via`` is ``AuditEvent.Via.LINK`` when the customer withdrew consent through their link:
    the audit log then says the link acted, not an unknown nobody.
    """
    with transaction.atomic():
        locked = (
            UploadRequest.objects.select_for_update()
            .select_related("order")
            .get(pk=upload_request.pk)
        )
        documents = [doc for doc in locked.documents.all() if _holds_data(doc)]
        for document in documents:
            document_services.document_erase(document=document)
        order = locked.order
        order.customer_name = ""
        order.email = ""
        order.phone = ""
        order.save(update_fields=["customer_name", "email", "phone"])
        # The consents stay as proof of what was agreed and when; where from goes with the rest.
        locked.consents.update(client_ip=None, user_agent="")
        # The link stops working: its hash now matches no token anyone holds.
        dead_token = new_token()
        locked.token_hash = hash_token(dead_token)
        locked.token_sealed = b""
        previous = locked.status
        if previous in UploadRequest.OPEN_STATUSES:
            locked.status = Status.EXPIRED
        locked.rejection_reason = ""
        locked.erased_at = timezone.now()
        locked.save(
            update_fields=["token_hash", "token_sealed", "status", "rejection_reason", "erased_at"]
        )
        if locked.status != previous:
            events.status_changed(
                upload_request=locked, previous=previous, actor=actor, note=reason, via=via
            )
        record = _destruction_recorded(
            upload_request=locked,
            reason=reason,
            scope=Scope.REQUEST,
            document_refs=[document.pk for document in documents],
            typed_refs=typed_refs_of(documents),
            actor=actor,
            via=via,
        )
    upload_request.refresh_from_db()
    logger.info("Erased upload request %s (%s)", locked.pk, reason)
    return record


def document_image_erase(*, document: PassportDocument, reason: str) -> DestructionRecord:
    """Delete the image only; the data key stays so the sealed fields can still be read."""
    with transaction.atomic():
        locked = PassportDocument.objects.select_for_update().get(pk=document.pk)
        name = locked.blob_name
        locked.blob_name = ""
        locked.save(update_fields=["blob_name"])
        record = _destruction_recorded(
            upload_request=locked.upload_request,
            reason=reason,
            scope=Scope.IMAGE,
            document_refs=[locked.pk],
            document=locked,
        )
    if name:
        storage.blob_delete(name=name)
    return record


def _document_destroy_recorded(*, document: PassportDocument, reason: str) -> None:
    with transaction.atomic():
        document_services.document_erase(document=document)
        _destruction_recorded(
            upload_request=document.upload_request,
            reason=reason,
            scope=Scope.DOCUMENT,
            document_refs=[document.pk],
            typed_refs=typed_refs_of([document]),
            document=document,
        )


def _last_activity(upload_request: UploadRequest) -> datetime:
    if upload_request.status in (Status.ACCEPTED, Status.REJECTED) and upload_request.decided_at:
        return upload_request.decided_at
    moments = [upload_request.created_at, upload_request.uploaded_at, upload_request.decided_at]
    return max(moment for moment in moments if moment is not None)


def request_retention_anchor(*, upload_request: UploadRequest) -> datetime:
    """The moment the retention period of the whole order counts from."""
    anchor = _last_activity(upload_request)
    deadline = upload_request.order.deadline
    if deadline is not None:
        end_of_deadline = timezone.make_aware(
            datetime.combine(deadline + timedelta(days=1), datetime.min.time())
        )
        anchor = max(anchor, end_of_deadline)
    return anchor


def retention_purge_due(*, now: datetime | None = None) -> PurgeReport:
    """Destroy everything whose time has come (run daily: ``manage.py purge_expired``)."""
    now = now or timezone.now()
    report = PurgeReport()
    for shop in Shop.objects.all():
        cutoff = now - timedelta(days=shop.effective_retention_days)
        # The anchor is never before the decision (decided requests) or the creation (others).
        candidates = UploadRequest.objects.select_related("order").filter(
            Q(created_at__lte=cutoff) | Q(decided_at__lte=cutoff),
            order__shop=shop,
            erased_at__isnull=True,
        )
        for upload_request in candidates.iterator():
            if request_retention_anchor(upload_request=upload_request) <= cutoff:
                documents = sum(_holds_data(doc) for doc in upload_request.documents.all())
                request_erase(upload_request=upload_request, reason=Reason.RETENTION)
                report.requests += 1
                report.documents += documents

        image_cutoff = now - timedelta(days=shop.effective_image_retention_days)
        images_due = (
            PassportDocument.objects.select_related("upload_request__order")
            .filter(
                upload_request__order__shop=shop,
                upload_request__status=Status.ACCEPTED,
                upload_request__decided_at__lte=image_cutoff,
                confirmed_at__isnull=False,
            )
            .exclude(blob_name="")
        )
        for document in images_due.iterator():
            document_image_erase(document=document, reason=Reason.IMAGE_RETENTION)
            report.images += 1

    abandoned = PassportDocument.objects.select_related("upload_request__order").filter(
        confirmed_at__isnull=True, created_at__lte=now - document_services.ABANDONED_UPLOAD_AGE
    )
    for document in abandoned.iterator():
        if _holds_data(document):
            _document_destroy_recorded(document=document, reason=Reason.ABANDONED)
            report.documents += 1
    return report


# An upload stores its file a moment before its row commits: younger files may still be claimed.
ORPHAN_MIN_AGE = timedelta(hours=1)


def storage_orphans_delete(*, now: datetime | None = None) -> int:
    """Delete stored files that no passport or second document refers to; return how many.

    Walks the storage one folder at a time (blob names start with two hex digits), so memory stays
    one folder's names whatever the number of documents. An orphan is ciphertext whose wrapped key
    is gone or was never saved: unreadable, but still kept data, so it goes.
    """
    now = now or timezone.now()
    deleted = 0
    for folder in storage.blob_folders():
        stored = set(storage.blob_names_in(folder))
        if not stored:
            continue
        prefix = f"{folder}/"
        referenced = set(
            PassportDocument.objects.filter(blob_name__startswith=prefix).values_list(
                "blob_name", flat=True
            )
        ) | set(
            SupportingDocument.objects.filter(blob_name__startswith=prefix).values_list(
                "blob_name", flat=True
            )
        )
        for name in sorted(stored - referenced):
            if now - storage.blob_stored_at(name=name) < ORPHAN_MIN_AGE:
                continue
            storage.blob_delete(name=name)
            deleted += 1
    if deleted:
        logger.info("Deleted %d stored file(s) no document refers to", deleted)
    return deleted
