"""The seller's rejection reaches the customer in the customer's language (#16 item 3): the reason
is a code, worded on the status page in the page's language and in the e-mail in the order's; the
seller's note follows as typed."""

import pytest
from django.conf import settings
from django.core import mail

from uploads.models import UploadRequest
from uploads.requests import services as request_services


@pytest.fixture
def rejected(uploaded_request: UploadRequest, alice) -> UploadRequest:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    # A Chinese seller: picks "glare" and writes a note in Chinese.
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, code="glare", reason="护照号码处有反光"
    )
    return uploaded_request


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("hy", "Փայլը ծածկում է էջի մի մասը։"),
        ("ru", "Блик закрывает часть страницы."),
        ("kk", "Жарқыл беттің бір бөлігін жабады."),
        ("zh-hans", "反光遮住了部分页面。"),
    ],
)
def test_it_shows_the_reason_on_the_status_page_in_the_customers_language(
    customer, rejected, language, sentence
):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = customer.get("/upload/status/").content.decode()
    assert sentence in page
    assert "护照号码处有反光" in page  # the seller's note, as typed
    assert "Glare on the page" not in page  # never the seller's own label


def test_it_shows_the_reason_on_the_upload_page_too(customer, rejected):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Блик закрывает часть страницы." in customer.get("/upload/").content.decode()


def test_it_emails_the_reason_in_the_orders_language(rejected):
    [message] = mail.outbox
    assert "Блик закрывает часть страницы." in message.body
    html, _type = message.alternatives[0]
    assert "Блик закрывает часть страницы." in html
    assert "Glare" not in message.body


def test_it_shows_a_reason_typed_before_codes_as_it_was(customer, uploaded_request, alice):
    # What migration 0011 leaves of an old free-text reason: "other" with the text as the note.
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, code="other", reason="Too dark, sorry"
    )
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = customer.get("/upload/status/").content.decode()
    assert "The seller found a problem with the photo. Too dark, sorry" in page
