"""Retention per shop, erasure on request and on withdrawal of consent, destruction records."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from tests.conftest import consent_document_id, login, submit_and_confirm
from tests.typed import photo_policy_set, type_and_confirm
from uploads.core import storage
from uploads.core.errors import ServiceError
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import (
    AuditEvent,
    DestructionRecord,
    PassportDocument,
    PhotoPolicy,
    UploadRequest,
)
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention

Reason = DestructionRecord.Reason
Scope = DestructionRecord.Scope
PERSONAL = ("Anna", "Eriksson", "ERIKSSON", "L898902C3", "anna@example.com", "1974")


def _files() -> list[Path]:
    return [path for path in Path(storage.passport_storage().location).rglob("*") if path.is_file()]


def _purge() -> str:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def _age_decision(upload_request: UploadRequest, days: float) -> None:
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        decided_at=timezone.now() - timedelta(days=days)
    )


def _assert_no_personal_data(record: DestructionRecord) -> None:
    text = " ".join(
        str(getattr(record, field.attname)) for field in DestructionRecord._meta.concrete_fields
    )
    assert not any(value in text for value in PERSONAL), text


def _assert_erased(upload_request: UploadRequest) -> None:
    upload_request.refresh_from_db()
    order = upload_request.order
    assert (order.customer_name, order.email, order.phone) == ("", "", "")
    assert upload_request.erased_at is not None
    assert upload_request.rejection_reason == ""
    for document in upload_request.documents.all():
        assert (document.blob_name, bytes(document.wrapped_key), document.fields_sealed) == (
            "",
            b"",
            None,
        )
    assert _files() == []


# --- the image after acceptance ---------------------------------------------------------------


def test_it_deletes_the_image_after_the_image_period_and_keeps_the_fields(
    uploaded_request, alice, settings
):
    settings.PASSPORT_IMAGE_RETENTION_DAYS = 30
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    _age_decision(uploaded_request, 29)
    assert "0 image(s) deleted" in _purge()
    _age_decision(uploaded_request, 31)
    assert "1 image(s) deleted" in _purge()
    document = PassportDocument.objects.get(upload_request=uploaded_request)
    assert document.blob_name == ""
    assert _files() == []
    assert document_selectors.document_fields(document=document)["number"] == "L898902C3"
    record = DestructionRecord.objects.get()
    assert (record.scope, record.reason, record.upload_request_ref, record.document_refs) == (
        Scope.IMAGE,
        Reason.IMAGE_RETENTION,
        uploaded_request.pk,
        [document.pk],
    )
    _assert_no_personal_data(record)
    assert "0 image(s) deleted" in _purge()  # nothing twice


def test_it_follows_the_shops_own_image_period(uploaded_request, alice, shop):
    shop.image_retention_days = 3
    shop.save()
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    _age_decision(uploaded_request, 4)
    assert "1 image(s) deleted" in _purge()


def test_it_answers_404_for_a_deleted_image_in_admin(client, alice, uploaded_request, settings):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    _age_decision(uploaded_request, settings.PASSPORT_IMAGE_RETENTION_DAYS + 1)
    _purge()
    login(client, alice)
    url = reverse("admin:uploads_uploadrequest_image", args=[uploaded_request.pk])
    assert client.get(url).status_code == 404
    page = client.get(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
    assert "<td>L898902C3</td>" in page.content.decode()
    assert url not in page.content.decode()


# --- everything after the deadline ------------------------------------------------------------


def test_it_erases_everything_the_shops_period_after_the_deadline(uploaded_request, shop):
    shop.retention_days = 10
    shop.save()
    long_ago = timezone.now() - timedelta(days=30)
    UploadRequest.objects.filter(pk=uploaded_request.pk).update(
        created_at=long_ago, uploaded_at=long_ago
    )
    order = uploaded_request.order
    order.deadline = timezone.localdate() - timedelta(days=9)
    order.save()
    assert "0 order(s) erased" in _purge()
    order.deadline = timezone.localdate() - timedelta(days=12)
    order.save()
    assert "1 order(s) erased" in _purge()
    _assert_erased(uploaded_request)
    record = DestructionRecord.objects.get(scope=Scope.REQUEST)
    assert record.reason == Reason.RETENTION
    _assert_no_personal_data(record)


def test_it_counts_from_a_late_acceptance_rather_than_an_old_deadline(
    uploaded_request, alice, shop
):
    shop.retention_days = 10
    shop.save()
    order = uploaded_request.order
    order.deadline = timezone.localdate() - timedelta(days=40)
    order.save()
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    _age_decision(uploaded_request, 5)
    assert "0 order(s) erased" in _purge()
    _age_decision(uploaded_request, 11)
    assert "1 order(s) erased" in _purge()


def test_it_erases_a_request_never_answered_after_the_period(upload_request, settings):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        created_at=timezone.now() - timedelta(days=settings.PASSPORT_RETENTION_DAYS + 1),
        expires_at=timezone.now() - timedelta(days=10),
    )
    assert "1 order(s) erased" in _purge()
    _assert_erased(upload_request)


def test_it_kills_the_link_of_an_erased_request(client, link):
    retention.request_erase(upload_request=link.upload_request, reason=Reason.RETENTION)
    assert client.get(f"/u/{link.token}/").status_code == 404
    with pytest.raises(ServiceError):
        request_services.upload_link_issue(upload_request=link.upload_request)


# --- erasure from admin -----------------------------------------------------------------------


def erase_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_erase", args=[upload_request.pk])


def _may_purge(user: User) -> User:
    user.groups.first().permissions.add(Permission.objects.get(codename="purge_passport"))
    return User.objects.get(pk=user.pk)


def test_it_refuses_erasure_without_the_right(client, alice, uploaded_request):
    login(client, alice)
    page = client.get(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
    assert 'id="erase-form"' not in page.content.decode()
    assert client.post(erase_url(uploaded_request), {"confirm": "yes"}).status_code == 403
    assert not DestructionRecord.objects.exists()


def test_it_erases_on_the_customers_request_from_admin(client, alice, uploaded_request):
    login(client, _may_purge(alice))
    page = client.get(reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk]))
    assert 'id="erase-form"' in page.content.decode()
    assert client.post(erase_url(uploaded_request)).status_code == 302  # unconfirmed
    assert not DestructionRecord.objects.exists()
    response = client.post(erase_url(uploaded_request), {"confirm": "yes"}, REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 302
    _assert_erased(uploaded_request)
    record = DestructionRecord.objects.get()
    assert (record.reason, record.scope, record.actor) == (
        Reason.CUSTOMER_REQUEST,
        Scope.REQUEST,
        alice,
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.ERASE)
    assert (event.actor, event.ip_address) == (alice, "192.0.2.9")


def test_it_refuses_erasure_by_another_shops_staff(client, bob, uploaded_request):
    login(client, _may_purge(bob))
    assert client.post(erase_url(uploaded_request), {"confirm": "yes"}).status_code == 404
    assert not DestructionRecord.objects.exists()


def test_it_shows_destruction_records_to_superusers_only(client, alice, uploaded_request):
    retention.request_erase(upload_request=uploaded_request, reason=Reason.RETENTION)
    changelist = reverse("admin:uploads_destructionrecord_changelist")
    assert login(client, alice).get(changelist).status_code == 403
    root = User.objects.create_superuser("root", "root@example.com", "password")
    response = login(client, root).get(changelist)
    assert response.context["cl"].result_count == 1
    record = DestructionRecord.objects.get()
    delete = reverse("admin:uploads_destructionrecord_delete", args=[record.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DestructionRecord.objects.count() == 1


# --- withdrawal of consent by the customer ----------------------------------------------------


def test_it_offers_withdrawal_on_the_customers_pages(customer):
    page = customer.get("/upload/").content.decode()
    assert reverse("uploads:withdraw") in page


def test_it_erases_everything_when_the_customer_withdraws(customer, uploaded_request):
    assert customer.get(reverse("uploads:withdraw")).status_code == 200
    assert DestructionRecord.objects.count() == 0
    response = customer.post(reverse("uploads:withdraw"))
    assert response.status_code == 200
    assert "Ваши данные удалены" in response.content.decode()  # the order's language
    _assert_erased(uploaded_request)
    record = DestructionRecord.objects.get()
    assert (record.reason, record.actor) == (Reason.CONSENT_WITHDRAWN, None)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_WITHDRAWN).count() == 1
    assert customer.get("/upload/").status_code == 404


def test_it_records_that_a_withdrawal_came_through_the_customers_link(customer, uploaded_request):
    customer.post(reverse("uploads:withdraw"))
    events = AuditEvent.objects.filter(upload_request=uploaded_request).exclude(
        action__in=[AuditEvent.Action.STATUS_CHANGE]
    )
    withdrawal = events.get(action=AuditEvent.Action.CONSENT_WITHDRAWN)
    assert (withdrawal.actor, withdrawal.via) == (None, AuditEvent.Via.LINK)
    with translation.override("en"):
        assert withdrawal.get_via_display() == "the customer's link"
    # The status change it caused says so too.
    status = AuditEvent.objects.filter(
        upload_request=uploaded_request, detail__contains="consent_withdrawn"
    ).exclude(action=AuditEvent.Action.CONSENT_WITHDRAWN)
    assert [event.via for event in status] == [AuditEvent.Via.LINK]


def test_it_tells_the_customer_the_shops_retention_period(customer, shop):
    shop.retention_days = 45
    shop.save()
    assert "45" in customer.get("/upload/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- replaced uploads -------------------------------------------------------------------------


def test_it_records_the_destruction_of_a_replaced_passport(uploaded_request, passport_jpeg):
    first = document_selectors.document_current(upload_request=uploaded_request)
    submit_and_confirm(uploaded_request, passport_jpeg)
    record = DestructionRecord.objects.get()
    assert (record.reason, record.scope, record.document_refs) == (
        Reason.REPLACED,
        Scope.DOCUMENT,
        [first.pk],
    )
    assert len(_files()) == 1


def test_it_records_an_unconfirmed_upload_replaced_by_another(upload_request, passport_jpeg):
    def submit() -> PassportDocument:
        return document_services.document_submit(
            upload_request=upload_request,
            data=passport_jpeg,
            consent_document_id=consent_document_id(upload_request, "ru"),
        )

    first = submit()
    submit()
    assert DestructionRecord.objects.get().document_refs == [first.pk]
    assert len(_files()) == 1


@pytest.mark.parametrize(
    ("policy", "photo_named"),
    [
        (PhotoPolicy.REQUIRED, True),
        (PhotoPolicy.OPTIONAL, True),
        (PhotoPolicy.NOT_COLLECTED, False),
    ],
)
def test_the_withdrawal_page_names_a_photo_only_where_the_shop_takes_one(
    customer, shop, policy, photo_named
):
    photo_policy_set(shop, policy)
    _assert_withdrawal_names_photo(customer, shop, photo_named)


def _assert_withdrawal_names_photo(customer, shop, photo_named: bool) -> None:  # type: ignore[no-untyped-def]
    page = customer.get(reverse("uploads:withdraw")).content.decode()
    with translation.override("ru"):  # the order's language
        photo = gettext(
            "If you withdraw your consent, the photo and details of your passport and your name "
            "and contacts for this order are deleted at once, and %(shop)s can no longer use "
            "them. Customs may then not release the parcel."
        )
        details = gettext(
            "If you withdraw your consent, the details of your passport and your name and "
            "contacts for this order are deleted at once, and %(shop)s can no longer use them. "
            "Customs may then not release the parcel."
        )
    expected, other = (photo, details) if photo_named else (details, photo)
    assert escape(expected % {"shop": shop.name}) in page
    assert escape(other % {"shop": shop.name}) not in page


def test_the_withdrawal_page_of_a_typed_passport_promises_no_photo(customer, shop, upload_request):
    # The shop takes photos if the customer sends one; this customer typed the details instead.
    type_and_confirm(upload_request)
    _assert_withdrawal_names_photo(customer, shop, photo_named=False)


def test_the_withdrawal_page_names_the_photo_the_customer_sent(customer, shop, uploaded_request):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    _assert_withdrawal_names_photo(customer, shop, photo_named=True)
