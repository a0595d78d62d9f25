"""Reads of passport documents: the current and pending upload, its fields in clear, the consent text."""

import json
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.core import crypto
from uploads.core.errors import ServiceError
from uploads.models import (
    ConsentText,
    PassportDocument,
    UploadRequest,
)

FIELDS_CONTEXT = b"passport fields v1"


def consent_text_current() -> ConsentText:
    text = ConsentText.objects.order_by("-published_at").first()
    if text is None:
        raise ServiceError(_("The service is not ready to accept passports yet."))
    return text


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
    key = crypto.unwrap_data_key(document.wrapped_key)
    return json.loads(
        crypto.decrypt_value(key, bytes(document.fields_sealed), context=FIELDS_CONTEXT)
    )
