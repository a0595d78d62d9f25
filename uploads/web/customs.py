"""The customer's second document (e.g. a residence permit), when the shop asks foreign citizens
for one. Same rules as the passport: validated, normalised, encrypted, never a 500."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.models import UploadRequest
from uploads.web.customer import customer_request_required
from uploads.web.customer import page_context as page_context
from uploads.web.file_uploads import submitted_file
from uploads.web.ratelimit import customer_rate_limited, upload_rate_limited


class SecondDocumentForm(forms.Form):
    file = forms.FileField(
        label=_("A second document"),
        required=True,
        allow_empty_file=True,
        error_messages={
            "required": _("Please take a photo of the second document or choose a file.")
        },
    )


@require_http_methods(["GET", "POST"])
@customer_rate_limited
@upload_rate_limited
@customer_request_required
def second_document(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    if document_selectors.document_current(upload_request=upload_request) is None:
        return redirect("uploads:start")
    context = page_context(upload_request)
    context["uploaded"] = upload_request.supporting_documents.filter(
        erased_at__isnull=True
    ).exists()
    status = 200
    if request.method == "POST":
        form = SecondDocumentForm(request.POST, request.FILES)
        submitted = submitted_file(
            request,
            form,
            lambda data: customs_decisions.supporting_document_submit(
                upload_request=upload_request, data=data
            ),
        )
        if submitted is not None:
            return redirect("uploads:done")
        status = 400
    else:
        form = SecondDocumentForm()
    context["form"] = form
    return render(request, "uploads/second_document.html", context, status=status)
