"""Reads of passport documents: the current and pending upload, its fields in clear."""

import json
from datetime import timedelta

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from uploads.core import crypto
from uploads.models import (
    CustomsSettings,
    EncryptedFileModel,
    PassportDocument,
    PhotoPolicy,
    SupportingDocument,
    UploadRequest,
)

# What each ciphertext is, in its authenticated data (with the shop, request and document ids).
FIELDS_CONTEXT = b"passport fields v1"
PASSPORT_FILE_CONTEXT = b"passport document"
SECOND_DOCUMENT_CONTEXT = b"second document"


def file_context(document: EncryptedFileModel) -> bytes:
    if isinstance(document, SupportingDocument):
        return SECOND_DOCUMENT_CONTEXT
    return PASSPORT_FILE_CONTEXT


def document_place(document: EncryptedFileModel) -> dict[str, int]:
    """The ids a document's ciphertext is bound to: its shop, request and own id, read from the
    rows themselves (a key or file moved to another row then does not open)."""
    upload_request = document.upload_request  # type: ignore[attr-defined]
    return {
        "shop_id": upload_request.order.shop_id,
        "request_id": upload_request.pk,
        "document_id": document.pk,
    }


def document_key(document: EncryptedFileModel, *, legacy: bool = False) -> crypto.DataKey:
    """The document's data key, unwrapped at its place. Raises crypto.DecryptionError (its
    subclass MasterKeyMissing names a master key this process lacks)."""
    return crypto.unwrap_data_key(
        bytes(document.wrapped_key),
        context=file_context(document),
        legacy=legacy,
        **document_place(document),
    )


def photo_policy_of(*, shop_id: int) -> PhotoPolicy:
    """Whether the shop asks for a photo, lets the customer type instead, or takes no photo; a
    shop that never saved its customs settings asks for a photo."""
    value = (
        CustomsSettings.objects.filter(shop_id=shop_id)
        .values_list("photo_policy", flat=True)
        .first()
    )
    return PhotoPolicy(value or PhotoPolicy.REQUIRED)


def request_photo_to_delete(*, upload_request: UploadRequest) -> bool:
    """Whether withdrawing consent would delete a photo of this customer's documents: one is held
    (a passport photo or a second document not yet erased), or none is sent yet and the shop
    takes photos. A typed passport has no file, an erased photo no longer has one."""
    if (
        upload_request.documents.exclude(blob_name="").exists()
        or upload_request.supporting_documents.exclude(blob_name="").exists()
    ):
        return True
    if upload_request.documents.exists():
        return False
    return photo_policy_of(shop_id=upload_request.order.shop_id) != PhotoPolicy.NOT_COLLECTED


def document_current(*, upload_request: UploadRequest) -> PassportDocument | None:
    """The confirmed passport the seller works with."""
    return (
        upload_request.documents.filter(confirmed_at__isnull=False, superseded_at__isnull=True)
        .order_by("-confirmed_at")
        .first()
    )


def document_current_source() -> Subquery:
    """For annotating upload requests: how their current passport's details came ("photo" or
    "typed", ``PassportDocument.Source``), None without one. One subquery, no query per row."""
    return Subquery(
        PassportDocument.objects.filter(
            upload_request=OuterRef("pk"), confirmed_at__isnull=False, superseded_at__isnull=True
        )
        .order_by("-confirmed_at")
        .values("source")[:1]
    )


def document_pending(*, upload_request: UploadRequest) -> PassportDocument | None:
    """The customer's latest upload that still waits for them to confirm the fields."""
    return (
        upload_request.documents.filter(confirmed_at__isnull=True).order_by("-created_at").first()
    )


def document_reading_overdue(*, document: PassportDocument) -> bool:
    """Whether the customer has waited long enough for the MRZ and should type the fields."""
    waited = timezone.now() - document.created_at
    return waited >= timedelta(seconds=settings.MRZ_READING_TIMEOUT_S)


def documents_reading_lost(*, document_ids: list[int] | None = None) -> list[int]:
    """Documents whose reading was lost: still pending, not claimed by a worker within
    MRZ_READING_RETRY_AFTER_S (its worker died mid-reading, or the task never reached a worker),
    and not handed to the queue again within that time. ``document_ids`` limits the search."""
    cutoff = timezone.now() - timedelta(seconds=settings.MRZ_READING_RETRY_AFTER_S)
    lost = PassportDocument.objects.filter(
        mrz_status=PassportDocument.MrzStatus.PENDING, created_at__lt=cutoff
    ).filter(
        Q(mrz_started_at__isnull=True) | Q(mrz_started_at__lt=cutoff),
        Q(mrz_queued_at__isnull=True) | Q(mrz_queued_at__lt=cutoff),
    )
    if document_ids is not None:
        lost = lost.filter(pk__in=document_ids)
    return list(lost.order_by("pk").values_list("pk", flat=True))


def document_fields(*, document: PassportDocument) -> dict[str, str]:
    """The document's fields in clear. Callers showing them to staff must audit the view."""
    if not document.fields_sealed:
        return {}
    key = document_key(document)
    return json.loads(
        crypto.decrypt_value(
            key, bytes(document.fields_sealed), context=FIELDS_CONTEXT, **document_place(document)
        )
    )


def document_open_error(
    document: PassportDocument, *, fields: bool = True
) -> crypto.DecryptionError | None:
    """Why the document no longer opens here (its key, or with ``fields`` its sealed fields too),
    or None when it does. Its file is checked only when it is read (the image views)."""
    try:
        if fields and document.fields_sealed:
            document_fields(document=document)
        else:
            document_key(document)
    except crypto.DecryptionError as error:
        return error
    return None
