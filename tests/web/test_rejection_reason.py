"""The seller's rejection reaches the customer in the customer's language (#16 item 3): the reason
is a code, worded on the status page in the page's language and in the e-mail in the order's; the
seller's note follows as typed."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from tests.typed import photo_policy_set, type_and_confirm
from uploads.admin.requests import reasons_as_read_by
from uploads.models import PhotoPolicy, UploadRequest
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


# --- a passport typed instead of photographed: no sentence about a photo -------------------------


def test_a_typed_passport_rejected_reads_of_its_details(customer, shop, upload_request, alice):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    type_and_confirm(upload_request)
    mail.outbox.clear()
    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Typo")
    upload_request.refresh_from_db()
    with translation.override("en"):
        assert upload_request.rejection_message == (
            "The seller found a problem with the passport details you sent. Typo"
        )
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    for address in ("/upload/status/", "/upload/?replace"):
        page = customer.get(address).content.decode()
        assert "Продавец нашёл проблему в отправленных вами данных паспорта. Typo" in page
        assert "Продавец просит отправить данные паспорта повторно." in page
        assert "фотограф" not in page
    # The e-mail too, in the order's language.
    [email] = mail.outbox
    assert "Продавец нашёл проблему в отправленных вами данных паспорта." in email.body


def test_typed_details_that_do_not_open_are_asked_for_again_as_details(upload_request, alice):
    type_and_confirm(upload_request)
    request_services.request_reject(upload_request=upload_request, actor=alice, code="unreadable")
    with translation.override("en"):
        assert upload_request.rejection_message == (
            "We can no longer open the passport details you typed. Please type them again."
        )
    # What the seller's reject form says the customer will read (in the order's language).
    assert _read_for_other(upload_request) == (
        "Продавец нашёл проблему в отправленных вами данных паспорта."
    )


def _read_for_other(upload_request: UploadRequest) -> str:
    with translation.override("ru"):
        read = dict(reasons_as_read_by(upload_request))
        return read[str(UploadRequest.RejectionReason.OTHER.label)]


def test_a_photo_rejected_still_reads_of_the_photo(uploaded_request, alice):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="Typo")
    with translation.override("en"):
        assert (
            uploaded_request.rejection_message == "The seller found a problem with the photo. Typo"
        )
    assert _read_for_other(uploaded_request) == "Продавец нашёл проблему с фотографией."
