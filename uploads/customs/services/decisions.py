"""Customs writes made by a person: the customer's confirmation with its situation and name check,
the seller's confirmation of differing names, the second document, and the customs export.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads import events
from uploads.audit import services as audit
from uploads.core.errors import ServiceError
from uploads.customs import exports
from uploads.customs.selectors import customs_ready_q
from uploads.customs.services.readiness import (
    names_differing,
    supporting_document_erase,
)
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import (
    AuditEvent,
    CarrierMapping,
    CustomsRecord,
    PassportDocument,
    PhotoPolicy,
    Shop,
    SupportingDocument,
    TransferRecord,
    UploadRequest,
)
from uploads.papers import transfers
from uploads.papers.operator import mapping_require_country
from uploads.requests import selectors as request_selectors

NameCheck = CustomsRecord.NameCheck
NAMES_NEED_NO_CHECK = (NameCheck.MATCH, NameCheck.TYPED)


def _names_were_read(read: dict[str, str]) -> bool:
    return bool(read.get("surname") or read.get("surname_cyrillic"))


def customs_document_confirm(
    *,
    document: PassportDocument,
    fields: dict[str, str],
    situation: str,
) -> CustomsRecord:
    """The customer confirmed the fields for a situation. Names that differ from the MRZ are kept
    (the customer said so) but flagged for the seller, who must confirm them."""
    read = document_selectors.document_fields(document=document)
    if document.source == PassportDocument.Source.TYPED:
        # No photo to compare the names with: the shop's photo policy accepts typed details.
        name_check = NameCheck.TYPED
    elif document.mrz_status != PassportDocument.MrzStatus.FOUND or not _names_were_read(read):
        name_check = NameCheck.UNREAD
    elif names_differing(read, fields, situation):
        name_check = NameCheck.MISMATCH
    else:
        name_check = NameCheck.MATCH
    document_services.document_confirm(document=document, fields=fields)
    with transaction.atomic():
        record, _created = CustomsRecord.objects.select_for_update().get_or_create(
            upload_request_id=document.upload_request_id
        )
        record.document = document
        record.situation = situation
        record.name_check = name_check
        record.names_confirmed_at = None
        record.names_confirmed_by = None
        record.save()
    # Through events: readiness is recomputed there, and what follows from it (the carrier).
    events.customs_changed(upload_request_id=document.upload_request_id)
    return CustomsRecord.objects.get(upload_request_id=document.upload_request_id)


def customs_names_confirm(*, upload_request: UploadRequest, actor: AbstractBaseUser) -> None:
    """The seller compared the names with the photo and vouches for them."""
    record = CustomsRecord.objects.filter(upload_request=upload_request).first()
    if record is None or record.document_id is None or record.name_check in NAMES_NEED_NO_CHECK:
        raise ServiceError(_("There are no differing names to confirm."))
    record.names_confirmed_at = timezone.now()
    record.names_confirmed_by = actor
    record.save(update_fields=["names_confirmed_at", "names_confirmed_by"])
    events.customs_changed(upload_request_id=upload_request.pk)


def supporting_document_submit(*, upload_request: UploadRequest, data: bytes) -> SupportingDocument:
    """Validate, normalise, encrypt and store a second document (replacing an earlier one).

    Raises images.RejectedFile for an unusable file, ServiceError when the link takes no uploads.
    """
    request_selectors.request_require_open(upload_request=upload_request)
    if (
        document_selectors.photo_policy_of(shop_id=upload_request.order.shop_id)
        == PhotoPolicy.NOT_COLLECTED
    ):
        raise ServiceError(_("This seller does not collect photos of documents."))
    with (
        document_services.encrypted_file_stored(
            data=data,
            upload_request=upload_request,
            context=document_selectors.SECOND_DOCUMENT_CONTEXT,
        ) as stored,
        transaction.atomic(),
    ):
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        request_selectors.request_require_open(upload_request=locked)
        old = list(locked.supporting_documents.filter(erased_at__isnull=True))
        supporting = SupportingDocument.objects.create(upload_request=locked, **stored.columns)
        stored.key_wrap_into(supporting)
    for each in old:
        supporting_document_erase(supporting=each)
    events.customs_changed(upload_request_id=upload_request.pk)
    return supporting


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class CustomsExport:
    content: bytes
    content_type: str
    filename: str
    exported: list[UploadRequest]
    skipped: list[UploadRequest]
    unreadable: list[UploadRequest]  # ready, but their passport no longer opens: left out


def customs_export(
    *,
    upload_requests: QuerySet[UploadRequest],
    mapping: CarrierMapping,
    file_format: str,
    actor: AbstractBaseUser,
) -> CustomsExport:
    """The customs field set of the ready requests among ``upload_requests``, in the mapping's
    columns. Each exported request is audited: an export shows the seller passport data."""
    if file_format not in EXPORT_FORMATS:
        raise ServiceError(_("Choose CSV or XLSX."))
    mapping_require_country(mapping=mapping)
    upload_requests = upload_requests.select_related("order__shop", "customs")
    transfers.staff_access_require(
        user=actor, shops=Shop.objects.filter(pk__in=upload_requests.values("order__shop_id"))
    )
    ready_ids = set(upload_requests.filter(customs_ready_q()).values_list("pk", flat=True))
    table = exports.customs_table(
        upload_requests=upload_requests.order_by("order__number"),
        mapping=mapping,
        ready_ids=ready_ids,
    )
    if file_format == "csv":
        content = exports.to_csv(table, delimiter=mapping.delimiter)
    else:
        content = exports.to_xlsx(table, title=mapping.name)
    # One transaction for the whole batch: a commit per audit line would dominate the export.
    with transaction.atomic():
        for upload_request, document in zip(table.exported, table.documents, strict=True):
            audit.audit_record(
                actor=actor,
                action=AuditEvent.Action.EXPORT,
                upload_request=upload_request,
                document=document,
                detail=f"customs: {mapping.name}"[:200],
                # The file is handed to whoever the mapping is for (a carrier, a broker), in the
                # mapping's country; a staff member abroad who downloads it is registered too.
                transfer=audit.Transfer(
                    kind=TransferRecord.Kind.CUSTOMS_EXPORT,
                    recipient=str(mapping.name),
                    country=mapping.country,
                    categories=[key for key, _title in mapping.columns],
                ),
            )
        for upload_request, document, error in table.unreadable:
            audit.document_not_opened_record(
                error=error,
                where="customs export",
                upload_request=upload_request,
                document=document,
                actor=actor,
            )
    return CustomsExport(
        content=content,
        content_type=EXPORT_FORMATS[file_format],
        filename=f"customs-{timezone.localdate():%Y-%m-%d}.{file_format}",
        exported=table.exported,
        skipped=table.skipped,
        unreadable=[upload_request for upload_request, _document, _error in table.unreadable],
    )
