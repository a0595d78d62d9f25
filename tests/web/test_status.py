"""The customer's status page: waiting, being read, submitted, accepted, rejected + upload again."""

import pytest
from django.conf import settings

from tests.conftest import consent_document_id, submit_and_confirm
from uploads.documents import services as document_services
from uploads.models import UploadRequest
from uploads.requests import services as request_services


@pytest.fixture
def english(customer):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return customer


def status_page(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/upload/status/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_it_shows_waiting_with_a_button_to_upload(english):
    page = status_page(english)
    assert "status-waiting" in page
    assert "Waiting for your passport photo." in page
    assert 'href="/upload/"' in page


def test_it_shows_being_read_while_the_mrz_is_pending(english, upload_request, passport_jpeg):
    document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "en"),
    )
    page = status_page(english)
    assert "status-reading" in page
    assert "We are reading the details from your photo." in page


def test_it_offers_to_continue_an_upload_read_but_not_confirmed(
    english, upload_request, passport_jpeg
):
    document = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request, "en"),
    )
    document_services.document_read_mrz(document_id=document.pk)
    page = status_page(english)
    assert "status-waiting" in page
    assert 'href="/upload/review/"' in page


def test_it_shows_submitted_after_confirmation(english, upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    page = status_page(english)
    assert "status-submitted" in page
    assert "Alice&#x27;s Goods is checking your passport." in page


def test_it_shows_accepted(english, uploaded_request, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    page = status_page(english)
    assert "status-accepted" in page
    assert "Nothing more is needed from you for this order." in page
    assert 'href="/upload/"' not in page


def test_it_shows_the_sellers_reason_and_a_button_to_upload_again(english, uploaded_request, alice):
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, reason="The photo is <b>blurred</b>"
    )
    page = status_page(english)
    assert "status-rejected" in page
    assert "The photo is &lt;b&gt;blurred&lt;/b&gt;" in page  # escaped: the seller's text is data
    assert '<a class="button" href="/upload/">Upload again</a>' in page


def test_it_speaks_the_orders_language_by_default(customer):
    page = status_page(customer)
    assert '<html lang="ru">' in page
    assert "Статус вашего паспорта" in page


def test_it_needs_the_link_first(client):
    response = client.get("/upload/status/")
    assert response.status_code == 404


def test_it_shows_the_expired_link_page_but_still_shows_accepted(english, uploaded_request, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    UploadRequest.objects.filter(pk=uploaded_request.pk).update(expires_at="2000-01-01T00:00Z")
    assert "status-accepted" in status_page(english)


def test_it_links_the_status_page_from_the_thank_you_page(english, upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    page = english.get("/upload/done/").content.decode()
    assert 'href="/upload/status/"' in page


def test_it_takes_a_customer_who_has_sent_to_their_status(client, link, uploaded_request):
    # Opening the link again, the upload page, and Back to the review page: the status.
    opened = client.get(f"/u/{link.token}/")
    assert opened["Location"] == "/upload/status/"
    assert client.get("/upload/")["Location"] == "/upload/status/"
    assert client.get("/upload/review/", follow=True).redirect_chain[-1][0] == "/upload/status/"
    # "Replace the photo" still gets the form.
    assert b'type="file"' in client.get("/upload/?replace").content
    assert 'href="/upload/?replace"' in status_page(client)


def test_it_opens_the_upload_form_after_a_rejection(client, link, uploaded_request, alice):
    request_services.request_reject(upload_request=uploaded_request, reason="Blurred", actor=alice)
    assert client.get(f"/u/{link.token}/")["Location"] == "/upload/"
    assert b'type="file"' in client.get("/upload/").content
