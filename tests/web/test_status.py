"""The customer's status page: waiting, being read, submitted, accepted, rejected + upload again."""

import pytest
from django.conf import settings

from tests.conftest import consent_document_id, submit_and_confirm
from tests.typed import photo_policy_set, type_and_confirm, typed_start
from uploads.core import crypto
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import PhotoPolicy, UploadRequest
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


# --- a passport typed instead of photographed (the shop's photo policy) -------------------------

PHOTO_WORDS = ("photo", "Photo", "Details read", "Upload again", "Upload the passport")


def _no_photo_talk(page: str) -> None:
    # The status card only: the page's own menus and the withdrawal are shared by every state.
    card = page[page.index('<div class="card status') : page.index('<div class="card own-copy')]
    for word in PHOTO_WORDS:
        assert word not in card, word


def test_a_shop_without_photos_asks_for_the_details(english, shop):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    page = status_page(english)
    assert "status-waiting" in page
    assert "Waiting for your passport details." in page
    assert '<a class="button" href="/upload/">Type your passport details</a>' in page
    assert "Details typed" in page
    _no_photo_talk(page)


def test_an_optional_photo_shop_waits_for_either(english, shop):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    page = status_page(english)
    assert "Waiting for your passport photo or details." in page
    assert '<a class="button" href="/upload/">Upload the passport</a>' in page


def test_typing_started_but_not_confirmed_continues_the_typing(english, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    typed_start(upload_request)
    page = status_page(english)
    assert "status-waiting" in page
    assert "Waiting for your passport details." in page
    assert (
        '<a class="button" href="/upload/review/">Continue typing your passport details</a>' in page
    )
    _no_photo_talk(page)


def test_typed_details_sent_are_details_not_a_photo(english, upload_request):
    type_and_confirm(upload_request)
    page = status_page(english)
    assert "status-submitted" in page
    assert "Alice&#x27;s Goods is checking your passport." in page
    assert "You sent your passport details on" in page
    assert "You can replace them until the seller accepts them." in page
    assert 'href="/upload/?replace">Change the details</a>' in page
    _no_photo_talk(page)


def test_typed_details_accepted_name_no_photo(english, upload_request, alice):
    type_and_confirm(upload_request)
    request_services.request_accept(upload_request=upload_request, actor=alice)
    page = status_page(english)
    assert "status-accepted" in page
    _no_photo_talk(page)


def test_a_shop_without_photos_asks_for_the_details_again(english, shop, upload_request, alice):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    type_and_confirm(upload_request)
    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Typo")
    page = status_page(english)
    assert "status-rejected" in page
    assert "The seller asks you to send the passport details again." in page
    assert '<a class="button" href="/upload/">Type your passport details</a>' in page
    _no_photo_talk(page)


def test_typed_details_that_no_longer_open_are_typed_again(english, upload_request, monkeypatch):
    document = type_and_confirm(upload_request)

    def broken(found):  # type: ignore[no-untyped-def]
        return crypto.DecryptionError("damaged") if found.pk == document.pk else None

    monkeypatch.setattr(document_selectors, "document_open_error", broken)
    page = status_page(english)
    assert "We can no longer open the passport details you typed. Please type them again." in page
    assert 'href="/upload/?replace">Type your passport details</a>' in page
    _no_photo_talk(page)


def test_a_typed_status_page_speaks_russian(customer, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    type_and_confirm(upload_request)
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = status_page(customer)
    assert "Данные введены" in page
    assert "Вы отправили данные паспорта" in page
    assert "Изменить данные" in page
    assert "фото" not in page[page.index('<div class="card status') : page.index("own-copy")]
