from django.urls import path

from uploads.customs import views as customs_views
from uploads.views import consent, customer, feedback, status

app_name = "uploads"

urlpatterns = [
    # Any path segment reaches the view, so a malformed link gets the same friendly page as an
    # unknown one; the token's shape is checked in services.upload_request_by_token.
    path("u/<str:token>/", customer.link_open, name="link"),
    path("upload/", customer.upload_start, name="start"),
    path("upload/review/", customer.upload_review, name="review"),
    path("upload/review/image/", customer.upload_review_image, name="review_image"),
    path("upload/done/", customer.upload_done, name="done"),
    path("upload/second-document/", customs_views.second_document, name="second_document"),
    path("upload/withdraw/", consent.consent_withdraw, name="withdraw"),
    path("upload/status/", status.upload_status, name="status"),
    path("upload/feedback/", feedback.feedback_send, name="feedback"),
]
