"""The seller's "read again" action, and why a reading failed on the request's page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.conftest import consent_document_id, login
from uploads.documents import services as document_services
from uploads.models import PassportDocument

CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")


@pytest.fixture
def failed_reading(upload_request, passport_jpeg) -> PassportDocument:
    document = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    PassportDocument.objects.filter(pk=document.pk).update(
        mrz_status=PassportDocument.MrzStatus.NOT_FOUND,
        mrz_failure=PassportDocument.MrzFailure.INTERRUPTED,
        mrz_attempts=3,
    )
    return document


def test_it_reads_a_failed_reading_again(client, alice, upload_request, failed_reading):
    seller = login(client, alice)
    response = seller.post(
        CHANGELIST,
        {"action": "read_again_selected", "_selected_action": [str(upload_request.pk)]},
    )
    assert response.status_code == 302
    failed_reading.refresh_from_db()
    # The immediate backend read it at once; the customer's page now shows the fields.
    assert failed_reading.mrz_status == PassportDocument.MrzStatus.FOUND
    assert failed_reading.mrz_failure == ""
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Readings started again: 1."]


def test_it_says_when_there_is_nothing_to_read_again(client, alice, upload_request):
    seller = login(client, alice)
    response = seller.post(
        CHANGELIST,
        {"action": "read_again_selected", "_selected_action": [str(upload_request.pk)]},
    )
    [message] = get_messages(response.wsgi_request)
    assert "no unconfirmed upload whose reading failed" in str(message)


def test_it_shows_why_a_passport_was_not_read(client, alice, upload_request, failed_reading):
    PassportDocument.objects.filter(pk=failed_reading.pk).update(confirmed_at=timezone.now())
    seller = login(client, alice)
    page = seller.get(
        reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk])
    ).content.decode()
    assert "Not found (the reading was interrupted (its worker stopped))" in page
