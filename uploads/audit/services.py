"""The audit log: every look at a passport and every decision, appended.

The transfer register (152-FZ art. 12) is written here too, with the audit event of the same act,
so a hand-over cannot be audited without being registered: a carrier send or a customs file
(the caller says who receives it and where, ``Transfer``), and any look or export by a staff member
whose declared country is not Russia (found here from the actor): an export from abroad is both.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from uploads.audit.context import current_ip
from uploads.core import crypto, not_opened
from uploads.core.passport_fields import PASSPORT_FIELDS
from uploads.models import (
    ApiToken,
    AuditEvent,
    PassportDocument,
    TransferRecord,
    UploadRequest,
)
from uploads.papers import transfers

Action = AuditEvent.Action

# What a staff member's look or export hands over, by action (a caller may name the categories).
STAFF_ACCESS_CATEGORIES: dict[str, tuple[str, ...]] = {
    Action.VIEW_IMAGE: (transfers.IMAGE,),
    Action.DOWNLOAD: (transfers.IMAGE,),
    Action.VIEW_FIELDS: PASSPORT_FIELDS,
    Action.EXPORT: PASSPORT_FIELDS,
}


@dataclass(frozen=True)
class Transfer:
    """A hand-over to a third party: who receives it, where (ISO 3166 alpha-2), and which data
    (names only)."""

    kind: str
    recipient: str
    categories: Sequence[str] = field(default_factory=tuple)
    country: str = ""


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    upload_request: UploadRequest | None,
    document: PassportDocument | None = None,
    detail: str = "",
    ip_address: str | None = None,
    via: str = AuditEvent.Via.STAFF_OR_SYSTEM,
    api_token: ApiToken | None = None,
    transfer: Transfer | None = None,
    categories: Sequence[str] | None = None,
) -> AuditEvent:
    """Append an event; the address defaults to that of the request being served, if any.

    ``via`` names what acted when no signed-in user did: the customer's link, an API token
    (``api_token`` says which). ``transfer`` registers a hand-over to a third party;
    ``categories`` names what a staff member's look or export showed when the action's default
    (``STAFF_ACCESS_CATEGORIES``) is not it.
    """
    event = AuditEvent.objects.create(
        actor=actor,
        action=action,
        via=AuditEvent.Via.API if api_token is not None else via,
        api_token=api_token,
        upload_request=upload_request,
        document=document,
        detail=detail,
        ip_address=ip_address or current_ip(),
    )
    _transfer_record(
        event=event, upload_request=upload_request, transfer=transfer, categories=categories
    )
    return event


def _transfer_record(
    *,
    event: AuditEvent,
    upload_request: UploadRequest | None,
    transfer: Transfer | None,
    categories: Sequence[str] | None,
) -> None:
    """The register's rows of this event, when it is a transfer (values never: names only).

    One act may be two transfers: a staff member abroad who exports a customs file receives it
    abroad (the staff row) and hands it to the mapping's recipient (the third-party row)."""
    actor = event.actor
    rows: list[Transfer] = []
    if transfer is not None:
        rows.append(transfer)
    if (
        actor is not None
        and event.action in STAFF_ACCESS_CATEGORIES
        and transfers.staff_is_abroad(user=actor)
    ):
        rows.append(
            Transfer(
                kind=TransferRecord.Kind.STAFF_EXPORT
                if event.action == Action.EXPORT
                else TransferRecord.Kind.STAFF_VIEW,
                recipient="",
                categories=categories
                or (transfer.categories if transfer is not None else ())
                or STAFF_ACCESS_CATEGORIES[event.action],
                country=transfers.staff_country(user=actor),
            )
        )
    order = upload_request.order if upload_request is not None else None
    TransferRecord.objects.bulk_create(
        TransferRecord(
            at=event.at,
            kind=row.kind,
            shop_id=order.shop_id if order is not None else None,
            recipient=row.recipient[:200],
            # A third party's country is the caller's to say, never guessed from the staff's.
            country=row.country,
            categories=list(row.categories),
            upload_request_ref=upload_request.pk if upload_request is not None else None,
            order_number=order.number if order is not None else "",
            actor=actor,
            audit_event=event,
        )
        for row in rows
    )


def status_changes_record(*, changes: dict[int, str], new_status: str) -> None:
    """One status-change event for each of many requests changed at once (no actor, no address:
    a cron job made the change)."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditEvent.Action.STATUS_CHANGE,
            upload_request_id=pk,
            detail=f"{previous} → {new_status}",
        )
        for pk, previous in changes.items()
    )


def links_read_record(
    *,
    upload_requests: list[UploadRequest],
    actor: AbstractBaseUser | None = None,
    api_token: ApiToken | None = None,
    detail: str = "",
) -> None:
    """Someone was given these requests' links: a staff user (``actor``) or an API token."""
    ip_address = current_ip()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=AuditEvent.Action.VIEW_LINK,
            via=AuditEvent.Via.API if api_token is not None else AuditEvent.Via.STAFF_OR_SYSTEM,
            api_token=api_token,
            upload_request=upload_request,
            detail=detail,
            ip_address=ip_address,
        )
        for upload_request in upload_requests
    )


def document_not_opened_record(
    *,
    error: crypto.DecryptionError,
    where: str,
    upload_request: UploadRequest,
    document: PassportDocument | None = None,
    actor: AbstractBaseUser | None = None,
    via: str = AuditEvent.Via.STAFF_OR_SYSTEM,
    api_token: ApiToken | None = None,
) -> AuditEvent:
    """A passport that no longer opens was met (a page, an export, a hand-over): logged and
    audited with the ids, the error's type and the key id, never a value."""
    not_opened.log_not_opened(
        error,
        where=where,
        request_id=upload_request.pk,
        document_id=document.pk if document is not None else None,
    )
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.NOT_OPENED,
        upload_request=upload_request,
        document=document,
        detail=not_opened.audit_detail(error, where=where),
        via=via,
        api_token=api_token,
    )
