from django.urls import path

from uploads.web import consent, feedback, status
from uploads.web import customs as customs_views
from uploads.web.customer import (
    favicon,
    link_open,
    upload_done,
    upload_review,
    upload_review_image,
    upload_start,
)

app_name = "uploads"

urlpatterns = [
    # Any path segment reaches the view, so a malformed link gets the same friendly page as an
    # unknown one; the token's shape is checked in services.upload_request_by_token.
    path("u/<str:token>/", link_open, name="link"),
    path("upload/", upload_start, name="start"),
    path("upload/review/", upload_review, name="review"),
    path("upload/review/image/<int:document_id>/", upload_review_image, name="review_image"),
    path("upload/done/", upload_done, name="done"),
    path("upload/second-document/", customs_views.second_document, name="second_document"),
    path("upload/withdraw/", consent.consent_withdraw, name="withdraw"),
    path(
        "upload/consent/<int:document_id>/",
        consent.consent_document_download,
        name="consent_document",
    ),
    path("upload/status/", status.upload_status, name="status"),
    path("upload/my-data/", status.own_copy_download, name="own_copy"),
    path("upload/feedback/", feedback.feedback_send, name="feedback"),
    # Browsers ask for it whatever the page says; the static file is cached for a year.
    path("favicon.ico", favicon, name="favicon"),
]
