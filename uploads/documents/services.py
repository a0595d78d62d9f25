"""Writes of passport documents: the customer's upload, its MRZ reading, confirmation and erasure.

A change of a request's status or document goes on to ``uploads.events``.
"""

import contextlib
import io
import ipaddress
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from uploads import events
from uploads.core import crypto, storage
from uploads.core.errors import ServiceError
from uploads.core.images import normalise_upload
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.documents.photo_quality import hints_after_failed_reading
from uploads.documents.selectors import (
    FIELDS_CONTEXT,
    PASSPORT_FILE_CONTEXT,
    document_key,
    document_place,
    photo_policy_of,
)
from uploads.models import (
    Consent,
    ConsentDocument,
    DestructionRecord,
    EncryptedFileModel,
    PassportDocument,
    PhotoPolicy,
    UploadRequest,
)
from uploads.mrz import read_mrz
from uploads.requests.selectors import request_require_open

logger = logging.getLogger(__name__)

Status = UploadRequest.Status


@dataclass
class StoredFile:
    """A customer's file, encrypted and stored; its row is still to be saved (``columns``), and
    its data key to be wrapped once the row has an id (``key_wrap_into``)."""

    columns: dict[str, object]
    key: crypto.DataKey
    context: bytes
    shop_id: int
    request_id: int

    def key_wrap_into(self, document: EncryptedFileModel) -> None:
        """Wrap the data key bound to the saved row's shop, request and id, and save it."""
        document.wrapped_key = crypto.wrap_data_key(
            self.key,
            context=self.context,
            shop_id=self.shop_id,
            request_id=self.request_id,
            document_id=document.pk,
        )
        document.save(update_fields=["wrapped_key"])


@contextlib.contextmanager
def encrypted_file_stored(
    *, data: bytes, upload_request: UploadRequest, context: bytes
) -> Iterator[StoredFile]:
    """Normalise, encrypt and store a customer's file for ``upload_request``; yield what its row
    (an ``EncryptedFileModel``) needs, to be saved inside the block (create the row with
    ``stored.columns``, then ``stored.key_wrap_into(row)``). If the block fails, the stored file
    is deleted again: no ciphertext is left behind without its row and key.

    The file is bound to the request's shop and id (``context`` says what it is); its data key,
    wrapped with the row's id, binds it to the row.

    Raises images.RejectedFile for an unusable file, before anything is stored.
    """
    image = normalise_upload(data)
    shop_id = upload_request.order.shop_id
    key = crypto.new_data_key(context=context, shop_id=shop_id, request_id=upload_request.pk)
    blob_name, stored_bytes = storage.blob_save(key=key, plaintext=image.jpeg)
    try:
        yield StoredFile(
            columns={
                "blob_name": blob_name,
                "wrapped_key": b"",
                "original_format": image.original_format,
                "width": image.width,
                "height": image.height,
                "stored_bytes": stored_bytes,
            },
            key=key,
            context=context,
            shop_id=shop_id,
            request_id=upload_request.pk,
        )
    except BaseException:
        storage.blob_delete(name=blob_name)
        raise


# What is kept of the browser that consented: enough to recognise it, not a fingerprint.
USER_AGENT_MAX_LENGTH = 300
PHOTO_NOT_COLLECTED_MESSAGE = _(
    "This seller does not collect photos of passports. Please type the details instead."
)
PHOTO_REQUIRED_MESSAGE = _(
    "This seller needs a photo of the passport. Please take a photo or choose a file."
)


def photo_policy_require(*, upload_request: UploadRequest, typed: bool) -> None:
    """Refuse what the shop's photo policy does not take: a file where no photo is collected,
    typed details where a photo is required. Checked by the server, whatever a page showed."""
    policy = photo_policy_of(shop_id=upload_request.order.shop_id)
    if typed and policy == PhotoPolicy.REQUIRED:
        raise ServiceError(PHOTO_REQUIRED_MESSAGE)
    if not typed and policy == PhotoPolicy.NOT_COLLECTED:
        raise ServiceError(PHOTO_NOT_COLLECTED_MESSAGE)


