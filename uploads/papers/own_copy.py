"""The customer's own copy (152-FZ art. 14): what the seller holds about them, the consent they gave,
and who had the data and when, read for one download.

The passport fields are decrypted for this copy only and live in memory for the request that
makes it. Who had the data is said by role ("the seller's staff", "carrier CDEK"), never by a staff
member's name or address. The copy is in the active language (the customer's).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from uploads.core import crypto
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.documents import selectors as document_selectors
from uploads.models import (
    AuditEvent,
    Consent,
    PassportDocument,
    Shop,
    TransferRecord,
    UploadRequest,
)

Action = AuditEvent.Action


@dataclass(frozen=True)
class DocumentCopy:
    uploaded_at: datetime
    confirmed_at: datetime | None
    image_held: bool
    # (field name, value) in display order; personal data: never logged, never in a repr.
    fields: list[tuple[str, str]] = field(repr=False)
    # The fields could not be decrypted here (a key not loaded, damaged data): said, not a 500.
    not_opened: bool = False
    # The customer typed the details instead of sending a photo: there never was an image.
    typed: bool = False


@dataclass(frozen=True)
class ConsentCopy:
    version: str
    text: str
    language: str
    given_at: datetime
    # Where the consent was given from, as kept with it (the customer's own data, so theirs to
    # see): empty when not recorded (a proxy without the header) or erased with the rest.
    client_ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class AccessCopy:
    at: datetime
    who: str
    what: str


@dataclass(frozen=True)
class OwnCopy:
    shop: Shop
    order_number: str
    customer_name: str
    email: str
    phone: str
    status: str
    made_at: datetime
    documents: list[DocumentCopy] = field(repr=False)
    second_document_held: bool
    consents: list[ConsentCopy]
    accesses: list[AccessCopy]

    @property
    def not_opened(self) -> bool:
        return any(document.not_opened for document in self.documents)


# The events that tell the customer who had their data: looks, exports, hand-overs, decisions.
ACCESS_ACTIONS = (
    Action.VIEW_IMAGE,
    Action.DOWNLOAD,
    Action.VIEW_FIELDS,
    Action.EXPORT,
    Action.CARRIER_SEND,
    Action.ACCEPT,
    Action.REJECT,
)


def _holds_data(document: PassportDocument) -> bool:
    return bool(document.blob_name or document.fields_sealed)


def _document_copy(document: PassportDocument) -> DocumentCopy:
    try:
        read = document_selectors.document_fields(document=document)
    except crypto.DecryptionError:
        read, not_opened = {}, True
    else:
        not_opened = False
    names = [name for name in PASSPORT_FIELDS if read.get(name)]
    names += sorted(name for name in read if name not in PASSPORT_FIELDS and read[name])
    return DocumentCopy(
        uploaded_at=document.created_at,
        confirmed_at=document.confirmed_at,
        image_held=bool(document.blob_name),
        fields=[(name, str(read[name])) for name in names],
        not_opened=not_opened,
        typed=document.source == PassportDocument.Source.TYPED,
    )


def _consent_copy(consent: Consent) -> ConsentCopy:
    # The text as the customer read it: the version they agreed to, in the language they had.
    if consent.document is not None:
        # The shop's own document, kept as shown: its version is its SHA-256, as in the admin.
        return ConsentCopy(
            version=consent.document.content_hash[:12],
            text=consent.document.body,
            language=consent.language,
            given_at=consent.given_at,
            client_ip=consent.client_ip or "",
            user_agent=consent.user_agent,
        )
    # A consent given before the shops had documents of their own: the installation's text.
    text = consent.consent_text
    assert text is not None  # a check constraint keeps one or the other
    with translation.override(consent.language or None):
        body = text.body
    return ConsentCopy(
        version=str(text.version),
        text=body,
        language=consent.language,
        given_at=consent.given_at,
        client_ip=consent.client_ip or "",
        user_agent=consent.user_agent,
    )


def _who(event: AuditEvent, transfer: TransferRecord | None, staff: TransferRecord | None) -> str:
    if event.action == Action.CARRIER_SEND:
        name = transfer.recipient if transfer is not None else event.detail.split(":", 1)[0]
        return _("carrier %(name)s") % {"name": name}
    if event.api_token_id is not None:
        return _("the seller's system (API)")
    if event.actor_id is None:
        return _("the portal, automatically")
    if staff is not None:
        if staff.country:
            return _("the seller's staff, abroad (%(country)s)") % {"country": staff.country}
        return _("the seller's staff, country not declared")
    return _("the seller's staff")


def _what(event: AuditEvent, transfer: TransferRecord | None) -> str:
    if event.action in (Action.VIEW_IMAGE, Action.DOWNLOAD):
        if event.detail == "second document":
            return _("looked at your second document")
        if event.action == Action.DOWNLOAD:
            return _("downloaded your passport photo")
        return _("looked at your passport photo")
    if event.action == Action.VIEW_FIELDS:
        return _("looked at your passport details")
    if event.action == Action.EXPORT:
        if transfer is not None and transfer.kind == TransferRecord.Kind.CUSTOMS_EXPORT:
            return _("exported your details for customs, for %(recipient)s") % {
                "recipient": transfer.recipient
            }
        return _("exported your passport details")
    if event.action == Action.CARRIER_SEND:
        return _("received your details for customs")
    if event.action == Action.ACCEPT:
        return _("accepted your passport")
    if event.document is not None and event.document.source == PassportDocument.Source.TYPED:
        # A passport typed without a photo is sent back as details, not as a photo.
        return _("asked you to send your passport details again")
    return _("asked you for another photo")


def _transfers_of(event: AuditEvent) -> tuple[TransferRecord | None, TransferRecord | None]:
    """The event's hand-over to a third party and its row for staff abroad (either may be none)."""
    rows = list(event.transfers.all())  # type: ignore[attr-defined]
    third = next((row for row in rows if not row.is_staff_access), None)
    staff = next((row for row in rows if row.is_staff_access), None)
    return third, staff


def own_copy_build(*, upload_request: UploadRequest, now: datetime | None = None) -> OwnCopy:
    """Everything the portal holds about the customer of ``upload_request``, for them."""
    order = upload_request.order
    documents = [
        _document_copy(document)
        for document in upload_request.documents.order_by("created_at", "pk")
        if _holds_data(document)
    ]
    events = (
        AuditEvent.objects.filter(upload_request=upload_request, action__in=ACCESS_ACTIONS)
        .select_related("document")
        .prefetch_related("transfers")
        .order_by("at", "pk")
    )
    accesses = []
    for event in events:
        transfer, staff = _transfers_of(event)
        accesses.append(
            AccessCopy(at=event.at, who=_who(event, transfer, staff), what=_what(event, transfer))
        )
    return OwnCopy(
        shop=order.shop,
        order_number=order.number,
        customer_name=order.customer_name,
        email=order.email,
        phone=order.phone,
        status=str(upload_request.get_status_display()),
        made_at=now or timezone.now(),
        documents=documents,
        second_document_held=upload_request.supporting_documents.filter(
            erased_at__isnull=True
        ).exists(),
        consents=[
            _consent_copy(consent)
            for consent in upload_request.consents.select_related(
                "document", "consent_text"
            ).order_by("given_at", "pk")
        ],
        accesses=accesses,
    )
