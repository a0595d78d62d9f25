"""Writes of passport documents: the customer's upload, its MRZ reading, confirmation and erasure.

A change of a request's status or document goes on to ``uploads.events``.
"""

import contextlib
import io
import json
import logging
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from uploads import events
from uploads.core import crypto, storage
from uploads.core.errors import ServiceError
from uploads.core.images import normalise_upload
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.documents.photo_quality import hints_after_failed_reading
from uploads.documents.selectors import FIELDS_CONTEXT
from uploads.models import (
    Consent,
    ConsentText,
    DestructionRecord,
    PassportDocument,
    UploadRequest,
)
from uploads.mrz import read_mrz
from uploads.requests.selectors import request_require_open

logger = logging.getLogger(__name__)

Status = UploadRequest.Status


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


def document_submit(
    *, upload_request: UploadRequest, data: bytes, consent_text_id: int, language: str
) -> PassportDocument:
    """Validate, normalise, encrypt and store a customer's upload, recording their consent.

    Raises images.RejectedFile for an unusable file and ServiceError when the request no longer
    takes uploads. The MRZ is read afterwards by the ``read_document_mrz`` task.
    """
    request_require_open(upload_request=upload_request)
    consent_text = ConsentText.objects.filter(pk=consent_text_id).first()
    if consent_text is None:
        raise ServiceError(_("The consent text has changed. Please read it again and confirm."))
    with encrypted_file_stored(data=data) as stored, transaction.atomic():
        request_locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        request_require_open(upload_request=request_locked)
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


def _record_replaced(upload_request: UploadRequest, document_ids: list[int]) -> None:
    DestructionRecord.objects.create(
        reason=DestructionRecord.Reason.REPLACED,
        scope=DestructionRecord.Scope.DOCUMENT,
        shop_id=upload_request.order.shop_id,
        upload_request_ref=upload_request.pk,
        document_refs=document_ids,
    )


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
            fields_sealed=fields_seal(key, {}),
            field_validity={},
            mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
        )
        return
    if result.error:
        # The reader failed (its reason names the exception's type, never what was read): that
        # says nothing about the photo, so there are no hints; the customer types the fields.
        logger.warning("MRZ reading failed for document %s: %s", document.pk, result.error)
    else:
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
        fields_sealed=fields_seal(key, fields),
        field_validity=(
            {name: bool(result.field_valid.get(name)) for name in PASSPORT_FIELDS}
            if result.found
            else {}
        ),
        photo_problems=(
            []
            if result.found or result.error
            else photo_problems_measure(photo=photo, mrz_box=result.box)
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


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fields_seal(key: crypto.DataKey, fields: dict[str, str]) -> bytes:
    return crypto.encrypt_value(key, json.dumps(fields).encode(), context=FIELDS_CONTEXT)


NEWER_UPLOAD_MESSAGE = _(
    "A newer photo was uploaded, perhaps in another window, so these details were not sent. "
    "Please check the details of the newer photo below."
)


def document_confirm(*, document: PassportDocument, fields: dict[str, str]) -> None:
    """The customer confirmed (or corrected) the fields: the order counts as uploaded."""
    with transaction.atomic():
        upload_request = UploadRequest.objects.select_for_update().get(
            pk=document.upload_request_id
        )
        request_require_open(upload_request=upload_request)
        shown = PassportDocument.objects.select_for_update().filter(pk=document.pk).first()
        newer = upload_request.documents.filter(
            confirmed_at__isnull=True, created_at__gt=document.created_at
        ).exclude(pk=document.pk)
        if shown is None or newer.exists():
            # The customer confirms the photo they were shown; another tab has since uploaded
            # a newer one (which replaced it): its fields must not go with that photo.
            raise ServiceError(NEWER_UPLOAD_MESSAGE)
        document = shown
        if document.confirmed_at is not None or document.superseded_at is not None:
            raise ServiceError(_("This upload has already been submitted."))
        key = crypto.unwrap_data_key(document.wrapped_key)
        now = timezone.now()
        document.fields_sealed = fields_seal(
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
        events.status_changed(
            upload_request=upload_request, previous=previous, note="customer", document=document
        )
    # Replaced passports are not kept: the seller only ever needs the current one.
    for old in replaced:
        document_erase(document=old)
    if replaced:
        _record_replaced(upload_request, [old.pk for old in replaced])


def document_erase(*, document: PassportDocument) -> None:
    """Delete a document's encrypted file and forget its key and fields; the row stays as a record."""
    if document.blob_name:
        storage.blob_delete(name=document.blob_name)
    document.blob_name = ""
    document.wrapped_key = b""
    document.fields_sealed = None
    document.superseded_at = document.superseded_at or timezone.now()
    document.save(update_fields=["blob_name", "wrapped_key", "fields_sealed", "superseded_at"])
    events.document_changed(upload_request_id=document.upload_request_id)


# An upload the customer never confirmed is abandoned after this long and erased.
ABANDONED_UPLOAD_AGE = timedelta(days=1)