def document_submit(
    *,
    upload_request: UploadRequest,
    data: bytes,
    consent_document_id: int,
    client_ip: str = "",
    user_agent: str = "",
) -> PassportDocument:
    """Validate, normalise, encrypt and store a customer's upload, recording their consent: the
    exact consent document they were shown (one of their shop's), when, in which language, from
    which address and browser.

    Raises images.RejectedFile for an unusable file and ServiceError when the request no longer
    takes uploads, the consent document is not one of the shop's, or the shop collects no photos.
    The MRZ is read afterwards by the ``read_document_mrz`` task.
    """
    request_require_open(upload_request=upload_request)
    # Before the file is even decoded: a shop that collects no photos never holds one.
    photo_policy_require(upload_request=upload_request, typed=False)
    consent_document = _consent_document_of(
        upload_request=upload_request, consent_document_id=consent_document_id
    )
    with (
        encrypted_file_stored(
            data=data, upload_request=upload_request, context=PASSPORT_FILE_CONTEXT
        ) as stored,
        transaction.atomic(),
    ):
        request_locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        request_require_open(upload_request=request_locked)
        stale = list(request_locked.documents.filter(confirmed_at__isnull=True))
        consent = _consent_record(
            upload_request=request_locked,
            consent_document=consent_document,
            client_ip=client_ip,
            user_agent=user_agent,
        )
        document = PassportDocument.objects.create(
            upload_request=request_locked, consent=consent, **stored.columns
        )
        stored.key_wrap_into(document)
        # An earlier upload the customer never confirmed is replaced by this one.
        if stale:
            # Recorded before the rows go (deleting them clears their ids).
            _record_replaced(request_locked, stale)
        for old in stale:
            old.delete()
    _stale_files_delete(stale)
    return document


def _consent_document_of(
    *, upload_request: UploadRequest, consent_document_id: int
) -> ConsentDocument:
    # Only a version of the request's own shop: another shop's text names another operator.
    consent_document = ConsentDocument.objects.filter(
        pk=consent_document_id, shop_id=upload_request.order.shop_id
    ).first()
    if consent_document is None:
        raise ServiceError(_("The consent text has changed. Please read it again and confirm."))
    return consent_document


def _consent_record(
    *,
    upload_request: UploadRequest,
    consent_document: ConsentDocument,
    client_ip: str,
    user_agent: str,
) -> Consent:
    return Consent.objects.create(
        upload_request=upload_request,
        document=consent_document,
        language=consent_document.language,
        client_ip=_address_or_none(client_ip),
        user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
    )


def _stale_files_delete(stale: list[PassportDocument]) -> None:
    # A typed document had no file to delete.
    for old in stale:
        if old.blob_name:
            storage.blob_delete(name=old.blob_name)


def document_typed_start(
    *,
    upload_request: UploadRequest,
    consent_document_id: int,
    client_ip: str = "",
    user_agent: str = "",
) -> PassportDocument:
    """The customer will type the passport's details instead of sending a photo (where the shop's
    photo policy allows it): a document without any file, recording their consent, that the
    review form fills in and ``document_confirm`` confirms as it does a photo's.

    It has a data key of its own, only to seal its fields. An earlier unconfirmed upload (a
    photo too) is replaced by it. Raises ServiceError when the request no longer takes uploads,
    the consent document is not one of the shop's, or its shop requires a photo.
    """
    request_require_open(upload_request=upload_request)
    photo_policy_require(upload_request=upload_request, typed=True)
    consent_document = _consent_document_of(
        upload_request=upload_request, consent_document_id=consent_document_id
    )
    shop_id = upload_request.order.shop_id
    key = crypto.new_data_key(
        context=PASSPORT_FILE_CONTEXT, shop_id=shop_id, request_id=upload_request.pk
    )
    with transaction.atomic():
        request_locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        request_require_open(upload_request=request_locked)
        stale = list(request_locked.documents.filter(confirmed_at__isnull=True))
        consent = _consent_record(
            upload_request=request_locked,
            consent_document=consent_document,
            client_ip=client_ip,
            user_agent=user_agent,
        )
        document = PassportDocument.objects.create(
            upload_request=request_locked,
            consent=consent,
            source=PassportDocument.Source.TYPED,
            mrz_status=PassportDocument.MrzStatus.NO_PHOTO,
            blob_name="",
            wrapped_key=b"",
            original_format="",
            stored_content_type="",
            width=0,
            height=0,
            stored_bytes=0,
        )
        StoredFile(
            columns={},
            key=key,
            context=PASSPORT_FILE_CONTEXT,
            shop_id=shop_id,
            request_id=upload_request.pk,
        ).key_wrap_into(document)
        if stale:
            # Recorded before the rows go (deleting them clears their ids).
            _record_replaced(request_locked, stale)
        for old in stale:
            old.delete()
    _stale_files_delete(stale)
    return document


