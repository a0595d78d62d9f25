"""The seller sets the consent's other recipients and sees the consent as customers read it; every
version shown is listed, read only."""

from django.contrib.auth.models import User
from django.utils import translation

from tests.conftest import login
from uploads.models import ConsentDocument, Shop
from uploads.papers import services as papers_services


def _shop_form(shop: Shop, **changes: str) -> dict[str, str]:
    form = {
        "name": shop.name,
        "contact_email": shop.contact_email,
        "notification_language": shop.notification_language,
        "operator_name": shop.operator_name,
        "operator_address": shop.operator_address,
        "operator_registration": shop.operator_registration,
        "operator_rkn_number": shop.operator_rkn_number,
        "operator_contact": shop.operator_contact,
        "consent_recipients": "",
        "reminder_days": shop.reminder_days,
        "reminder_hours_before_deadline": str(shop.reminder_hours_before_deadline),
        "upload_notifications": shop.upload_notifications,
        "summary_frequency": shop.summary_frequency,
    }
    form.update(changes)
    return form


def _root(client):  # type: ignore[no-untyped-def]
    return login(client, User.objects.create_superuser("root", password="password"))


def test_the_shop_page_shows_the_consent_customers_read_now(client, shop):
    _root(client)
    page = client.get(f"/admin/uploads/shop/{shop.pk}/change/").content.decode()
    assert 'name="consent_recipients"' in page
    assert "CONSENT TO THE PROCESSING OF PERSONAL DATA" in page
    assert shop.operator_rkn_number in page
    # Looking is not showing: no version is kept for a preview.
    assert not ConsentDocument.objects.exists()


def test_a_recipient_without_a_country_is_refused(client, shop):
    _root(client)
    url = f"/admin/uploads/shop/{shop.pk}/change/"
    response = client.post(url, _shop_form(shop, consent_recipients="Boxberry LLC"))
    assert response.status_code == 200
    assert "country in brackets" in response.content.decode()
    response = client.post(url, _shop_form(shop, consent_recipients="Boxberry LLC (Russia)"))
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.consent_recipients == "Boxberry LLC (Russia)"
    assert (
        "Boxberry LLC (Russia)"
        in papers_services.consent_document_shown(shop=shop, language="en").body
    )


def test_versions_are_listed_and_never_edited(client, shop, other_shop):
    mine = papers_services.consent_document_shown(shop=shop, language="ru")
    papers_services.consent_document_shown(shop=other_shop, language="ru")
    _root(client)
    listing = client.get("/admin/uploads/consentdocument/").content.decode()
    assert mine.content_hash[:12] in listing
    page = client.get(f"/admin/uploads/consentdocument/{mine.pk}/change/")
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()
    assert client.get("/admin/uploads/consentdocument/add/").status_code == 403
    assert client.post(f"/admin/uploads/consentdocument/{mine.pk}/delete/").status_code == 403
    # The global text of before stays readable, and no new one is published.
    assert client.get("/admin/uploads/consenttext/add/").status_code == 403


def test_a_version_is_shown_in_its_own_language_escaped(client, shop):
    # A shop name with markup in it (typed by a seller) stays text on the version's page.
    Shop.objects.filter(pk=shop.pk).update(operator_name="<b>Alice</b> & Co")
    shop.refresh_from_db()
    version = papers_services.consent_document_shown(shop=shop, language="kk")
    _root(client)
    with translation.override("zh-hans"):
        page = client.get(
            f"/admin/uploads/consentdocument/{version.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    # The customer's text is marked as Kazakh, whatever the admin speaks.
    assert '<div class="consent-document" lang="kk">' in page
    assert "&lt;b&gt;Alice&lt;/b&gt; &amp; Co" in page
    assert "<b>Alice</b>" not in page


def test_languages_are_listed_by_name(client, shop):
    papers_services.consent_document_shown(shop=shop, language="kk")
    _root(client)
    listing = client.get("/admin/uploads/consentdocument/?language=kk")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Kazakh" in text
    assert ">kk<" not in text
