""" "Ready for customs": each request's customs record, kept in step by ``uploads.events`` after every
change of status or document, and the rules it is measured by.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from uploads.core import crypto, not_opened, storage
from uploads.core import customs_rules as validation
from uploads.core.transliteration import names_match
from uploads.documents import selectors as document_selectors
from uploads.models import (
    CustomsRecord,
    CustomsSettings,
    Shop,
    SupportingDocument,
    UploadRequest,
)

Status = UploadRequest.Status


NameCheck = CustomsRecord.NameCheck


# Problems a record can have besides a field's name (all stored as plain codes).
PROBLEM_STATUS = "status"


PROBLEM_NO_DOCUMENT = "document"


PROBLEM_NAMES = "names"


PROBLEM_SECOND_DOCUMENT = "second_document"


PROBLEM_EXPIRED = "expired"


PROBLEM_UNREADABLE = not_opened.UNREADABLE  # the passport no longer opens


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
    document = document_selectors.document_current(upload_request=upload_request)
    try:
        fields = (
            document_selectors.document_fields(document=document) if document is not None else {}
        )
    except crypto.DecryptionError:
        # Not ready until the customer uploads again (the seller's page says so).
        return Readiness(False, [*problems, PROBLEM_UNREADABLE], None)
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
    # Typed without a photo: there is nothing the names could be checked against, and the shop
    # chose to accept typed details (its photo policy), so they count as they were typed.
    names_ok = current and (
        record.name_check in (NameCheck.MATCH, NameCheck.TYPED)
        or record.names_confirmed_at is not None
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
    if document_selectors.document_current(upload_request=upload_request) is None:
        supporting_documents_erase_with(upload_request_id=upload_request_id)
    customs_refresh(upload_request=upload_request)


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
