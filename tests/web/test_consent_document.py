"""The customer sees the shop's consent before the photo, can download it, and agrees to that one."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import consent_shown_to
from uploads.models import Consent, ConsentDocument, DestructionRecord, Shop
from uploads.papers import services as papers_services
from uploads.retention.services import erasure

# A browser that sends more than the consent keeps.
LONG_USER_AGENT = "Mozilla/5.0 (Linux; Android 14) " + "X" * 500


def _shown(page: str) -> ConsentDocument:
    marker = 'name="consent_document_id" value="'
    start = page.index(marker) + len(marker)
    return ConsentDocument.objects.get(pk=int(page[start : page.index('"', start)]))


def test_the_page_shows_the_shops_document_before_the_photo_buttons(customer, shop):
    page = customer.get("/upload/").content.decode()
    document = _shown(page)
    assert document.shop == shop and document.language == "ru"
    main = page[page.index("<main>") :]
    # Its whole text, then the box that agrees to it, then the camera.
    assert (
        main.index(shop.operator_rkn_number)
        < main.index('name="consent"')
        < main.index('capture="environment"')
    )
    assert f'href="/upload/consent/{document.pk}/"' in main


def test_it_speaks_the_language_the_customer_chose(customer):
    customer.post("/i18n/setlang/", {"language": "hy", "next": "/upload/"})
    document = _shown(customer.get("/upload/").content.decode())
    assert document.language == "hy"
    assert "Ռոսկոմնաձոր" in document.body


def test_the_download_is_the_exact_text_shown_without_the_token(customer, link):
    document = _shown(customer.get("/upload/").content.decode())
    response = customer.get(f"/upload/consent/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="consent-ru-{document.content_hash[:12]}.txt"'
    )
    assert response.content.decode() == document.body
    assert "no-store" in response["Cache-Control"]
    assert link.token not in response.content.decode()
    assert link.token not in f"/upload/consent/{document.pk}/"


def test_another_shops_document_is_not_handed_out(customer, other_shop):
    theirs = papers_services.consent_document_shown(shop=other_shop, language="ru")
    assert customer.get(f"/upload/consent/{theirs.pk}/").status_code == 404


def test_a_browser_without_a_link_gets_nothing(client, shop):
    document = papers_services.consent_document_shown(shop=shop, language="ru")
    assert client.get(f"/upload/consent/{document.pk}/").status_code == 404


def test_the_consent_keeps_the_version_language_time_address_and_browser(
    customer, upload_request, passport_jpeg
):
    document = _shown(customer.get("/upload/").content.decode())
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": document.pk,
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
        HTTP_USER_AGENT=LONG_USER_AGENT,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    consent = Consent.objects.get(upload_request=upload_request)
    assert consent.document == document
    assert consent.consent_text is None
    assert consent.language == "ru"
    assert consent.client_ip == "203.0.113.7"
    assert consent.user_agent == LONG_USER_AGENT[:300]
    assert consent.given_at is not None


def test_the_address_is_the_one_the_proxy_saw(customer, upload_request, passport_jpeg, settings):
    settings.BEHIND_PROXY = True
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.23",
        REMOTE_ADDR="127.0.0.1",
    )
    assert Consent.objects.get(upload_request=upload_request).client_ip == "198.51.100.23"


def test_an_older_version_shown_is_the_one_agreed_to(customer, shop, upload_request, passport_jpeg):
    old = _shown(customer.get("/upload/").content.decode())
    Shop.objects.filter(pk=shop.pk).update(consent_recipients="Boxberry LLC (Russia)")
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": old.pk,
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert Consent.objects.get(upload_request=upload_request).document == old
    new = _shown(customer.get("/upload/?replace").content.decode())
    assert new != old and "Boxberry LLC (Russia)" in new.body


def test_another_shops_version_is_refused(customer, other_shop, passport_jpeg):
    theirs = papers_services.consent_document_shown(shop=other_shop, language="ru")
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": theirs.pk,
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_erasure_keeps_the_consent_but_not_where_it_came_from(
    customer, upload_request, passport_jpeg
):
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
        HTTP_USER_AGENT="Firefox",
    )
    erasure.request_erase(
        upload_request=upload_request, reason=DestructionRecord.Reason.CONSENT_WITHDRAWN
    )
    consent = Consent.objects.get(upload_request=upload_request)
    assert consent.document is not None and consent.given_at is not None
    assert consent.client_ip is None and consent.user_agent == ""
