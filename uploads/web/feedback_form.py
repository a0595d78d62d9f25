"""The rating form on the thank-you page (apart from the view, which needs views.customer)."""

from django.http import HttpRequest

from uploads.models import Feedback, UploadRequest
from uploads.web.forms import FeedbackForm

SESSION_FEEDBACK_THANKS = "feedback_thanks"


def feedback_context(request: HttpRequest, upload_request: UploadRequest) -> dict[str, object]:
    """The form (with the earlier answer, if any) and whether to say thank you for it."""
    existing = Feedback.objects.filter(upload_request=upload_request).first()
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else {}
    return {
        "feedback_form": FeedbackForm(initial=initial),
        "feedback_thanks": request.session.pop(SESSION_FEEDBACK_THANKS, False),
    }
