"""The customer withdraws consent: everything about their order is erased at once."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from uploads.models import AuditEvent, DestructionRecord, UploadRequest
from uploads.retention.services import erasure as retention
from uploads.web.customer import customer_request_required
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
    return render(request, "uploads/withdraw.html", page_context(upload_request))
