"""'Ready for customs' over a request's whole life, and the count the dashboard uses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import consent_document_id, submit_and_confirm
from uploads.customs import selectors as customs_selectors
from uploads.customs.services import decisions as customs_decisions
from uploads.customs.services import readiness as customs_readiness
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import CustomsRecord, CustomsSettings, UploadRequest
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention


def upload(upload_request: UploadRequest, jpeg: bytes, **changes: str) -> None:
    """The customer uploads, the MRZ is read, and the customer confirms (with changes)."""
    document = document_services.document_submit(
        upload_request=upload_request,
        data=jpeg,
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    fields = {**document_selectors.document_fields(document=document), **changes}
    customs_decisions.customs_document_confirm(
        document=document, fields=fields, situation="foreign"
    )
    upload_request.refresh_from_db()


def ready(upload_request: UploadRequest) -> bool:
    stored = customs_selectors.customs_is_ready(upload_request=upload_request)
    # The stored flag always agrees with a fresh computation.
    assert (
        stored
        == customs_readiness.customs_readiness(
            upload_request=upload_request,
            record=(CustomsRecord.objects.filter(upload_request=upload_request).first()),
        ).ready
    )
    return stored


def test_it_follows_the_whole_lifecycle(upload_request, passport_jpeg, alice, settings):
    assert not ready(upload_request)  # waiting

    upload(upload_request, passport_jpeg)
    assert upload_request.status == UploadRequest.Status.UPLOADED
    assert ready(upload_request)
    assert customs_selectors.customs_ready_count() == 1

    request_services.request_reject(upload_request=upload_request, actor=alice, reason="Blurred")
    assert not ready(upload_request)
    assert "status" in upload_request.customs.problems

    upload(upload_request, passport_jpeg)  # uploaded again
    assert ready(upload_request)

    request_services.request_accept(upload_request=upload_request, actor=alice)
    assert ready(upload_request)

    settings.PASSPORT_RETENTION_DAYS = 0
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        decided_at=timezone.now() - timedelta(days=1)
    )
    assert retention.retention_purge_due().requests >= 1
    assert not ready(upload_request)
    assert customs_selectors.customs_ready_count() == 0


def test_it_is_not_ready_with_a_required_field_missing(upload_request, passport_jpeg, shop):
    CustomsSettings.objects.create(shop=shop, require_issue_date=True)
    upload(upload_request, passport_jpeg)
    assert not ready(upload_request)
    assert upload_request.customs.problems == ["issue_date"]


def test_it_is_not_ready_until_the_seller_confirms_differing_names(
    upload_request, passport_jpeg, alice
):
    upload(upload_request, passport_jpeg, surname="ERIKSSON SMITH")
    record = upload_request.customs
    assert record.name_check == CustomsRecord.NameCheck.MISMATCH
    assert not ready(upload_request)
    customs_decisions.customs_names_confirm(upload_request=upload_request, actor=alice)
    assert ready(upload_request)


def test_it_stops_counting_a_document_the_day_after_it_expires(upload_request, passport_jpeg):
    upload(upload_request, passport_jpeg)
    record = upload_request.customs
    assert record.ready_until.isoformat() == "2034-04-15"
    # The flag is stored; the expiry is checked when counting, so no nightly job is needed.
    CustomsRecord.objects.filter(pk=record.pk).update(
        ready_until=timezone.localdate() - timedelta(days=1)
    )
    assert customs_selectors.customs_ready_count() == 0


def test_it_counts_per_queryset_for_the_dashboard(upload_request, passport_jpeg, other_shop):
    upload(upload_request, passport_jpeg)
    other = request_services.order_create(shop_id=other_shop.pk, number="B-1", customer_name="B")
    assert (
        customs_selectors.customs_ready_count(
            queryset=UploadRequest.objects.filter(order__shop=other_shop)
        )
        == 0
    )
    assert not customs_selectors.customs_is_ready(upload_request=other.upload_request)
    assert (
        customs_selectors.customs_ready_count(
            queryset=UploadRequest.objects.filter(order__shop=upload_request.order.shop)
        )
        == 1
    )


def test_it_treats_an_unread_name_as_needing_the_seller(upload_request, passport_jpeg):
    # The confirm of the shared fixture skips the customs step: the names were never compared.
    submit_and_confirm(upload_request, passport_jpeg)
    assert not ready(upload_request)
    assert "names" in upload_request.customs.problems


@pytest.mark.parametrize("required", [True, False])
def test_it_waits_for_the_second_document_when_the_shop_requires_it(
    upload_request, passport_jpeg, shop, required
):
    CustomsSettings.objects.create(shop=shop, require_second_document=required)
    upload(upload_request, passport_jpeg)
    assert ready(upload_request) is not required
    customs_decisions.supporting_document_submit(upload_request=upload_request, data=passport_jpeg)
    assert ready(upload_request)
