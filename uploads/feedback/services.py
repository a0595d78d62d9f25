"""The customer's rating of the upload (1-5) and comment: the one write, through a service."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.core.errors import ServiceError
from uploads.models import Feedback, UploadRequest

COMMENT_MAX_LENGTH = 1000


def feedback_submit(
    *, upload_request: UploadRequest, rating: int, comment: str = "", language: str = ""
) -> Feedback:
    """Keep the customer's rating and comment; rating again replaces the earlier one."""
    if rating not in Feedback.Rating.values:
        raise ServiceError(_("Please choose a rating from 1 to 5."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ServiceError(_("The comment is too long."))
    if upload_request.status not in (UploadRequest.Status.UPLOADED, UploadRequest.Status.ACCEPTED):
        # Only after sending the passport: the question is how easy sending it was.
        raise ServiceError(_("You can rate the upload after sending your passport."))
    with transaction.atomic():
        feedback, _created = Feedback.objects.update_or_create(
            upload_request=upload_request,
            defaults={
                "rating": rating,
                "comment": comment,
                "language": language[:10],
                "created_at": timezone.now(),
            },
        )
    return feedback