def _address_or_none(address: str) -> str | None:
    """An IP address as the consent keeps it; anything else (no proxy header, a test client's
    made-up value) is kept as none rather than refused: the consent itself stands."""
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def _record_replaced(upload_request: UploadRequest, documents: list[PassportDocument]) -> None:
    # The rows are deleted: the record says which were typed (no image) for the acts.
    DestructionRecord.objects.create(
        reason=DestructionRecord.Reason.REPLACED,
        scope=DestructionRecord.Scope.DOCUMENT,
        shop_id=upload_request.order.shop_id,
        upload_request_ref=upload_request.pk,
        order_number=upload_request.order.number,
        document_refs=[document.pk for document in documents],
        typed_refs=[
            document.pk
            for document in documents
            if document.source == PassportDocument.Source.TYPED
        ],
    )


def document_read_mrz(*, document_id: int) -> None:
    """Read the MRZ of a stored document and keep the fields (sealed) for the customer's review.

    Runs in a task worker (or inline with the immediate backend). The reading is claimed on the
    document first (``_reading_claim``): a worker killed mid-reading leaves a claim that goes
    stale, and ``documents_reading_lost`` hands the document to the queue again. Everything after
    the claim (unwrapping the key, reading the storage, the reader) is inside the failure
    handling: a failure the next attempt may not meet (the storage or the key not there) leaves
    the document pending for another attempt; the last attempt, or the reader failing, ends
    "not found" with the reason, and the customer types the fields. A reading that finishes after
    the customer confirmed never overwrites what they confirmed.
    """
    document = _reading_claim(document_id=document_id)
    if document is None:
        return
    failure = PassportDocument.MrzFailure.READER
    key: crypto.DataKey | None = None
    try:
        failure = PassportDocument.MrzFailure.KEY
        key = document_key(document)
        failure = PassportDocument.MrzFailure.STORAGE
        photo = storage.blob_read(key=key, name=document.blob_name)
        failure = PassportDocument.MrzFailure.READER
        result = read_mrz(photo)
    except Exception as error:
        # The exception's text could quote what was read: only its type is logged.
        logger.warning(
            "MRZ reading attempt %s of document %s failed: %s (%s)",
            document.mrz_attempts,
            document.pk,
            failure.value,
            type(error).__name__,
        )
        if failure == PassportDocument.MrzFailure.READER:
            _reading_fail(document=document, key=key, failure=failure)
        else:
            _reading_retry_later(document=document, key=key, failure=failure)
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
    updated = _unread(document_id=document.pk).update(
        fields_sealed=fields_seal(key, document=document, fields=fields),
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
        mrz_failure=(
            PassportDocument.MrzFailure.READER if result.error else PassportDocument.MrzFailure.NONE
        ),
    )
    if not updated:
        _reading_typed_first(document_id=document.pk)


def _unread(*, document_id: int) -> QuerySet[PassportDocument]:
    return PassportDocument.objects.filter(
        pk=document_id,
        mrz_status=PassportDocument.MrzStatus.PENDING,
        confirmed_at__isnull=True,
    )


