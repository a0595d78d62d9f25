"""Reads of upload requests: whether one still takes the customer's upload."""

from django.utils.translation import gettext_lazy as _

from uploads.core.errors import ServiceError
from uploads.models import UploadRequest

Status = UploadRequest.Status


def request_require_open(*, upload_request: UploadRequest) -> None:
    """Refuse (in the customer's language) an upload or confirmation the request no longer takes."""
    if upload_request.status == Status.ACCEPTED:
        raise ServiceError(
            _("The seller has already accepted your passport. Nothing more is needed.")
        )
    if not upload_request.is_open_for_upload:
        raise ServiceError(_("This link has expired. Please ask the seller for a new one."))
