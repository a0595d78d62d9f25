"""A passport that can no longer be opened (#19, keys): its master key removed from
PASSPORT_ENCRYPTION_KEYS, or its sealed data key or fields damaged. Every page, export, API answer
and hand-over that meets it says so (the customer: upload again; the seller: it can no longer be
opened, ask the customer to upload again), never a 500; each meeting is audited and logged without
a value, and the request can be asked again."""

import csv
import io
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tests.carriers.fixtures import cdek, cdek_account, make_ready
from tests.conftest import consent_shown_to, login
from tests.customs.test_readiness import upload
from uploads.api import services as api_tokens
from uploads.carriers import services as carrier_services
from uploads.carriers.sending import CREDENTIALS_NOT_OPENED
from uploads.core import crypto
from uploads.customs.services import readiness as customs_readiness
from uploads.documents import selectors as document_selectors
from uploads.models import (
    AuditEvent,
    CarrierSend,
    CustomsRecord,
    PassportDocument,
    UploadRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from uploads.requests import services as request_services

__all__ = ["cdek", "cdek_account"]  # the CDEK stand-in's fixtures

CHANGELIST = "/admin/uploads/uploadrequest/"
# The customer reads it in the order's language (Russian here).
CUSTOMER = (
    "Мы больше не можем открыть фотографию, которую вы отправили. Пожалуйста, загрузите её ещё раз."
)
SELLER_DAMAGED = (
    "This passport can no longer be opened (its key or data is damaged). Ask the customer to "
    "upload it again."
)
STRAY_KEY = b"\x03" * 32
PASSPORT_VALUES = ("ERIKSSON", "L898902C3", "1974-08-12", "ИВАНОВ", "500100732259")


def _flip_last_byte(value: bytes) -> bytes:
    return value[:-1] + bytes([value[-1] ^ 0x01])


def break_document(document: PassportDocument, how: str, settings) -> str:  # type: ignore[no-untyped-def]
    """Make the document unopenable; return what the seller is told."""
    if how == "master key removed":
        sealed_under = crypto.wrapped_key_id(bytes(document.wrapped_key))
        settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]
        return (
            f"This passport can no longer be opened here: it was sealed under key {sealed_under}, "
            "which is not loaded. Ask the customer to upload it again."
        )
    if how == "data key damaged":
        damaged = _flip_last_byte(bytes(document.wrapped_key))
        PassportDocument.objects.filter(pk=document.pk).update(wrapped_key=damaged)
    else:  # the sealed fields damaged: the key opens, the fields do not
        damaged = _flip_last_byte(bytes(document.fields_sealed))
        PassportDocument.objects.filter(pk=document.pk).update(fields_sealed=damaged)
    document.refresh_from_db()
    return SELLER_DAMAGED


BREAKAGES = ["master key removed", "data key damaged", "fields damaged"]


@pytest.fixture(params=BREAKAGES)
def how(request) -> str:  # type: ignore[no-untyped-def]
    return request.param


def current(upload_request: UploadRequest) -> PassportDocument:
    document = document_selectors.document_current(upload_request=upload_request)
    assert document is not None
    return document


def not_opened_events(upload_request: UploadRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            upload_request=upload_request, action=AuditEvent.Action.NOT_OPENED
        )
    )


def assert_no_values(text: str) -> None:
    for value in PASSPORT_VALUES:
        assert value not in text


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    from django.contrib.messages import get_messages

    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the customer ------------------------------------------------------------------------------


def test_the_status_page_asks_the_customer_to_upload_again(
    customer, uploaded_request, how, settings
):
    break_document(current(uploaded_request), how, settings)
    page = customer.get("/upload/status/")
    assert page.status_code == 200
    text = page.content.decode()
    assert CUSTOMER in text
    assert 'href="/upload/?replace"' in text
    [event] = not_opened_events(uploaded_request)
    assert event.via == AuditEvent.Via.LINK
    assert_no_values(event.detail)


