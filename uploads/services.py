"""Every change to the portal's state goes through here; views, admin, commands and tasks call these.

Functions are keyword-only and named ``<entity>_<action>``. They check the state transition they
make and raise ``ServiceError`` (with a message for the person who asked) when it is not allowed.
"""

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from uploads import crypto, messaging, notifications, storage, webhooks
from uploads.audit import current_ip
from uploads.images import normalise_upload
from uploads.models import (
    AuditEvent,
    Consent,
    ConsentText,
    ContactLogEntry,
    DestructionRecord,
    Order,
    PassportDocument,
    UploadRequest,
)
from uploads.mrz import read_mrz
from uploads.passport_fields import PASSPORT_FIELDS
from uploads.photo_quality import hints_after_failed_reading
from uploads.tokens import hash_token, looks_like_token, new_token

logger = logging.getLogger(__name__)

Status = UploadRequest.Status
_FIELDS_CONTEXT = b"passport fields v1"
_TOKEN_CONTEXT = b"upload link token v1"


class ServiceError(Exception):
    def __init__(self, message: Promise | str) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IssuedLink:
    upload_request: UploadRequest
    token: str

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}/u/{self.token}/"

    def __repr__(self) -> str:
        return f"IssuedLink({self.upload_request.pk}, <token hidden>)"


# --- orders and links -------------------------------------------------------------------------


def order_create(
    *,
    shop_id: int,
    number: str,
    customer_name: str,
    email: str = "",
    phone: str = "",
    language: str = "",
    deadline: date | None = None,
    send_invitation: bool = True,
) -> IssuedLink:
    """Create an order together with its upload request and return the customer's link."""
    with transaction.atomic():
        order = Order.objects.create(
            shop_id=shop_id,
            number=number,
            customer_name=customer_name,
            email=email,
            phone=phone,
            language=language,
            deadline=deadline,
        )
        return upload_request_create(order=order, send_invitation=send_invitation)


def upload_request_create(*, order: Order, send_invitation: bool = True) -> IssuedLink:
    """Create the order's request; the customer's invitation goes out once the transaction commits
    (when the order has an email address and ``send_invitation`` is on)."""
    token = new_token()
    upload_request = UploadRequest.objects.create(
        order=order,
        token_hash=hash_token(token),
        token_sealed=_seal_token(token),
        expires_at=_link_expiry(deadline=order.deadline),
    )
    if send_invitation and order.email:
        messaging.email_queue(
            upload_request=upload_request,
            kind=ContactLogEntry.Kind.INVITATION,
            on_commit=True,
        )
    return IssuedLink(upload_request=upload_request, token=token)


def _seal_token(token: str) -> bytes:
    return crypto.seal(token.encode(), context=_TOKEN_CONTEXT)


def upload_link_current(*, upload_request: UploadRequest) -> IssuedLink:
    """The request's working link, to show to its seller or send to the customer again."""
    token = crypto.unseal(bytes(upload_request.token_sealed), context=_TOKEN_CONTEXT).decode()
    return IssuedLink(upload_request=upload_request, token=token)


def upload_link_issue(
    *, upload_request: UploadRequest, actor: AbstractBaseUser | None = None
) -> IssuedLink:
    """Issue a fresh link (the old one stops working) valid for the configured number of days.

    An expired request opens again: it goes back to waiting, or to uploaded if a confirmed
    passport is already there.
    """
    if upload_request.status == Status.ACCEPTED:
        raise ServiceError(
            _("The passport has already been accepted; the customer needs no new link.")
        )
    if upload_request.erased_at is not None:
        raise ServiceError(_("This order's data has been erased; it cannot get a new link."))
    token = new_token()
    upload_request.token_hash = hash_token(token)
    upload_request.token_sealed = _seal_token(token)
    upload_request.expires_at = _link_expiry(deadline=upload_request.order.deadline)
    if upload_request.status == Status.EXPIRED:
        has_document = document_current(upload_request=upload_request) is not None
        upload_request.status = Status.UPLOADED if has_document else Status.WAITING
    upload_request.save(update_fields=["token_hash", "token_sealed", "expires_at", "status"])
    _customs_refresh(upload_request.pk)
    if actor is not None:
        audit_record(
            actor=actor, action=AuditEvent.Action.LINK_ISSUED, upload_request=upload_request
        )
    return IssuedLink(upload_request=upload_request, token=token)


