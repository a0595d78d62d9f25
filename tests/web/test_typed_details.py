"""The passport's details typed without a photo, by the shop's photo policy: "required" (no
typing; a typed post is refused), "optional" (the photo buttons and "type the details instead"),
"not collected" (no file input; a posted file is refused). The same review form and checks."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from tests.conftest import consent_shown_to
from tests.typed import TYPED_FIELDS, photo_policy_set
from uploads.core import crypto, storage
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import (
    AuditEvent,
    CustomsRecord,
    PassportDocument,
    PhotoPolicy,
    UploadRequest,
    WebhookDelivery,
    WebhookEndpoint,
)
from uploads.webhooks.services import outbox as webhook_outbox


def _ru(text: str) -> str:
    with translation.override("ru"):
        return escape(gettext(text))


def _stored_files() -> list[Path]:
    return [path for path in Path(storage.passport_storage().location).rglob("*") if path.is_file()]


def _start_form(
    client: Client, *, consent: bool = True, typed: bool = True, **extra: object
) -> dict:
    form: dict[str, object] = {"consent_document_id": consent_shown_to(client)}
    if consent:
        form["consent"] = "on"
    if typed:
        form["typed"] = "1"
    form.update(extra)
    return form


def _confirm(client: Client, document: PassportDocument, fields: dict[str, str], **extra: str):
    return client.post(
        "/upload/review/",
        {**fields, "situation": "foreign", "document_id": str(document.pk), **extra},
    )


TYPE_INSTEAD = "Type the details instead"


def test_a_shop_that_requires_a_photo_offers_no_typing(customer):
    page = customer.get("/upload/").content.decode()
    assert 'type="file"' in page
    assert 'name="typed"' not in page
    assert _ru(TYPE_INSTEAD) not in page


def test_a_typed_post_is_refused_where_a_photo_is_required(customer, upload_request):
    # Not just hidden in the page: the server refuses it, and nothing is stored.
    response = customer.post("/upload/", _start_form(customer))
    assert response.status_code == 400
    assert _ru(str(document_services.PHOTO_REQUIRED_MESSAGE)) in response.content.decode()
    assert not PassportDocument.objects.exists()
    assert customer.get("/upload/review/").status_code == 302


def test_optional_offers_typing_beside_the_photo_buttons(customer, shop):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    page = customer.get("/upload/").content.decode()
    assert 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page
    assert _ru(TYPE_INSTEAD) in page
    # The typing button sends no file even when one was chosen.
    assert 'name="typed" value="1"' in page
    assert 'formenctype="application/x-www-form-urlencoded"' in page


def test_optional_typing_stores_no_file_and_ends_ready_for_customs(customer, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    WebhookEndpoint.objects.create(
        shop=shop, url="https://hooks.example.com/portal", secret=webhook_outbox.new_secret()
    )
    response = customer.post("/upload/", _start_form(customer))
    assert response.status_code == 302
    assert response["Location"] == "/upload/review/"
    document = document_selectors.document_pending(upload_request=upload_request)
    assert document.source == PassportDocument.Source.TYPED
    assert document.blob_name == ""
    assert document.mrz_status == PassportDocument.MrzStatus.NO_PHOTO
    assert document.consent.language == "ru"
    assert _stored_files() == []

    # The same review step, without a photo: which document first, then the same form.
    page = customer.get("/upload/review/").content.decode()
    assert _ru("Type your passport details") in page
    assert _ru("Which document do you have?") in page
    assert "/upload/review/image/" not in page
    assert _ru("Send a photo instead") in page
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert 'name="surname"' in page and 'value="ERIKSSON"' not in page
    assert "<img" not in page.split("<main", 1)[-1].split('class="card situation"')[0]

    response = _confirm(customer, document, TYPED_FIELDS)
    assert response.status_code == 302
    assert response["Location"] == "/upload/done/"
    done = customer.get("/upload/done/").content.decode()
    assert _ru("Change the details") in done and _ru("Replace the photo") not in done
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.UPLOADED
    document.refresh_from_db()
    assert document.confirmed_at is not None
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.name_check == CustomsRecord.NameCheck.TYPED
    assert record.ready, record.problems
    assert _stored_files() == []
    # Through events, as a photo's confirmation: the audit says the customer typed it, the
    # webhook goes out.
    assert AuditEvent.objects.filter(
        upload_request=upload_request,
        action=AuditEvent.Action.STATUS_CHANGE,
        detail__endswith="(customer typed)",
    ).exists()
    assert WebhookDelivery.objects.filter(upload_request=upload_request).count() == 1


def test_typed_details_pass_the_same_checks(customer, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    customer.post("/upload/", _start_form(customer))
    document = document_selectors.document_pending(upload_request=upload_request)
    wrong = {**TYPED_FIELDS, "surname": "", "expiry_date": "2020-01-01"}
    response = _confirm(customer, document, wrong)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page or "errorlist" in page
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING
    document.refresh_from_db()
    assert document.confirmed_at is None


def test_typing_needs_the_consent_too(customer, shop):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    response = customer.post("/upload/", _start_form(customer, consent=False))
    assert response.status_code == 400
    assert not PassportDocument.objects.exists()


def test_a_file_sent_with_the_typing_button_is_not_stored(customer, shop, passport_jpeg):
    # A browser without JavaScript that still sent the chosen photo: the customer chose typing.
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    response = customer.post(
        "/upload/", _start_form(customer, file=SimpleUploadedFile("p.jpg", passport_jpeg))
    )
    assert response.status_code == 302
    assert PassportDocument.objects.get().source == PassportDocument.Source.TYPED
    assert _stored_files() == []


def test_typing_replaces_a_photo_not_yet_confirmed(customer, shop, upload_request, passport_jpeg):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    customer.post(
        "/upload/",
        _start_form(customer, typed=False, file=SimpleUploadedFile("p.jpg", passport_jpeg)),
    )
    assert len(_stored_files()) == 1
    customer.post("/upload/", _start_form(customer))
    [document] = PassportDocument.objects.all()
    assert document.source == PassportDocument.Source.TYPED
    assert _stored_files() == []
    # And the start page offers to go on typing, not "the photo you uploaded".
    page = customer.get("/upload/").content.decode()
    assert _ru("Continue typing your passport details") in page


def test_not_collected_shows_only_the_typed_way(customer, shop):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    page = customer.get("/upload/").content.decode()
    assert 'type="file"' not in page
    assert "multipart/form-data" not in page
    assert _ru("Continue to type the details") in page
    assert _ru("Tips for a good photo") not in page
    assert "Alice&#x27;s Goods" in page or "Alice's Goods" in page


def test_not_collected_refuses_a_posted_file(customer, shop, passport_jpeg):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    for typed in (False, True):
        response = customer.post(
            "/upload/",
            _start_form(customer, typed=typed, file=SimpleUploadedFile("p.jpg", passport_jpeg)),
        )
        assert response.status_code == 400
        assert _ru(str(document_services.PHOTO_NOT_COLLECTED_MESSAGE)) in response.content.decode()
    assert not PassportDocument.objects.exists()
    assert _stored_files() == []


def test_not_collected_types_and_confirms(customer, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    # The page's one button; a post without it is typing too (there is nothing else to do).
    response = customer.post("/upload/", _start_form(customer, typed=False))
    assert response.status_code == 302
    document = document_selectors.document_pending(upload_request=upload_request)
    assert document.source == PassportDocument.Source.TYPED
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert _ru("Send a photo instead") not in page
    assert _confirm(customer, document, TYPED_FIELDS).status_code == 302
    assert CustomsRecord.objects.get(upload_request=upload_request).ready


def test_the_typed_document_has_no_preview(customer, shop, upload_request):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    customer.post("/upload/", _start_form(customer))
    document = document_selectors.document_pending(upload_request=upload_request)
    assert customer.get(f"/upload/review/image/{document.pk}/").status_code == 404


def test_confirming_is_refused_once_the_shop_requires_a_photo(customer, shop, upload_request):
    customs_settings = photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    customer.post("/upload/", _start_form(customer))
    document = document_selectors.document_pending(upload_request=upload_request)
    customs_settings.photo_policy = PhotoPolicy.REQUIRED
    customs_settings.save()
    response = _confirm(customer, document, TYPED_FIELDS)
    assert response.status_code == 400
    assert _ru(str(document_services.PHOTO_REQUIRED_MESSAGE)) in response.content.decode()
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING


@pytest.mark.parametrize("policy", [PhotoPolicy.OPTIONAL, PhotoPolicy.NOT_COLLECTED])
def test_the_typed_pages_speak_every_language(customer, shop, policy, settings):
    photo_policy_set(shop, policy)
    customer.post("/upload/", _start_form(customer))
    for code, _name in settings.LANGUAGES:
        customer.cookies[settings.LANGUAGE_COOKIE_NAME] = code
        assert customer.get("/upload/").status_code == 200
        assert customer.get("/upload/review/?situation=foreign").status_code == 200


def test_typed_details_that_no_longer_open_are_asked_for_as_details(
    customer, shop, upload_request, monkeypatch
):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    customer.post("/upload/", _start_form(customer))
    document = document_selectors.document_pending(upload_request=upload_request)

    def broken(found):  # type: ignore[no-untyped-def]
        return crypto.DecryptionError("damaged") if found.pk == document.pk else None

    monkeypatch.setattr(document_selectors, "document_open_error", broken)
    page = customer.get("/upload/review/").content.decode()
    assert _ru("We can no longer open the passport details you typed. Please type them again.") in (
        page
    )
    assert _ru("We can no longer open the photo you sent. Please upload it again.") not in page
    assert _ru("Type your passport details") in page
    assert _ru("Upload again") not in page
