"""The customer's own copy (152-FZ art. 14): what the seller holds, the consent, who had the data
(by role, never a staff member's name), audited; and the withdrawal next to it, audited too."""

import re

import pytest
from django.conf import settings
from django.utils.html import escape

from tests.conftest import login
from tests.typed import photo_policy_set, type_and_confirm
from uploads.audit import services as audit
from uploads.core import crypto
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, PhotoPolicy, StaffProfile, TransferRecord
from uploads.requests import services as request_services

COPY = "/upload/my-data/"


@pytest.fixture
def english(customer):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return customer


def own_copy(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get(COPY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    return response.content.decode()


def test_the_status_page_offers_the_copy_before_the_withdrawal(english, uploaded_request):
    page = english.get("/upload/status/").content.decode()
    assert f'href="{COPY}"' in page
    assert page.index(f'href="{COPY}"') < page.index('href="/upload/withdraw/"')


def test_it_holds_the_fields_the_order_and_the_consent(english, uploaded_request):
    text = own_copy(english)
    assert "Your data held by the seller" in text
    # The fields, decrypted for this copy, with their labels; the sex as a word.
    assert "ERIKSSON" in text and "L898902C3" in text
    assert "Surname" in text and "female" in text
    assert "A-100" in text
    assert "The seller keeps the photo of this page, encrypted." in text
    consent = uploaded_request.consents.get()
    # The shop's consent document they agreed to, by its version (SHA-256) and its words.
    assert consent.document.content_hash[:12] in text
    assert escape(consent.document.body.splitlines()[0]) in text
    assert "Alice&#x27;s Goods" in text or "Alice's Goods" in text
    assert "/upload/withdraw/" in text
    assert 'name="referrer" content="no-referrer"' in text


def test_taking_it_is_audited(english, uploaded_request):
    own_copy(english)
    event = AuditEvent.objects.get(action=AuditEvent.Action.OWN_COPY)
    assert event.upload_request == uploaded_request
    assert event.via == AuditEvent.Via.LINK
    assert event.actor is None
    assert event.detail == ""
    assert not TransferRecord.objects.exists()  # the data subject is no third party


def test_it_says_who_had_the_data_by_role_never_by_name(client, alice, uploaded_request, link):
    alice.first_name, alice.last_name, alice.email = "Alicia", "Sellerova", "alicia@shop.example"
    alice.save()
    staff = login(client, alice)
    staff.get(f"/admin/uploads/uploadrequest/{uploaded_request.pk}/image/")
    StaffProfile.objects.create(user=alice, country="CN")
    alice.refresh_from_db()
    staff.get(f"/admin/uploads/uploadrequest/{uploaded_request.pk}/change/")
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    # A hand-over to the carrier, as the sending service records it.
    audit.audit_record(
        actor=alice,
        action=AuditEvent.Action.CARRIER_SEND,
        upload_request=uploaded_request,
        detail="CDEK: name, passport_number",
        transfer=audit.Transfer(
            kind=TransferRecord.Kind.CARRIER_SEND,
            recipient="CDEK",
            country="RU",
            categories=["name", "passport_number"],
        ),
    )

    staff.logout()
    customer = client
    customer.get(link.url)
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = own_copy(customer)
    assert "looked at your passport photo" in text
    assert "the seller&#x27;s staff, abroad (CN)" in text
    assert "looked at your passport details" in text
    assert "accepted your passport" in text
    assert "carrier CDEK" in text
    assert "received your details for customs" in text
    # (The operator's contact, privacy@alice.example, is the shop's, and stays.)
    assert not re.search(r"\balice\b(?![.@])", text)
    for private in ("Alicia", "Sellerova", "alicia@shop.example"):
        assert private not in text


@pytest.mark.parametrize(("staff_country", "who"), [("CN", "abroad (CN)"), ("RU", None)])
def test_a_customs_file_names_its_recipient_and_staff_abroad_once(
    english, alice, uploaded_request, staff_country, who
):
    StaffProfile.objects.create(user=alice, country=staff_country)
    alice.refresh_from_db()
    # A customs file for a broker in Kazakhstan, as the export service records it.
    audit.audit_record(
        actor=alice,
        action=AuditEvent.Action.EXPORT,
        upload_request=uploaded_request,
        detail="customs: Boxberry",
        transfer=audit.Transfer(
            kind=TransferRecord.Kind.CUSTOMS_EXPORT,
            recipient="Boxberry",
            country="KZ",
            categories=["surname", "number"],
        ),
    )
    text = own_copy(english)
    assert text.count("exported your details for customs, for Boxberry") == 1
    # The recipient's country is not where the staff member was.
    assert "abroad (KZ)" not in text
    if who is None:
        assert "abroad" not in text
    else:
        assert text.count(who) == 1


def test_it_says_so_when_the_fields_do_not_open(english, uploaded_request, monkeypatch):
    def broken(*, document):  # type: ignore[no-untyped-def]
        raise crypto.DecryptionError("damaged")

    monkeypatch.setattr(document_selectors, "document_fields", broken)
    text = own_copy(english)
    assert "could not be opened for this copy" in text
    assert "ERIKSSON" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.OWN_COPY)
    assert event.detail == "fields not opened"


def test_it_is_in_the_customers_language(customer, uploaded_request):
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    text = own_copy(customer)
    assert "Ваши данные у продавца" in text
    assert '<html lang="ru">' in text


def test_before_any_upload_it_says_there_is_no_passport(english):
    text = own_copy(english)
    assert "The seller holds no passport of yours for this order." in text
    assert "Nobody has opened your passport data yet." in text


def test_without_the_link_there_is_no_copy(client, uploaded_request):
    response = client.get(COPY)
    assert response.status_code == 404
    assert "ERIKSSON" not in response.content.decode()


def test_withdrawing_from_the_status_page_is_audited(english, uploaded_request):
    response = english.post("/upload/withdraw/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONSENT_WITHDRAWN)
    assert event.via == AuditEvent.Via.LINK
    assert event.upload_request == uploaded_request
    assert english.get(COPY).status_code == 404  # the session ended with the data


def _consent_rows(text: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", text)


def test_it_shows_where_each_consent_was_given_from(english, uploaded_request):
    # The customer's own data, kept with the consent: theirs to see, escaped as any value.
    uploaded_request.consents.update(
        client_ip="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux) <b>Firefox</b>/128.0"
    )
    rows = _consent_rows(own_copy(english))
    assert ("Network address of the device you gave it from", "203.0.113.7") in rows
    assert (
        "Browser you gave it from",
        escape("Mozilla/5.0 (X11; Linux) <b>Firefox</b>/128.0"),
    ) in rows
    assert "not recorded" not in own_copy(english)


def test_it_says_when_the_consents_address_and_browser_were_not_recorded(
    customer, uploaded_request
):
    # Given through the service without a request (as a proxy without the header would leave it).
    consent = uploaded_request.consents.get()
    assert consent.client_ip is None and consent.user_agent == ""
    customer.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    rows = _consent_rows(own_copy(customer))
    assert ("Сетевой адрес устройства, с которого вы его дали", "не записан") in rows
    assert ("Браузер, из которого вы его дали", "не записан") in rows


def test_a_typed_passport_is_told_as_typed_not_as_a_photo(english, shop, upload_request, alice):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    type_and_confirm(upload_request)
    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Typo")
    text = own_copy(english)
    assert "ERIKSSON" in text and "L898902C3" in text
    assert "Typed on " in text and "Uploaded on " not in text
    assert "You typed these details yourself: no photo of your passport was sent or kept." in text
    assert "The seller keeps the photo" not in text
    assert "No photo is kept: only the details below." not in text
    assert "asked you to send your passport details again" in text
    assert "asked you for another photo" not in text
    # The consent they agreed to (in Russian, as shown): the document of a shop taking no photo.
    assert "сведения из моего паспорта, которые я ввожу, в зависимости от документа:" in text
    assert "фотография страницы паспорта" not in text


def test_a_photo_sent_back_is_still_a_photo(english, uploaded_request, alice):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="Blur")
    text = own_copy(english)
    assert "Uploaded on " in text and "Typed on " not in text
    assert "asked you for another photo" in text
