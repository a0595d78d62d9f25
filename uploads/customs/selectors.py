"""Reads of customs readiness."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from uploads.models import UploadRequest


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