def _reading_claim(*, document_id: int) -> PassportDocument | None:
    """Take the document's reading for this attempt, or None when there is nothing to read: read
    already, claimed by a worker that is still within its time, or out of attempts (then it ends
    "not found" here). Another queued copy of the same task finds the claim taken and stops."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.MRZ_READING_RETRY_AFTER_S)
    with transaction.atomic():
        document = (
            PassportDocument.objects.select_for_update()
            .filter(pk=document_id, mrz_status=PassportDocument.MrzStatus.PENDING)
            .filter(Q(mrz_started_at__isnull=True) | Q(mrz_started_at__lt=stale_before))
            .first()
        )
        if document is None:
            return None
        if document.confirmed_at is not None or not document.blob_name:
            _reading_typed_first(document_id=document.pk)
            return None
        if document.mrz_attempts >= settings.MRZ_READING_MAX_ATTEMPTS:
            # The last attempt's worker died too (or it met an outage): give up, say why.
            logger.warning(
                "MRZ reading of document %s given up after %s attempts",
                document.pk,
                document.mrz_attempts,
            )
            _reading_fail(
                document=document,
                key=None,
                failure=document.mrz_failure or PassportDocument.MrzFailure.INTERRUPTED,
            )
            return None
        document.mrz_attempts += 1
        document.mrz_started_at = now
        document.save(update_fields=["mrz_attempts", "mrz_started_at"])
    return document


def _reading_retry_later(
    *, document: PassportDocument, key: crypto.DataKey | None, failure: str
) -> None:
    """A failure the next attempt may not meet: the claim stays (so the retry comes after
    MRZ_READING_RETRY_AFTER_S), the reason is kept for the seller; the last attempt ends here."""
    if document.mrz_attempts >= settings.MRZ_READING_MAX_ATTEMPTS:
        _reading_fail(document=document, key=key, failure=failure)
        return
    _unread(document_id=document.pk).update(mrz_failure=failure)


def _reading_fail(*, document: PassportDocument, key: crypto.DataKey | None, failure: str) -> None:
    """ "Not found" with the reason, and no photo hints (the reading failed, not the photo): the
    customer types the fields."""
    updated = _unread(document_id=document.pk).update(
        fields_sealed=(fields_seal(key, document=document, fields={}) if key is not None else None),
        field_validity={},
        photo_problems=[],
        mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
        mrz_failure=failure,
    )
    if not updated:
        _reading_typed_first(document_id=document.pk)


def _reading_typed_first(*, document_id: int) -> None:
    """The customer confirmed (typing the fields) before any reading finished: nothing is read
    any more, and the seller sees why there is no reading instead of "not read yet" for good."""
    PassportDocument.objects.filter(
        pk=document_id,
        mrz_status=PassportDocument.MrzStatus.PENDING,
        confirmed_at__isnull=False,
    ).update(
        mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
        mrz_failure=PassportDocument.MrzFailure.TYPED_FIRST,
    )


def documents_reading_requeued(*, document_ids: list[int]) -> list[int]:
    """Mark the given lost readings as handed to the queue again (now), and return the ids this
    call marked: a caller enqueues exactly those, so two callers at once queue each only once."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.MRZ_READING_RETRY_AFTER_S)
    marked = []
    for document_id in document_ids:
        if (
            PassportDocument.objects.filter(pk=document_id)
            .filter(Q(mrz_queued_at__isnull=True) | Q(mrz_queued_at__lt=cutoff))
            .update(mrz_queued_at=now)
        ):
            marked.append(document_id)
    return marked


def document_read_again(*, document: PassportDocument) -> bool:
    """The seller asks for another reading of an upload the customer has not confirmed yet and
    whose reading failed: it starts afresh (all attempts again). False when there is nothing to
    read again (confirmed, erased, or read)."""
    updated = (
        PassportDocument.objects.filter(
            pk=document.pk,
            mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
            confirmed_at__isnull=True,
            superseded_at__isnull=True,
        )
        .exclude(blob_name="")
        .update(
            mrz_status=PassportDocument.MrzStatus.PENDING,
            mrz_failure=PassportDocument.MrzFailure.NONE,
            mrz_attempts=0,
            mrz_started_at=None,
            mrz_queued_at=timezone.now(),
        )
    )
    return bool(updated)


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


def fields_seal(
    key: crypto.DataKey, *, document: PassportDocument, fields: dict[str, str]
) -> bytes:
    """The fields sealed with the document's data key, bound to its shop, request and id."""
    return crypto.encrypt_value(
        key, json.dumps(fields).encode(), context=FIELDS_CONTEXT, **document_place(document)
    )


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
        if document.source == PassportDocument.Source.TYPED:
            # The shop may have come to require a photo since the customer started typing.
            photo_policy_require(upload_request=upload_request, typed=True)
        key = document_key(document)
        now = timezone.now()
        document.fields_sealed = fields_seal(
            key,
            document=document,
            fields={name: fields.get(name, "") for name in PASSPORT_FIELDS},
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
        upload_request.rejection_code = upload_request.rejection_reason = ""
        upload_request.save(
            update_fields=["status", "uploaded_at", "rejection_code", "rejection_reason"]
        )
        events.status_changed(
            upload_request=upload_request,
            previous=previous,
            note="customer"
            if document.source == PassportDocument.Source.PHOTO
            else "customer typed",
            document=document,
        )
    # Replaced passports are not kept: the seller only ever needs the current one.
    for old in replaced:
        document_erase(document=old)
    if replaced:
        _record_replaced(upload_request, replaced)


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
