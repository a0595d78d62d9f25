"""The customer's consent: its document to download, and its withdrawal (everything about their
order is erased at once)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, DestructionRecord, UploadRequest
from uploads.papers import consent as consent_papers
from uploads.retention.services import erasure as retention
from uploads.web.customer import customer_request_required, link_invalid
from uploads.web.customer import page_context as page_context
from uploads.web.ratelimit import customer_rate_limited


@require_http_methods(["GET", "POST"])
@customer_rate_limited
@customer_request_required
def consent_withdraw(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    """GET explains what happens; POST (the button) erases and ends the session."""
    if request.method == "POST":
        shop_name = upload_request.order.shop.name
        retention.request_erase(
            upload_request=upload_request,
            reason=DestructionRecord.Reason.CONSENT_WITHDRAWN,
            via=AuditEvent.Via.LINK,
        )
        request.session.flush()
        return render(request, "uploads/withdrawn.html", {"shop_name": shop_name})
    context = page_context(upload_request)
    # The page promises to delete a photo only where there is one to delete: not for a shop that
    # takes no photo, nor for a customer who typed their passport instead.
    context["no_photo"] = not document_selectors.request_photo_to_delete(
        upload_request=upload_request
    )
    return render(request, "uploads/withdraw.html", context)


@require_GET
@customer_rate_limited
@customer_request_required
def consent_document_download(
    request: HttpRequest, upload_request: UploadRequest, document_id: int
) -> HttpResponse:
    """The consent document as plain text, byte for byte the version the page showed. Behind the
    session, like every customer page: the address holds no token, only the version's id."""
    document = consent_papers.consent_document_of_shop(
        shop_id=upload_request.order.shop_id, document_id=document_id
    )
    if document is None:
        return link_invalid(request)
    response = HttpResponse(document.body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="consent-{document.language}-{document.content_hash[:12]}.txt"'
    )
    return response
