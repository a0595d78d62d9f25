"""The audit log: every look at a passport and every decision, appended."""

from django.contrib.auth.models import AbstractBaseUser

from uploads.audit.context import current_ip
from uploads.core import crypto, not_opened
from uploads.models import (
    ApiToken,
    AuditEvent,
    PassportDocument,
    UploadRequest,
)


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
) -> AuditEvent:
    """Append an event; the address defaults to that of the request being served, if any.

    ``via`` names what acted when no signed-in user did: the customer's link, an API token
    (``api_token`` says which).
    """
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        via=AuditEvent.Via.API if api_token is not None else via,
        api_token=api_token,
        upload_request=upload_request,
        document=document,
        detail=detail,
        ip_address=ip_address or current_ip(),
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