def upload_link_send(
    *, upload_request: UploadRequest, actor: AbstractBaseUser | None = None
) -> IssuedLink:
    """Email the customer their link, in the order's language; a link that ran out is renewed."""
    if not upload_request.order.email:
        raise ServiceError(_("The order has no customer email address."))
    upload_request_expire_if_due(upload_request=upload_request)
    if upload_request.is_link_expired:
        link = upload_link_issue(upload_request=upload_request, actor=actor)
    else:
        link = upload_link_current(upload_request=upload_request)
    messaging.email_queue(
        upload_request=upload_request, kind=ContactLogEntry.Kind.INVITATION, actor=actor
    )
    return link


def _link_expiry(*, deadline: date | None = None) -> datetime:
    """The link's life: UPLOAD_LINK_TTL_DAYS, but never ending before the order's deadline day."""
    expiry = timezone.now() + timedelta(days=settings.UPLOAD_LINK_TTL_DAYS)
    if deadline is not None:
        end_of_deadline = timezone.make_aware(
            datetime.combine(deadline + timedelta(days=1), time.min)
        )
        expiry = max(expiry, end_of_deadline)
    return expiry


def upload_request_by_token(*, token: str) -> UploadRequest | None:
    """The request a link points to, or None for a malformed, unknown or expired link."""
    if not looks_like_token(token):
        return None
    upload_request = (
        UploadRequest.objects.select_related("order__shop")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if upload_request is None:
        return None
    upload_request_expire_if_due(upload_request=upload_request)
    if upload_request.is_link_expired:
        return None
    return upload_request


def upload_request_expire_if_due(*, upload_request: UploadRequest) -> None:
    if (
        upload_request.status in (Status.WAITING, Status.REJECTED)
        and upload_request.expires_at <= timezone.now()
    ):
        previous = upload_request.status
        upload_request.status = Status.EXPIRED
        upload_request.save(update_fields=["status"])
        webhooks.request_status_changed(upload_request=upload_request)
        audit_record(
            actor=None,
            action=AuditEvent.Action.STATUS_CHANGE,
            upload_request=upload_request,
            detail=f"{previous} → {Status.EXPIRED}",
        )


def upload_requests_expire_due() -> int:
    """Mark every request whose link has run out while still waiting for the customer."""
    with transaction.atomic():
        due = list(
            UploadRequest.objects.select_for_update()
            .filter(status__in=(Status.WAITING, Status.REJECTED), expires_at__lte=timezone.now())
            .values_list("pk", "status")
        )
        UploadRequest.objects.filter(pk__in=[pk for pk, _status in due]).update(
            status=Status.EXPIRED
        )
        AuditEvent.objects.bulk_create(
            AuditEvent(
                action=AuditEvent.Action.STATUS_CHANGE,
                upload_request_id=pk,
                detail=f"{status} → {Status.EXPIRED}",
            )
            for pk, status in due
        )
        webhooks.requests_status_changed(upload_request_ids=[pk for pk, _status in due])
    return len(due)


# --- the customer's upload --------------------------------------------------------------------


def consent_text_current() -> ConsentText:
    text = ConsentText.objects.order_by("-published_at").first()
    if text is None:
        raise ServiceError(_("The service is not ready to accept passports yet."))
    return text


def document_submit(
    *, upload_request: UploadRequest, data: bytes, consent_text_id: int, language: str
) -> PassportDocument:
    """Validate, normalise, encrypt and store a customer's upload, recording their consent.

    Raises images.RejectedFile for an unusable file and ServiceError when the request no longer
    takes uploads. The MRZ is read afterwards by the ``read_document_mrz`` task.
    """
    _require_open(upload_request)
    consent_text = ConsentText.objects.filter(pk=consent_text_id).first()
    if consent_text is None:
        raise ServiceError(_("The consent text has changed. Please read it again and confirm."))
    with encrypted_file_stored(data=data) as stored, transaction.atomic():
        request_locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        _require_open(request_locked)
        stale = list(request_locked.documents.filter(confirmed_at__isnull=True))
        consent = Consent.objects.create(
            upload_request=request_locked, consent_text=consent_text, language=language
        )
        document = PassportDocument.objects.create(
            upload_request=request_locked, consent=consent, **stored
        )
        # An earlier upload the customer never confirmed is replaced by this one.
        stale_ids = [old.pk for old in stale]
        for old in stale:
            old.delete()
        if stale_ids:
            _record_replaced(request_locked, stale_ids)
    for old in stale:
        storage.blob_delete(name=old.blob_name)
    return document


@contextlib.contextmanager
def encrypted_file_stored(*, data: bytes) -> Iterator[dict[str, object]]:
    """Normalise, encrypt and store a customer's file; yield the columns of its row (an
    ``EncryptedFileModel``), to be saved inside the block. If the block fails, the stored file is
    deleted again: no ciphertext is left behind without its row and key.

    Raises images.RejectedFile for an unusable file, before anything is stored.
    """
    image = normalise_upload(data)
    key = crypto.new_data_key()
    blob_name, stored_bytes = storage.blob_save(key=key, plaintext=image.jpeg)
    try:
        yield {
            "blob_name": blob_name,
            "wrapped_key": key.wrapped,
            "original_format": image.original_format,
            "width": image.width,
            "height": image.height,
            "stored_bytes": stored_bytes,
        }
    except BaseException:
        storage.blob_delete(name=blob_name)
        raise


def _record_replaced(upload_request: UploadRequest, document_ids: list[int]) -> None:
    DestructionRecord.objects.create(
        reason=DestructionRecord.Reason.REPLACED,
        scope=DestructionRecord.Scope.DOCUMENT,
        shop_id=upload_request.order.shop_id,
        upload_request_ref=upload_request.pk,
        document_refs=document_ids,
    )


def _require_open(upload_request: UploadRequest) -> None:
    if upload_request.status == Status.ACCEPTED:
        raise ServiceError(
            _("The seller has already accepted your passport. Nothing more is needed.")
        )
    if not upload_request.is_open_for_upload:
        raise ServiceError(_("This link has expired. Please ask the seller for a new one."))


def document_read_mrz(*, document_id: int) -> None:
    """Read the MRZ of a stored document and keep the fields (sealed) for the customer's review.

    Runs in a task worker (or inline with the immediate backend). A reading that fails leaves the
    document "not found", so the customer types the fields instead of waiting; a reading that
    finishes after the customer confirmed never overwrites what they confirmed.
    """
    unread = PassportDocument.objects.filter(
        pk=document_id,
        mrz_status=PassportDocument.MrzStatus.PENDING,
        confirmed_at__isnull=True,
    )
    document = unread.first()
    if document is None:
        return
    key = crypto.unwrap_data_key(document.wrapped_key)
    try:
        photo = storage.blob_read(key=key, name=document.blob_name)
        result = read_mrz(photo)
    except Exception as error:
        # The exception's text could quote what was read: only its type is logged. The reader
        # failing says nothing about the photo, so there are no hints: the customer types.
        logger.warning("MRZ reading failed for document %s: %s", document.pk, type(error).__name__)
        unread.update(
            fields_sealed=_seal_fields(key, {}),
            field_validity={},
            mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
        )
        return
    logger.info(
        "MRZ read for document %s: found=%s valid=%s in %.0f ms",
        document.pk,
        result.found,
        result.valid,
        result.elapsed_ms,
    )
    fields = (
        {name: _as_text(result.fields.get(name)) for name in PASSPORT_FIELDS}
        if result.found
        else {}
    )
    # A conditional update: the customer may have confirmed (or replaced the upload) meanwhile.
    unread.update(
        fields_sealed=_seal_fields(key, fields),
        field_validity=(
            {name: bool(result.field_valid.get(name)) for name in PASSPORT_FIELDS}
            if result.found
            else {}
        ),
        photo_problems=(
            [] if result.found else photo_problems_measure(photo=photo, mrz_box=result.box)
        ),
        mrz_status=(
            PassportDocument.MrzStatus.FOUND
            if result.found
            else PassportDocument.MrzStatus.NOT_FOUND
        ),
    )


def photo_problems_measure(
    *, photo: bytes, mrz_box: tuple[int, int, int, int] | None = None
) -> list[str]:
    """What is wrong with a photo whose MRZ could not be read (dark, blurred, glare...), or
    nothing if the measuring itself fails: the hints help, the customer can type regardless.
    ``mrz_box`` is where the reader saw MRZ-like lines, if it did."""
    try:
        with Image.open(io.BytesIO(photo)) as image:
            image.load()
            problems = hints_after_failed_reading(image, mrz_box=mrz_box)
            return [str(problem) for problem in problems]
    except Exception as error:
        logger.warning("Photo hints failed: %s", type(error).__name__)
        return []


def document_reading_overdue(*, document: PassportDocument) -> bool:
    """Whether the customer has waited long enough for the MRZ and should type the fields."""
    waited = timezone.now() - document.created_at
    return waited >= timedelta(seconds=settings.MRZ_READING_TIMEOUT_S)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _seal_fields(key: crypto.DataKey, fields: dict[str, str]) -> bytes:
    return crypto.encrypt_value(key, json.dumps(fields).encode(), context=_FIELDS_CONTEXT)


def document_fields(*, document: PassportDocument) -> dict[str, str]:
    """The document's fields in clear. Callers showing them to staff must audit the view."""
    if not document.fields_sealed:
        return {}
    key = crypto.unwrap_data_key(document.wrapped_key)
    return json.loads(
        crypto.decrypt_value(key, bytes(document.fields_sealed), context=_FIELDS_CONTEXT)
    )


def document_confirm(*, document: PassportDocument, fields: dict[str, str]) -> None:
    """The customer confirmed (or corrected) the fields: the order counts as uploaded."""
    with transaction.atomic():
        upload_request = UploadRequest.objects.select_for_update().get(
            pk=document.upload_request_id
        )
        _require_open(upload_request)
        document = PassportDocument.objects.select_for_update().get(pk=document.pk)
        if document.confirmed_at is not None or document.superseded_at is not None:
            raise ServiceError(_("This upload has already been submitted."))
        key = crypto.unwrap_data_key(document.wrapped_key)
        now = timezone.now()
        document.fields_sealed = _seal_fields(
            key, {name: fields.get(name, "") for name in PASSPORT_FIELDS}
        )
        document.confirmed_at = now
        document.save(update_fields=["fields_sealed", "confirmed_at"])
        replaced = list(
            upload_request.documents.filter(
                confirmed_at__isnull=False, superseded_at__isnull=True
            ).exclude(pk=document.pk)
        )
        for old in replaced:
            old.superseded_at = now
            old.save(update_fields=["superseded_at"])
        previous = upload_request.status
        upload_request.status = Status.UPLOADED
        upload_request.uploaded_at = now
        upload_request.rejection_reason = ""
        upload_request.save(update_fields=["status", "uploaded_at", "rejection_reason"])
        webhooks.request_status_changed(upload_request=upload_request)
        audit_record(
            actor=None,
            action=AuditEvent.Action.STATUS_CHANGE,
            upload_request=upload_request,
            document=document,
            detail=f"{previous} → {Status.UPLOADED} (customer)",
        )
    # Replaced passports are not kept: the seller only ever needs the current one.
    for old in replaced:
        document_erase(document=old)
    if replaced:
        _record_replaced(upload_request, [old.pk for old in replaced])
    _customs_refresh(upload_request.pk)
    notifications.upload_notify(upload_request=upload_request)


def document_erase(*, document: PassportDocument) -> None:
    """Delete a document's encrypted file and forget its key and fields; the row stays as a record."""
    if document.blob_name:
        storage.blob_delete(name=document.blob_name)
    document.blob_name = ""
    document.wrapped_key = b""
    document.fields_sealed = None
    document.superseded_at = document.superseded_at or timezone.now()
    document.save(update_fields=["blob_name", "wrapped_key", "fields_sealed", "superseded_at"])
    _customs_refresh(document.upload_request_id)


# An upload the customer never confirmed is abandoned after this long and erased.
ABANDONED_UPLOAD_AGE = timedelta(days=1)


def document_current(*, upload_request: UploadRequest) -> PassportDocument | None:
    """The confirmed passport the seller works with."""
    return (
        upload_request.documents.filter(confirmed_at__isnull=False, superseded_at__isnull=True)
        .order_by("-confirmed_at")
        .first()
    )


def document_pending(*, upload_request: UploadRequest) -> PassportDocument | None:
    """The customer's latest upload that still waits for them to confirm the fields."""
    return (
        upload_request.documents.filter(confirmed_at__isnull=True).order_by("-created_at").first()
    )


# --- the seller's decisions -------------------------------------------------------------------


def request_accept(*, upload_request: UploadRequest, actor: AbstractBaseUser) -> None:
    with transaction.atomic():
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        if locked.status != Status.UPLOADED:
            raise ServiceError(_("Only an uploaded passport can be accepted."))
        locked.status = Status.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(actor=actor, action=AuditEvent.Action.ACCEPT, upload_request=locked)
        webhooks.request_status_changed(upload_request=locked)
    upload_request.refresh_from_db()
    _customs_refresh(upload_request.pk)


def request_reject(*, upload_request: UploadRequest, actor: AbstractBaseUser, reason: str) -> None:
    """Send the passport back to the customer with the seller's reason; their link works again."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Please give the customer a reason."))
    with transaction.atomic():
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        if locked.status not in (Status.UPLOADED, Status.ACCEPTED):
            raise ServiceError(_("Only an uploaded or accepted passport can be rejected."))
        locked.status = Status.REJECTED
        locked.rejection_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.expires_at = max(locked.expires_at, _link_expiry())
        locked.save(
            update_fields=["status", "rejection_reason", "decided_at", "decided_by", "expires_at"]
        )
        # The reason stays on the request (erasable), not in the append-only log: staff may
        # write personal details into it.
        audit_record(actor=actor, action=AuditEvent.Action.REJECT, upload_request=locked)
        webhooks.request_status_changed(upload_request=locked)
    upload_request.refresh_from_db()
    _customs_refresh(upload_request.pk)
    if upload_request.order.email:
        messaging.email_queue(
            upload_request=upload_request, kind=ContactLogEntry.Kind.REJECTION, actor=actor
        )


def request_deadline_extend(
    *, upload_request: UploadRequest, actor: AbstractBaseUser, deadline: date
) -> None:
    """Move the order's deadline later; the link then works at least until the end of that day
    (a link that ran out works again)."""
    if deadline < timezone.localdate():
        raise ServiceError(_("The new deadline is in the past."))
    with transaction.atomic():
        locked = (
            UploadRequest.objects.select_for_update()
            .select_related("order")
            .get(pk=upload_request.pk)
        )
        if locked.status == Status.ACCEPTED:
            raise ServiceError(_("The passport is already accepted."))
        order = locked.order
        if order.deadline is not None and deadline <= order.deadline:
            raise ServiceError(_("The new deadline must be later than the current one."))
        order.deadline = deadline
        order.save(update_fields=["deadline"])
        end_of_day = timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))
        locked.expires_at = max(locked.expires_at, end_of_day)
        if locked.status == Status.EXPIRED:
            has_document = document_current(upload_request=locked) is not None
            locked.status = Status.UPLOADED if has_document else Status.WAITING
        locked.save(update_fields=["expires_at", "status"])
    upload_request.refresh_from_db()
    _customs_refresh(upload_request.pk)


def _customs_refresh(upload_request_id: int) -> None:
    """Keep "ready for customs" in step with every change of status or document (issue 9)."""
    from uploads.customs import services as customs_services  # it builds on this module

    customs_services.customs_after_change(upload_request_id=upload_request_id)


# --- audit ------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    upload_request: UploadRequest | None,
    document: PassportDocument | None = None,
    detail: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    """Append an event; the address defaults to that of the request being served, if any."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        upload_request=upload_request,
        document=document,
        detail=detail,
        ip_address=ip_address or current_ip(),
    )
