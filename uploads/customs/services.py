"""Customs state changes: the customer's confirmation with its situation and name check, the
seller's confirmation of differing names, the second document, and "ready for customs".

``customs_refresh`` is called by ``uploads.services`` after every change that can make a request
ready or not ready (confirm, accept, reject, erase), and by the functions here.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads import services, storage
from uploads.customs import exports, validation
from uploads.customs.models import (
    CarrierMapping,
    CustomsRecord,
    CustomsSettings,
    SupportingDocument,
)
from uploads.customs.transliteration import names_match
from uploads.models import AuditEvent, PassportDocument, Shop, UploadRequest

Status = UploadRequest.Status
NameCheck = CustomsRecord.NameCheck

# Problems a record can have besides a field's name (all stored as plain codes).
PROBLEM_STATUS = "status"
PROBLEM_NO_DOCUMENT = "document"
PROBLEM_NAMES = "names"
PROBLEM_SECOND_DOCUMENT = "second_document"
PROBLEM_EXPIRED = "expired"


def customs_rules(*, shop: Shop) -> validation.Rules:
    """The shop's rules; a shop that never saved its settings gets the defaults."""
    customs_settings = CustomsSettings.objects.filter(shop=shop).first()
    return (customs_settings or CustomsSettings(shop=shop)).rules()


def situation_infer(fields: dict[str, str], rules: validation.Rules) -> str:
    """The situation an MRZ suggests: the internal passport (its series), a Russian or a foreign
    passport (nationality); the customer confirms or changes it."""
    if fields.get("series"):
        guess = validation.RU_INTERNAL
    elif fields.get("nationality") == "RUS":
        guess = validation.RU_FOREIGN
    else:
        guess = validation.FOREIGN
    if guess in rules.situations or not rules.situations:
        return guess
    return rules.situations[0]


def names_differing(read: dict[str, str], typed: dict[str, str], situation: str) -> list[str]:
    """The typed name fields that do not match the names read from the MRZ (allowing
    transliteration). Empty when they match or when nothing was read."""
    pairs: list[tuple[str, str]] = []
    if read.get("surname_cyrillic"):  # the internal passport: the Cyrillic is in the MRZ exactly
        pairs += [
            ("surname_cyrillic", "surname_cyrillic"),
            ("given_names_cyrillic", "given_names_cyrillic"),
        ]
    if situation != validation.RU_INTERNAL:
        pairs += [("surname", "surname"), ("given_names", "given_names")]
    if not read.get("surname_cyrillic"):
        # A Latin MRZ: a Cyrillic name, when typed, must spell the same name.
        pairs += [("surname", "surname_cyrillic"), ("given_names", "given_names_cyrillic")]
    differing = []
    for read_name, typed_name in pairs:
        expected, given = read.get(read_name, ""), typed.get(typed_name, "")
        if not expected or not given:
            continue
        if not names_match(expected, given) and typed_name not in differing:
            differing.append(typed_name)
    return differing


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
    read = services.document_fields(document=document)
    if document.mrz_status != PassportDocument.MrzStatus.FOUND or not _names_were_read(read):
        name_check = NameCheck.UNREAD
    elif names_differing(read, fields, situation):
        name_check = NameCheck.MISMATCH
    else:
        name_check = NameCheck.MATCH
    services.document_confirm(document=document, fields=fields)
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
    return customs_refresh(upload_request=document.upload_request)


def customs_names_confirm(*, upload_request: UploadRequest, actor: AbstractBaseUser) -> None:
    """The seller compared the names with the photo and vouches for them."""
    record = CustomsRecord.objects.filter(upload_request=upload_request).first()
    if record is None or record.document_id is None or record.name_check == NameCheck.MATCH:
        raise services.ServiceError(_("There are no differing names to confirm."))
    record.names_confirmed_at = timezone.now()
    record.names_confirmed_by = actor
    record.save(update_fields=["names_confirmed_at", "names_confirmed_by"])
    customs_refresh(upload_request=upload_request)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    problems: list[str]
    valid_until: date | None


def customs_readiness(
    *, upload_request: UploadRequest, record: CustomsRecord | None = None, today: date | None = None
) -> Readiness:
    """Whether the request's current document gives a carrier everything it needs."""
    today = today or timezone.localdate()
    problems: list[str] = []
    if upload_request.status not in (Status.UPLOADED, Status.ACCEPTED):
        problems.append(PROBLEM_STATUS)
    document = services.document_current(upload_request=upload_request)
    fields = services.document_fields(document=document) if document is not None else {}
    if document is None or not fields:
        return Readiness(False, [*problems, PROBLEM_NO_DOCUMENT], None)
    shop = upload_request.order.shop
    rules = customs_rules(shop=shop)
    current = record is not None and record.document_id == document.pk
    situation = record.situation if current and record.situation else situation_infer(fields, rules)
    outcome = validation.validate_fields(
        fields, situation=situation, rules=rules, today=today, deadline=None
    )
    problems += sorted(outcome.errors)
    names_ok = current and (
        record.name_check == NameCheck.MATCH or record.names_confirmed_at is not None
    )
    if not names_ok:
        problems.append(PROBLEM_NAMES)
    if (
        situation == validation.FOREIGN
        and rules.require_second_document
        and not upload_request.supporting_documents.filter(erased_at__isnull=True).exists()
    ):
        problems.append(PROBLEM_SECOND_DOCUMENT)
    valid_until = validation.document_valid_until(fields, situation=situation)
    if valid_until is not None and valid_until < today and PROBLEM_EXPIRED not in problems:
        problems.append(PROBLEM_EXPIRED)
    return Readiness(not problems, problems, valid_until)


