"""The customer's status page behind the same link: where their passport stands, and their own
copy of what the seller holds about them.

The page only reads: the state comes from the request's status and its documents (see
``customer_state``). The own copy is a file made for one download (``own_copy_download``).
"""

from enum import StrEnum

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from uploads.audit import services as audit
from uploads.core import not_opened
from uploads.documents import selectors as document_selectors
from uploads.documents.forms import PassportFieldsForm, field_label
from uploads.models import AuditEvent, PassportDocument, PhotoPolicy, UploadRequest
from uploads.papers import services as papers
from uploads.web.customer import customer_request_required
from uploads.web.customer import page_context as page_context
from uploads.web.ratelimit import customer_rate_limited


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
    # A passport typed instead of photographed (or a shop that takes no photo) is never called
    # "your photo": the page speaks of the details the customer typed or will type.
    policy = document_selectors.photo_policy_of(shop_id=upload_request.order.shop_id)
    no_photo = policy == PhotoPolicy.NOT_COLLECTED
    context["no_photo"] = no_photo
    context["photo_optional"] = policy == PhotoPolicy.OPTIONAL
    context["typed"] = (
        shown.source == PassportDocument.Source.TYPED if shown is not None else no_photo
    )
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
            context["not_opened"] = not_opened.customer_message(
                typed=shown.source == PassportDocument.Source.TYPED
            )
    return render(request, "uploads/status.html", context)


def _field_shown(name: str, value: str) -> tuple[str, str]:
    """A field as the customer reads it: its label, and a coded value (sex) as its word."""
    form_field = PassportFieldsForm.base_fields.get(name)
    if form_field is None:
        return name, value
    if isinstance(form_field, forms.ChoiceField):
        value = str(dict(form_field.choices).get(value, value))
    return field_label(name), value


@require_GET
@customer_rate_limited
@customer_request_required
def own_copy_download(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    """What the seller holds about the customer, as an HTML file in their language (audited).

    The fields are decrypted for this response only; it is never cached (``no-store`` from
    ``customer_request_required``) and sends no Referer from wherever the file is opened."""
    copy = papers.own_copy_download(upload_request=upload_request)
    documents = [
        {
            "document": document,
            "fields": [_field_shown(name, value) for name, value in document.fields],
        }
        for document in copy.documents
    ]
    body = render_to_string(
        "uploads/own_copy.html",
        {
            "copy": copy,
            "documents": documents,
            "shop": copy.shop,
            "withdraw_url": request.build_absolute_uri(reverse("uploads:withdraw")),
        },
        request=request,
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"my-data-{timezone.localdate():%Y-%m-%d}.html"
    )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
