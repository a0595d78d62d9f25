"""Writes of the 152-FZ papers: the consent document shown (a version per text), a destruction act
handed out (audited), the incident register, the customer's own copy handed out (audited)."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from uploads.audit import services as audit
from uploads.core.errors import ServiceError
from uploads.models import (
    AuditEvent,
    ConsentDocument,
    Incident,
    IncidentEntry,
    Shop,
    UploadRequest,
)
from uploads.papers import acts, consent, own_copy

# The longest period one act covers: order 179 asks for an act per destruction, a seller asks for a
# month or a quarter; a year keeps the file a size a person can read.
LONGEST_PERIOD_DAYS = 366


def consent_document_shown(*, shop: Shop, language: str) -> ConsentDocument:
    """The shop's consent document in ``language`` as it reads now, kept as a version.

    Built from the shop's current details each time; the first time a text is shown, its row is
    made, and from then on a customer who agrees to it is tied to it (rows are never changed).
    """
    text = consent.consent_document_text(facts=consent.consent_facts(shop=shop), language=language)
    digest = hashlib.sha256(text.encode()).hexdigest()
    document, _created = ConsentDocument.objects.get_or_create(
        shop=shop, language=language, content_hash=digest, defaults={"body": text}
    )
    return document


@dataclass(frozen=True)
class ActFile:
    name: str
    content_type: str
    data: bytes


FORMATS = {
    "pdf": ("application/pdf", acts.destruction_act_pdf),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        acts.destruction_act_xlsx,
    ),
}


def destruction_act_download(
    *, shop: Shop, start: date, end: date, file_format: str, actor: AbstractBaseUser
) -> ActFile:
    """The act for a shop and period as a file; who took it, and which, goes to the audit log."""
    if file_format not in FORMATS:
        raise ServiceError(_("Choose PDF or XLSX."))
    if end < start:
        raise ServiceError(_("The period ends before it starts."))
    if (end - start).days >= LONGEST_PERIOD_DAYS:
        raise ServiceError(_("One act covers at most a year; choose a shorter period."))
    act = acts.destruction_act_build(shop=shop, start=start, end=end)
    content_type, render = FORMATS[file_format]
    data = render(act)
    audit.audit_record(
        actor=actor,
        action=AuditEvent.Action.DESTRUCTION_ACT,
        upload_request=None,
        detail=f"shop {shop.pk}: {start:%Y-%m-%d}..{end:%Y-%m-%d} {file_format}, {len(act.rows)} rows",
    )
    return ActFile(name=f"{act.file_stem}.{file_format}", content_type=content_type, data=data)


def incident_record(
    *,
    found_at: datetime,
    summary: str,
    data_categories: str,
    subjects_count: int,
    contact: str,
    recorded_by: AbstractBaseUser,
    presumed_causes: str = "",
    presumed_harm: str = "",
    measures: str = "",
    shops: list[Shop] | None = None,
) -> Incident:
    """Enter an incident in the register; from then on it is only followed up, never edited."""
    with transaction.atomic():
        incident = Incident.objects.create(
            found_at=found_at,
            summary=summary,
            data_categories=data_categories,
            subjects_count=subjects_count,
            contact=contact,
            presumed_causes=presumed_causes,
            presumed_harm=presumed_harm,
            measures=measures,
            recorded_by=recorded_by,
        )
        incident.shops.set(shops or [])
    return incident


def incident_entry_add(
    *, incident: Incident, kind: str, text: str, recorded_by: AbstractBaseUser, at: datetime
) -> IncidentEntry:
    """Follow an incident up: a notice sent, a measure taken, a finding."""
    if kind not in IncidentEntry.Kind.values:
        raise ServiceError(_("Unknown kind of entry."))
    return IncidentEntry.objects.create(
        incident=incident, kind=kind, text=text, recorded_by=recorded_by, at=at
    )


def own_copy_download(*, upload_request: UploadRequest) -> own_copy.OwnCopy:
    """The customer's own copy of what the seller holds about them, for their link; that they took
    it goes to the audit log (and whether their passport's fields could be opened for it)."""
    copy = own_copy.own_copy_build(upload_request=upload_request)
    audit.audit_record(
        actor=None,
        action=AuditEvent.Action.OWN_COPY,
        upload_request=upload_request,
        detail="fields not opened" if copy.not_opened else "",
        via=AuditEvent.Via.LINK,
    )
    return copy
