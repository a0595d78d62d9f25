"""Every change to the portal's state goes through here; views, admin, commands and tasks call these.

Functions are keyword-only and named ``<entity>_<action>``. They check the state transition they
make and raise ``ServiceError`` (with a message for the person who asked) when it is not allowed.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from uploads import crypto, messaging, notifications, storage
from uploads.images import normalise_upload
from uploads.models import (
    AuditEvent,
    Consent,
    ConsentText,
    ContactLogEntry,
    Order,
    PassportDocument,
    UploadRequest,
)
from uploads.mrz import read_mrz
from uploads.passport_fields import PASSPORT_FIELDS
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
        expires_at=_link_expiry(),
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
    token = new_token()
    upload_request.token_hash = hash_token(token)
    upload_request.token_sealed = _seal_token(token)
    upload_request.expires_at = _link_expiry()
    if upload_request.status == Status.EXPIRED:
        has_document = document_current(upload_request=upload_request) is not None
        upload_request.status = Status.UPLOADED if has_document else Status.WAITING
    upload_request.save(update_fields=["token_hash", "token_sealed", "expires_at", "status"])
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


def _link_expiry():  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=settings.UPLOAD_LINK_TTL_DAYS)


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
        upload_request.status = Status.EXPIRED
        upload_request.save(update_fields=["status"])


def upload_requests_expire_due() -> int:
    """Mark every request whose link has run out while still waiting for the customer."""
    return UploadRequest.objects.filter(
        status__in=(Status.WAITING, Status.REJECTED), expires_at__lte=timezone.now()
    ).update(status=Status.EXPIRED)


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
    image = normalise_upload(data)
    key = crypto.new_data_key()
    blob_name, stored_bytes = storage.blob_save(key=key, plaintext=image.jpeg)
    try:
        with transaction.atomic():
            request_locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
            _require_open(request_locked)
            stale = list(request_locked.documents.filter(confirmed_at__isnull=True))
            consent = Consent.objects.create(
                upload_request=request_locked, consent_text=consent_text, language=language
            )
            document = PassportDocument.objects.create(
                upload_request=request_locked,
                consent=consent,
                blob_name=blob_name,
                wrapped_key=key.wrapped,
                original_format=image.original_format,
                width=image.width,
                height=image.height,
                stored_bytes=stored_bytes,
            )
            # An earlier upload the customer never confirmed is replaced by this one.
            for old in stale:
                old.delete()
    except Exception:
        storage.blob_delete(name=blob_name)
        raise
    for old in stale:
        storage.blob_delete(name=old.blob_name)
    return document


def _require_open(upload_request: UploadRequest) -> None:
    if upload_request.status == Status.ACCEPTED:
        raise ServiceError(
            _("The seller has already accepted your passport. Nothing more is needed.")
        )
    if not upload_request.is_open_for_upload:
        raise ServiceError(_("This link has expired. Please ask the seller for a new one."))


def document_read_mrz(*, document_id: int) -> None:
    """Read the MRZ of a stored document and keep the fields (sealed) for the customer's review."""
    document = PassportDocument.objects.filter(pk=document_id).first()
    if document is None or document.mrz_status != PassportDocument.MrzStatus.PENDING:
        return
    key = crypto.unwrap_data_key(document.wrapped_key)
    result = read_mrz(storage.blob_read(key=key, name=document.blob_name))
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
    document.fields_sealed = _seal_fields(key, fields)
    document.field_validity = (
        {name: bool(result.field_valid.get(name)) for name in PASSPORT_FIELDS}
        if result.found
        else {}
    )
    document.mrz_status = (
        PassportDocument.MrzStatus.FOUND if result.found else PassportDocument.MrzStatus.NOT_FOUND
    )
    document.save(update_fields=["fields_sealed", "field_validity", "mrz_status"])


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
        upload_request.status = Status.UPLOADED
        upload_request.uploaded_at = now
        upload_request.rejection_reason = ""
        upload_request.save(update_fields=["status", "uploaded_at", "rejection_reason"])
    # Replaced passports are not kept: the seller only ever needs the current one.
    for old in replaced:
        document_erase(document=old)
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


# An upload the customer never confirmed is abandoned after this long and erased.
ABANDONED_UPLOAD_AGE = timedelta(days=1)


def documents_purge_due() -> int:
    """Erase every passport the portal no longer needs; return how many were erased.

    - accepted: PASSPORT_RETENTION_DAYS after the seller accepted (what the customer is told);
    - rejected or expired requests: the same period after the last decision or upload;
    - uploads never confirmed by the customer: after ABANDONED_UPLOAD_AGE.
    """
    now = timezone.now()
    retention_cutoff = now - timedelta(days=settings.PASSPORT_RETENTION_DAYS)
    with_blob = PassportDocument.objects.exclude(blob_name="")
    due = (
        with_blob.filter(
            upload_request__status=Status.ACCEPTED, upload_request__decided_at__lte=retention_cutoff
        )
        | with_blob.filter(
            upload_request__status__in=(Status.REJECTED, Status.EXPIRED),
            created_at__lte=retention_cutoff,
        ).exclude(upload_request__decided_at__gt=retention_cutoff)
        | with_blob.filter(confirmed_at__isnull=True, created_at__lte=now - ABANDONED_UPLOAD_AGE)
    )
    erased = 0
    for document in due.distinct().iterator():
        document_erase(document=document)
        erased += 1
    return erased


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
    upload_request.refresh_from_db()


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
        audit_record(
            actor=actor, action=AuditEvent.Action.REJECT, upload_request=locked, detail=reason[:200]
        )
    upload_request.refresh_from_db()
    if upload_request.order.email:
        messaging.email_queue(
            upload_request=upload_request, kind=ContactLogEntry.Kind.REJECTION, actor=actor
        )


# --- audit ------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    upload_request: UploadRequest | None,
    document: PassportDocument | None = None,
    detail: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor, action=action, upload_request=upload_request, document=document, detail=detail
    )


# --- keys -------------------------------------------------------------------------------------


def keys_rotate() -> int:
    """Re-wrap every data key and sealed link token under the first master key.

    Run after putting a new key first in PASSPORT_ENCRYPTION_KEYS; once it reports 0, older keys
    can be removed from the list. Files are not rewritten: only their small wrapped keys change.
    """
    changed = 0
    for document in (
        PassportDocument.objects.exclude(wrapped_key=b"").only("pk", "wrapped_key").iterator()
    ):
        wrapped = bytes(document.wrapped_key)
        if not crypto.is_wrapped_by_primary_key(wrapped):
            PassportDocument.objects.filter(pk=document.pk).update(
                wrapped_key=crypto.rewrap_data_key(wrapped)
            )
            changed += 1
    for upload_request in UploadRequest.objects.only("pk", "token_sealed").iterator():
        sealed = bytes(upload_request.token_sealed)
        if not crypto.is_sealed_by_primary_key(sealed):
            token = crypto.unseal(sealed, context=_TOKEN_CONTEXT)
            UploadRequest.objects.filter(pk=upload_request.pk).update(
                token_sealed=crypto.seal(token, context=_TOKEN_CONTEXT)
            )
            changed += 1
    return changed