def _upload(client: Client, jpeg: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(client),
            "file": SimpleUploadedFile("p.jpg", jpeg),
        },
    )


def test_the_review_page_and_its_preview_ask_to_upload_again_and_a_new_upload_works(
    customer, upload_request, passport_jpeg, how, settings
):
    assert _upload(customer, passport_jpeg).status_code == 302
    pending = document_selectors.document_pending(upload_request=upload_request)
    break_document(pending, how, settings)

    page = customer.get("/upload/review/")
    assert page.status_code == 200
    assert CUSTOMER in page.content.decode()
    assert_no_values(page.content.decode())
    confirm = customer.post("/upload/review/", {"situation": "foreign", "surname": "X"})
    assert confirm.status_code == 200
    assert CUSTOMER in confirm.content.decode()
    preview = customer.get(f"/upload/review/image/{pending.pk}/")
    if how != "fields damaged":  # the photo itself still opens when only the fields are damaged
        assert preview.status_code == 410
        assert preview.content.decode() == CUSTOMER
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING  # nothing was confirmed

    # The way on: a new upload, under the keys loaded now, reads and shows as ever.
    assert _upload(customer, passport_jpeg).status_code == 302
    again = customer.get("/upload/review/").content.decode()
    assert 'value="ERIKSSON"' in again
    assert CUSTOMER not in again


# --- the seller's admin ------------------------------------------------------------------------


def test_the_request_page_says_so_in_the_side_panel_and_offers_to_ask_again(
    client, alice, uploaded_request, how, settings
):
    login(client, alice)
    message = break_document(current(uploaded_request), how, settings)
    page = client.get(f"{CHANGELIST}{uploaded_request.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f'<p class="errornote passport-not-opened">{message}</p>' in text
    assert_no_values(text)
    # The reject form asks the customer again, with the reason already chosen.
    assert "checked" in text.split('name="code" value="unreadable"')[1].split(">")[0]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_FIELDS).exists()
    [event] = not_opened_events(uploaded_request)
    assert event.actor == alice
    assert_no_values(event.detail)


def test_the_image_view_names_the_reason_and_audits_no_view(
    client, alice, uploaded_request, settings
):
    login(client, alice)
    message = break_document(current(uploaded_request), "master key removed", settings)
    image = client.get(f"{CHANGELIST}{uploaded_request.pk}/image/")
    assert image.status_code == 503
    assert image.content.decode() == message
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).exists()
    assert [event.detail for event in not_opened_events(uploaded_request)] == [
        f"image: key {crypto.wrapped_key_id(bytes(current(uploaded_request).wrapped_key))} "
        "not loaded"
    ]


def test_the_image_view_of_a_damaged_key_says_it_can_no_longer_be_opened(
    client, alice, uploaded_request, settings
):
    login(client, alice)
    break_document(current(uploaded_request), "data key damaged", settings)
    image = client.get(f"{CHANGELIST}{uploaded_request.pk}/image/")
    assert (image.status_code, image.content.decode()) == (503, SELLER_DAMAGED)


def test_accepting_is_refused_and_rejecting_asks_the_customer_again(
    client, alice, uploaded_request, customer, how, settings
):
    WebhookEndpoint.objects.create(
        shop=uploaded_request.order.shop, url="http://127.0.0.1:9/", secret="s"
    )
    login(client, alice)
    document = current(uploaded_request)
    message = break_document(document, how, settings)
    seen = {"document": str(document.pk)}

    accepted = client.post(f"{CHANGELIST}{uploaded_request.pk}/accept/", seen)
    assert accepted.status_code == 302
    assert messages_of(accepted) == [message]
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == UploadRequest.Status.UPLOADED

    rejected = client.post(
        f"{CHANGELIST}{uploaded_request.pk}/reject/", {**seen, "code": "unreadable"}
    )
    assert rejected.status_code == 302
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == UploadRequest.Status.REJECTED
    # The webhook's payload went out as ever (status only, nothing of the passport).
    delivery = WebhookDelivery.objects.get()
    assert json.loads(delivery.body)["data"]["rejection_code"] == "unreadable"
    # The customer reads why, in their language, and may upload again.
    page = customer.get("/upload/status/").content.decode()
    assert CUSTOMER in page