def customs_refresh(*, upload_request: UploadRequest) -> CustomsRecord:
    """Recompute and store whether the request is ready for customs."""
    with transaction.atomic():
        record, _created = CustomsRecord.objects.select_for_update().get_or_create(
            upload_request_id=upload_request.pk
        )
        upload_request = UploadRequest.objects.select_related("order__shop").get(
            pk=upload_request.pk
        )
        readiness = customs_readiness(upload_request=upload_request, record=record)
        record.ready = readiness.ready
        record.ready_until = readiness.valid_until
        record.problems = readiness.problems
        record.updated_at = timezone.now()
        record.save(update_fields=["ready", "ready_until", "problems", "updated_at"])
    return record


def customs_ready_q(*, today: date | None = None, prefix: str = "") -> Q:
    """Requests ready for customs today (a stored flag, and a document that has not run out)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}customs__ready": True}) & (
        Q(**{f"{prefix}customs__ready_until__isnull": True})
        | Q(**{f"{prefix}customs__ready_until__gte": today})
    )


def customs_ready_count(*, queryset: QuerySet[UploadRequest] | None = None) -> int:
    """How many of the requests (all by default) are ready for customs: for the dashboard."""
    queryset = UploadRequest.objects.all() if queryset is None else queryset
    return queryset.filter(customs_ready_q()).count()


def customs_is_ready(*, upload_request: UploadRequest) -> bool:
    return UploadRequest.objects.filter(customs_ready_q(), pk=upload_request.pk).exists()


# --- the second document ------------------------------------------------------------------------


def supporting_document_submit(*, upload_request: UploadRequest, data: bytes) -> SupportingDocument:
    """Validate, normalise, encrypt and store a second document (replacing an earlier one).

    Raises images.RejectedFile for an unusable file, ServiceError when the link takes no uploads.
    """
    services._require_open(upload_request)
    with services.encrypted_file_stored(data=data) as stored, transaction.atomic():
        locked = UploadRequest.objects.select_for_update().get(pk=upload_request.pk)
        services._require_open(locked)
        old = list(locked.supporting_documents.filter(erased_at__isnull=True))
        supporting = SupportingDocument.objects.create(upload_request=locked, **stored)
    for each in old:
        supporting_document_erase(supporting=each)
    customs_refresh(upload_request=upload_request)
    return supporting


def supporting_document_erase(*, supporting: SupportingDocument) -> None:
    if supporting.blob_name:
        storage.blob_delete(name=supporting.blob_name)
    supporting.blob_name = ""
    supporting.wrapped_key = b""
    supporting.erased_at = supporting.erased_at or timezone.now()
    supporting.save(update_fields=["blob_name", "wrapped_key", "erased_at"])


def supporting_documents_erase_with(*, upload_request_id: int) -> None:
    """A second document goes when the passport it accompanies is erased."""
    for supporting in SupportingDocument.objects.filter(
        upload_request_id=upload_request_id, erased_at__isnull=True
    ):
        supporting_document_erase(supporting=supporting)


def customs_after_change(*, upload_request_id: int) -> None:
    """Called by ``uploads.services`` after a status or document change of a request."""
    upload_request = UploadRequest.objects.filter(pk=upload_request_id).first()
    if upload_request is None:
        return
    if services.document_current(upload_request=upload_request) is None:
        supporting_documents_erase_with(upload_request_id=upload_request_id)
    customs_refresh(upload_request=upload_request)


# --- the export ---------------------------------------------------------------------------------

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
        raise services.ServiceError(_("Choose CSV or XLSX."))
    upload_requests = upload_requests.select_related("order__shop", "customs")
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
            services.audit_record(
                actor=actor,
                action=AuditEvent.Action.EXPORT,
                upload_request=upload_request,
                document=document,
                detail=f"customs: {mapping.name}"[:200],
            )
    return CustomsExport(
        content=content,
        content_type=EXPORT_FORMATS[file_format],
        filename=f"customs-{timezone.localdate():%Y-%m-%d}.{file_format}",
        exported=table.exported,
        skipped=table.skipped,
    )


def customs_refresh_all(*, shop: Shop | None = None) -> tuple[int, int]:
    """Recompute every request (of a shop, or all) that has a confirmed passport; returns
    (checked, ready). Run when a shop's customs settings change."""
    checked = ready = 0
    pending = UploadRequest.objects.filter(
        documents__confirmed_at__isnull=False, documents__superseded_at__isnull=True
    ).distinct()
    if shop is not None:
        pending = pending.filter(order__shop=shop)
    for upload_request in pending.iterator():
        record = customs_refresh(upload_request=upload_request)
        checked += 1
        ready += record.ready
    return checked, ready
