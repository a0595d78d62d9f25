import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from tests.conftest import consent_shown_to
from uploads.models import ConsentDocument, PassportDocument, UploadRequest
from uploads.requests import services as request_services


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def _post(client: Client, data: bytes, *, consent: bool = True, name: str = "passport.jpg"):
    form = {
        "consent_document_id": consent_shown_to(client),
        "file": SimpleUploadedFile(name, data),
    }
    if consent:
        form["consent"] = "on"
    return client.post("/upload/", form)


def test_it_names_the_carrier_as_a_recipient_where_the_shop_hands_passports_to_it(customer, shop):
    from uploads.carriers import services as carrier_services
    from uploads.models import CdekAccount

    assert "СДЭК" not in customer.get("/upload/").content.decode()
    carrier_services.cdek_account_save(shop=shop, client_id="id", client_secret="secret")
    page = customer.get("/upload/").content.decode()
    # The shop's consent document names it, with its country, in the customer's language.
    assert "- CDEK (Россия);" in page
    CdekAccount.objects.update(is_active=False)
    assert "CDEK" not in customer.get("/upload/").content.decode()


def test_it_tells_who_asks_why_and_for_how_long(customer, settings):
    response = customer.get("/upload/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alice&#x27;s Goods" in page or "Alice's Goods" in page
    assert "A-100" in page
    assert str(settings.PASSPORT_RETENTION_DAYS) in page
    # The shop's consent document, in the order's language, whole.
    body = ConsentDocument.objects.get(shop__name="Alice's Goods", language="ru").body
    assert escape(body.splitlines()[0]) in page
    assert "77-26-000000" in page
    assert 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page


def test_it_speaks_the_orders_language(customer):
    response = customer.get("/upload/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'<html lang="ru">' in response.content
    assert _in("ru", "Why it is needed") in response.content.decode()


def test_it_lets_the_customer_switch_language_and_stay_on_the_step(customer):
    response = customer.post("/i18n/setlang/", {"language": "en", "next": "/upload/"})
    assert response["Location"] == "/upload/"
    page = customer.get("/upload/")
    assert b'<html lang="en">' in page.content
    assert b"Why it is needed" in page.content


def test_it_takes_a_photo_and_moves_on_to_the_review(customer, passport_jpeg, upload_request):
    response = _post(customer, passport_jpeg)
    assert response.status_code == 302
    assert response["Location"] == "/upload/review/"
    document = PassportDocument.objects.get(upload_request=upload_request)
    assert document.mrz_status == PassportDocument.MrzStatus.FOUND


def test_it_requires_consent_and_stores_nothing_without_it(customer, passport_jpeg):
    response = _post(customer, passport_jpeg, consent=False)
    assert response.status_code == 400
    assert (
        _in("ru", "Please confirm that you agree, so that we can accept the passport.")
        in response.content.decode()
    )
    assert PassportDocument.objects.count() == 0


def test_it_explains_a_bad_file_in_the_customers_language(customer):
    response = _post(customer, b"%PDF-1.4 not really", name="passport.jpg")
    assert response.status_code == 400
    expected = _in("ru", "The file is damaged or incomplete. Please take the photo again.")
    assert expected in response.content.decode()
    assert PassportDocument.objects.count() == 0


def test_it_ignores_the_file_name_and_browser_content_type(customer):
    fake = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": fake,
        },
    )
    assert response.status_code == 400
    assert PassportDocument.objects.count() == 0


def test_it_refuses_a_file_over_the_limit_without_reading_it_all(customer, settings):
    settings.PASSPORT_MAX_UPLOAD_BYTES = 100_000
    response = _post(customer, b"\xff\xd8\xff" + b"\0" * 300_000)
    assert response.status_code == 400
    assert _in("ru", "The file is larger than %(megabytes)d MB. Please send a smaller photo.") % {
        "megabytes": 0
    } in (response.content.decode())
    assert PassportDocument.objects.count() == 0


def test_it_refuses_a_decompression_bomb(customer):
    out = io.BytesIO()
    Image.new("1", (12_000, 10_000)).save(out, format="PNG")  # 120 megapixels in a small file
    response = _post(customer, out.getvalue(), name="bomb.png")
    assert response.status_code == 400
    assert PassportDocument.objects.count() == 0