def test_readiness_names_a_passport_that_no_longer_opens(uploaded_request, how, settings):
    break_document(current(uploaded_request), how, settings)
    record = customs_readiness.customs_refresh(upload_request=uploaded_request)
    assert not record.ready
    assert customs_readiness.PROBLEM_UNREADABLE in record.problems


# --- exports -----------------------------------------------------------------------------------


def test_the_csv_export_marks_the_row_and_audits_no_export(
    client, alice, uploaded_request, how, settings
):
    login(client, alice)
    break_document(current(uploaded_request), how, settings)
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [str(uploaded_request.pk)]}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[1][0] == "A-100"
    # The row's own columns (the source among them: known without opening anything) stay; every
    # passport cell says why it is empty.
    passport_columns = rows[0].index("Passport data") + 1
    assert rows[1][passport_columns - 1] == "read from a photo"
    assert set(rows[1][passport_columns:]) == {"unreadable: ask the customer to upload again"}
    assert_no_values(text)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert len(not_opened_events(uploaded_request)) == 1
    assert messages_of(response) == [
        "Passports that can no longer be opened (ask these customers to upload again): A-100"
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_customs_export_leaves_it_out_and_names_it(
    client, alice, shop, upload_request, passport_jpeg, file_format, how, settings
):
    upload(upload_request, passport_jpeg)
    other = request_services.order_create(
        shop_id=shop.pk, number="A-200", customer_name="B", email="b@example.com"
    ).upload_request
    upload(other, passport_jpeg)
    assert upload_request.customs.ready and other.customs.ready
    login(client, alice)
    if how == "master key removed":
        # Only one of the two: its key wrapped under a master key that is then removed.
        document = current(upload_request)
        key = document_selectors.document_key(document)
        loaded = list(settings.PASSPORT_ENCRYPTION_KEYS)
        settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]
        rewrapped = crypto.wrap_data_key(
            key,
            context=document_selectors.PASSPORT_FILE_CONTEXT,
            **document_selectors.document_place(document),
        )
        PassportDocument.objects.filter(pk=document.pk).update(wrapped_key=rewrapped)
        settings.PASSPORT_ENCRYPTION_KEYS = loaded
    else:
        break_document(current(upload_request), how, settings)

    response = client.post(
        CHANGELIST,
        {
            "action": "export_customs",
            "apply": "1",
            "_selected_action": [upload_request.pk, other.pk],
            "mapping": "fcs1861",
            "file_format": file_format,
        },
    )
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:]), delimiter=";"))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[str(value or "") for value in row] for row in sheet.iter_rows(values_only=True)]
    assert [row[0] for row in rows[1:]] == ["A-200"]
    assert messages_of(response) == [
        "Passports that can no longer be opened (ask these customers to upload again): A-100"
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    [event] = not_opened_events(upload_request)
    assert event.detail.startswith("customs export: ")


# --- the API, the carrier ----------------------------------------------------------------------


def test_the_api_answers_without_the_link_it_cannot_open(upload_request, settings):
    token = api_tokens.api_token_create(
        shop_id=upload_request.order.shop_id, name="ERP", reads_links=True
    )[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]
    listed = api.get("/api/v1/requests")
    one = api.get(f"/api/v1/requests/{upload_request.pk}")
    assert (listed.status_code, one.status_code) == (200, 200)
    assert listed.json()["results"][0]["link"] is None
    assert one.json()["link"] is None


def test_the_api_reads_a_request_whose_passport_no_longer_opens(uploaded_request, how, settings):
    token = api_tokens.api_token_create(
        shop_id=uploaded_request.order.shop_id, name="ERP", reads_links=True
    )[1]
    break_document(current(uploaded_request), how, settings)
    answer = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        f"/api/v1/requests/{uploaded_request.pk}"
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "uploaded"


@pytest.mark.parametrize("breakage", ["data key damaged", "fields damaged"])
def test_the_carrier_send_fails_with_the_reason_and_hands_nothing_over(
    upload_request,
    cdek,
    cdek_account,
    alice,
    breakage,
    settings,
    django_capture_on_commit_callbacks,
):
    make_ready(upload_request)
    order = cdek.add_order("A-100")
    before = dict(order.recipient)
    break_document(current(upload_request), breakage, settings)
    with django_capture_on_commit_callbacks(execute=True):
        send = carrier_services.carrier_send_queue(upload_request=upload_request, actor=alice)
    send.refresh_from_db()
    assert send.state == CarrierSend.State.FAILED
    assert send.answers == [{"code": "unreadable", "message": ""}]
    assert order.recipient == before and order.patches == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CARRIER_SEND).exists()
    assert len(not_opened_events(upload_request)) == 1


