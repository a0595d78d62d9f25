"""Every customer language end to end, the seller's admin in Chinese, and content fallbacks."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from tests.conftest import login
from uploads.models import ConsentDocument, FaqEntry, GuidanceStep
from uploads.requests import links
from uploads.requests import services as request_services

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def _translated(language: str, text: str) -> str:
    """The text in that language, insisting that it really is translated."""
    result = _in(language, text)
    if language != "en":
        assert result != text, f"{text!r} is not translated into {language}"
    return result


@pytest.fixture
def order_in(shop):
    def make(language: str) -> links.IssuedLink:
        return request_services.order_create(
            shop_id=shop.pk,
            number=f"L-{language}",
            customer_name="Aida",
            email="aida@example.com",
            language=language,
        )

    return make


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_renders_the_customer_page_in_the_orders_language(client, order_in, language):
    link = order_in(language)
    client.get(f"/u/{link.token}/")
    page = client.get("/upload/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'<html lang="{language}">' in page
    for text in ("Why it is needed", "Take a photo", "Choose a photo or PDF", "Upload", "Consent"):
        assert escape(_translated(language, text)) in page
    with translation.override(language):
        consent = ConsentDocument.objects.get(
            shop=link.upload_request.order.shop, language=language
        )
        assert escape(consent.body.splitlines()[0]) in page
        assert escape(gettext("Recipients of the data")) in page
        assert escape(GuidanceStep.objects.first().text) in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_renders_the_invalid_link_page_in_the_browsers_language(client, db, language):
    response = client.get("/u/nonsense/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    assert escape(_translated(language, "This link does not work")) in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_sends_the_invitation_in_the_orders_language(order_in, language):
    link = order_in(language)
    with translation.override("zh-hans"):  # whatever language the seller works in
        request_services.upload_link_send(upload_request=link.upload_request)
    message = mail.outbox[-1]
    assert f'lang="{language}"' in message.alternatives[0].content
    expected_subject = _translated(language, "{shop}: passport needed for order {order_number}")
    assert message.subject == expected_subject.replace("{shop}", "Alice's Goods").replace(
        "{order_number}", f"L-{language}"
    )
    assert link.url in message.body
    assert "Aida" in message.body
    assert "{" not in message.body


def test_it_prefers_the_orders_language_to_the_browsers(client, order_in):
    link = order_in("kk")
    client.get(f"/u/{link.token}/")
    assert b'<html lang="kk">' in client.get("/upload/", HTTP_ACCEPT_LANGUAGE="ru").content


def test_it_follows_the_browser_when_the_order_has_no_language(client, shop):
    link = request_services.order_create(shop_id=shop.pk, number="N-1", customer_name="Nor")
    client.get(f"/u/{link.token}/")
    assert b'<html lang="hy">' in client.get("/upload/", HTTP_ACCEPT_LANGUAGE="hy,en;q=0.5").content
    assert b'<html lang="ru">' in client.get("/upload/", HTTP_ACCEPT_LANGUAGE="fr").content


def test_it_remembers_the_language_the_customer_picks(client, order_in):
    link = order_in("ru")
    client.get(f"/u/{link.token}/")
    response = client.post("/i18n/setlang/", {"language": "uz", "next": "/upload/review/"})
    assert response["Location"] == "/upload/review/"  # the same step
    assert b'<html lang="uz">' in client.get("/upload/").content


def test_it_falls_back_to_russian_then_english_for_missing_content(client, order_in):
    FaqEntry.objects.all().delete()
    FaqEntry.objects.create(
        question_ru="Вопрос по-русски", question_en="Question in English", answer_ru="Ответ"
    )
    FaqEntry.objects.create(question_en="Only in English", answer_en="Answer")
    link = order_in("kk")
    client.get(f"/u/{link.token}/")
    page = client.get("/upload/").content.decode()
    assert "Вопрос по-русски" in page  # Kazakh missing: Russian
    assert "Only in English" in page  # Kazakh and Russian missing: English


def test_it_shows_the_sellers_admin_in_chinese(client, alice, uploaded_request):
    login(client, alice)
    page = client.get(
        "/admin/uploads/uploadrequest/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<html lang="zh-hans"' in page
    for text in (
        "Uploaded",
        "Accept the selected passports",
        "Export the selected requests as CSV",
        "order number",
    ):
        assert escape(_translated("zh-hans", text)) in page


def test_it_shows_the_staff_notification_in_the_shops_language(uploaded_request, shop):
    message = mail.outbox[-1]
    assert message.to == [shop.contact_email]
    assert shop.notification_language == "zh-hans"
    assert (
        _translated("zh-hans", "Passport uploaded for order %(number)s") % {"number": "A-100"}
        == message.subject
    )