def test_it_survives_a_tampered_form(customer, passport_jpeg):
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": "'; DROP TABLE",
            "file": SimpleUploadedFile("a.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 400
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": "999999",
            "file": SimpleUploadedFile("a.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 400
    response = customer.post(
        "/upload/",
        {"consent": "on", "consent_document_id": consent_shown_to(customer)},
    )
    assert response.status_code == 400
    assert PassportDocument.objects.count() == 0


def test_it_answers_a_missing_csrf_token_with_a_friendly_page(link, passport_jpeg):
    browser = Client(enforce_csrf_checks=True)
    browser.get(f"/u/{link.token}/")
    response = _post(browser, passport_jpeg)
    assert response.status_code == 403
    assert _in("ru", "The page has expired") in response.content.decode()
    assert PassportDocument.objects.count() == 0


def test_it_tells_the_customer_when_the_passport_is_already_accepted(
    customer, uploaded_request, alice, passport_jpeg
):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    # Opening the link again, or the upload page, shows the status: accepted.
    page = customer.get("/upload/", follow=True)
    assert page.redirect_chain[-1][0] == "/upload/status/"
    assert (
        _in(
            "ru",
            "The seller has checked your passport. Nothing more is needed from you for this order.",
        )
        in page.content.decode()
    )
    assert b'type="file"' not in page.content
    before = PassportDocument.objects.count()
    _post(customer, passport_jpeg)
    assert PassportDocument.objects.count() == before


def test_it_shows_the_reason_after_a_rejection(customer, uploaded_request, alice):
    request_services.request_reject(
        upload_request=uploaded_request, actor=alice, reason="Glare over the photo"
    )
    page = customer.get("/upload/")
    assert "Glare over the photo" in page.content.decode()
    assert b'type="file"' in page.content


def test_it_stops_working_when_the_link_expires_mid_visit(customer, upload_request, passport_jpeg):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = _post(customer, passport_jpeg)
    assert response.status_code == 404
    assert PassportDocument.objects.count() == 0


def test_it_puts_the_photo_buttons_after_a_short_summary_and_the_withdrawal_last(customer):
    page = customer.get("/upload/").content.decode()
    main = page[page.index("<main>") :]
    # Who asks, why, for how long; then the consent, whole, one tap away; then the buttons.
    summary = main.index(_in("ru", "Why it is needed"))
    consent_text = main.index('<details class="consent-text"')
    checkbox = main.index('name="consent"')
    camera = main.index('capture="environment"')
    withdraw = main.index('href="/upload/withdraw/"')
    assert summary < consent_text < checkbox < camera < withdraw
    title = ConsentDocument.objects.get(language="ru").body.splitlines()[0]
    assert consent_text < main.index(title) < checkbox
    # The withdrawal is the last link of the page, after everything it would undo.
    assert main.index('href="/upload/withdraw/"') == main.rindex("<a ") + len("<a ")


def test_it_lists_the_errors_at_the_top_with_links_to_their_fields(customer):
    response = customer.post("/upload/", {"consent_document_id": consent_shown_to(customer)})
    assert response.status_code == 400
    page = response.content.decode()
    main = page[page.index("<main>") :]
    summary = main[: main.index("</div>")]
    # The summary comes first in the page, takes the focus without JavaScript (autofocus) and
    # links each message to its field.
    assert main.index('id="error-summary"') < main.index("<h1>")
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert 'href="#id_consent"' in summary and 'href="#id_file"' in summary
    assert (
        _in("ru", "Please confirm that you agree, so that we can accept the passport.") in summary
    )
    assert _in("ru", "Please take a photo of the passport or choose a file.") in summary
    assert 'id="id_consent"' in page and 'id="id_file"' in page


def test_it_answers_a_photo_held_back_for_the_consent_with_that_one_error(customer):
    # portal.js does not send the photo while the box is not ticked: it keeps it chosen and asks
    # for the page with the consent's message only.
    response = customer.post(
        "/upload/",
        {"consent_document_id": consent_shown_to(customer), "photo_kept": "1"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["consent"]
    assert PassportDocument.objects.count() == 0


def test_it_tells_the_script_where_to_go_instead_of_redirecting(customer, passport_jpeg):
    # XMLHttpRequest follows redirects: the review page would be fetched twice.
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
        HTTP_X_PORTAL_UPLOAD="1",
    )
    assert response.status_code == 204
    assert response["X-Next"] == "/upload/review/"
    assert response.content == b""


def test_it_gives_the_browser_the_limits_and_messages_to_check_a_file_before_sending(
    customer, settings
):
    page = customer.get("/upload/").content.decode()
    assert f'data-max-bytes="{settings.PASSPORT_MAX_UPLOAD_BYTES}"' in page
    megabytes = settings.PASSPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
    too_large = _in("ru", "The file is larger than %(megabytes)d MB. Please send a smaller photo.")
    assert f'data-too-large="{too_large % {"megabytes": megabytes}}"' in page
    assert 'data-wrong-type="' in page