def test_the_carrier_send_says_when_the_shops_credentials_no_longer_open(
    upload_request, cdek, cdek_account, alice, settings, django_capture_on_commit_callbacks
):
    make_ready(upload_request)
    cdek.add_order("A-100")
    settings.PASSPORT_ENCRYPTION_KEYS = [STRAY_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        send = carrier_services.carrier_send_queue(upload_request=upload_request, actor=alice)
    send.refresh_from_db()
    assert send.state == CarrierSend.State.FAILED
    assert send.answers == [{"code": CREDENTIALS_NOT_OPENED, "message": ""}]


def test_the_carrier_column_on_the_request_page_explains_the_failed_send(
    client, alice, upload_request, cdek, cdek_account, settings, django_capture_on_commit_callbacks
):
    make_ready(upload_request)
    cdek.add_order("A-100")
    login(client, alice)
    break_document(current(upload_request), "data key damaged", settings)
    with django_capture_on_commit_callbacks(execute=True):
        carrier_services.carrier_send_queue(upload_request=upload_request, actor=alice)
    page = client.get(f"{CHANGELIST}{upload_request.pk}/change/")
    assert page.status_code == 200
    assert f"<code>unreadable</code> {SELLER_DAMAGED}" in page.content.decode()


# --- logs ---------------------------------------------------------------------------------------


def test_each_meeting_is_logged_with_ids_only(client, alice, uploaded_request, caplog, settings):
    login(client, alice)
    break_document(current(uploaded_request), "master key removed", settings)
    with caplog.at_level(logging.WARNING, logger="uploads.not_opened"):
        client.get(f"{CHANGELIST}{uploaded_request.pk}/change/")
    [line] = [r.getMessage() for r in caplog.records if r.name == "uploads.not_opened"]
    assert line.startswith(
        f"passport does not open (request page): request {uploaded_request.pk}, document "
    )
    assert "MasterKeyMissing, key " in line
    assert_no_values(line)


def test_a_record_for_an_unopened_passport_stays_not_ready(uploaded_request, settings):
    break_document(current(uploaded_request), "data key damaged", settings)
    customs_readiness.customs_refresh(upload_request=uploaded_request)
    assert CustomsRecord.objects.get(upload_request=uploaded_request).ready is False


# --- the safety net ----------------------------------------------------------------------------


def test_a_view_that_does_not_handle_it_still_answers_with_the_message(
    client, alice, customer, uploaded_request, monkeypatch
):
    """Whatever a future view forgets: the middleware names it, never a 500."""

    def sealed_elsewhere(**_kwargs: object) -> None:
        raise crypto.MasterKeyMissing("00112233aabbccdd")

    monkeypatch.setattr(document_selectors, "document_current", sealed_elsewhere)
    page = customer.get("/upload/status/")
    assert page.status_code == 503
    assert CUSTOMER in page.content.decode()
    login(client, alice)
    admin_page = client.get(f"{CHANGELIST}{uploaded_request.pk}/change/")
    assert admin_page.status_code == 503
    assert "sealed under key 00112233aabbccdd, which is not loaded" in admin_page.content.decode()
