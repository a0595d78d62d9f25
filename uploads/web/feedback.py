"""The customer rates how easy the upload was, on the thank-you page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from uploads.core.errors import ServiceError
from uploads.documents import selectors as document_selectors
from uploads.feedback.services import feedback_submit
from uploads.models import UploadRequest
from uploads.web.customer import customer_request_required
from uploads.web.customer import page_context as page_context
from uploads.web.feedback_form import SESSION_FEEDBACK_THANKS
from uploads.web.forms import FeedbackForm


@require_POST
@customer_request_required
def feedback_send(request: HttpRequest, upload_request: UploadRequest) -> HttpResponse:
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            feedback_submit(
                upload_request=upload_request,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_FEEDBACK_THANKS] = True
            return redirect("uploads:done")
    context = page_context(upload_request)
    context["current"] = document_selectors.document_current(upload_request=upload_request)
    if context["current"] is None:
        return redirect("uploads:start")
    context["feedback_form"] = form
    return render(request, "uploads/done.html", context, status=400)
