"""The audit log: every look at a passport and every decision, appended."""

from django.contrib.auth.models import AbstractBaseUser

from uploads.audit.context import current_ip
from uploads.models import (
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
) -> AuditEvent:
    """Append an event; the address defaults to that of the request being served, if any."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
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
