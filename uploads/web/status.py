"""The customer's status page behind the same link: where their passport stands.

It only reads: the state comes from the request's status and its documents (see ``customer_state``).
"""

from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from uploads.audit import services as audit
from uploads.core import not_opened
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, PassportDocument, UploadRequest
from uploads.web.customer import customer_request_required
from uploads.web.customer import page_context as page_context


class CustomerState(StrEnum):
    WAITING = "waiting"  # nothing sent yet (or an upload not confirmed yet)
    READING = "reading"  # an upload whose MRZ a worker is still reading
    SUBMITTED = "submitted"  # confirmed, the seller has not decided
    ACCEPTED = "accepted"
    REJECTED = "rejected"  # the seller's reason is shown, the customer can upload again


def customer_state(
    upload_request: UploadRequest, pending: PassportDocument | None
) -> CustomerState:
    if upload_request.status == UploadRequest.Status.ACCEPTED:
        return CustomerState.ACCEPTED
    # A new upload after a rejection is being read: that is the news for the customer. Past
    # MRZ_READING_TIMEOUT_S the reading page asks them to type the fields, and so does this one
    # ("waiting", with a link to continue with the photo), whether or not a worker still reads.
    if pending is not None and pending.mrz_status == PassportDocument.MrzStatus.PENDING:
        if document_selectors.document_reading_overdue(document=pending):
            return CustomerState.WAITING
        return CustomerState.READING
    if upload_request.status == UploadRequest.Status.REJECTED:
        return CustomerState.REJECTED
    if upload_request.status == UploadRequest.Status.UPLOADED:
        return CustomerState.SUBMITTED
    return CustomerState.WAITING


@require_GET
@customer_request_required
def upload_status(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    context = page_context(upload_request)
    pending = document_selectors.document_pending(upload_request=upload_request)
    context["pending"] = pending
    context["current"] = document_selectors.document_current(upload_request=upload_request)
    state = customer_state(upload_request, pending)
    context["state"] = state
    context["not_opened"] = ""
    shown = pending or context["current"]
    if (
        state in (CustomerState.WAITING, CustomerState.SUBMITTED)
        and shown is not None
        and upload_request.is_open_for_upload
    ):
        error = document_selectors.document_open_error(shown)
        if error is not None:
            # Their photo can no longer be opened: the only way on is a new upload.
            audit.document_not_opened_record(
                error=error,
                where="customer status",
                upload_request=upload_request,
                document=shown,
                via=AuditEvent.Via.LINK,
            )
            context["not_opened"] = not_opened.CUSTOMER_MESSAGE
    return render(request, "uploads/status.html", context)
