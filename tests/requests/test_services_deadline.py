"""request_services.request_deadline_extend: the order's deadline moves later and the link follows."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from uploads.core.errors import ServiceError
from uploads.models import UploadRequest
from uploads.requests import services as request_services

Status = UploadRequest.Status


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_it_moves_the_deadline_and_keeps_the_link_working_until_then(upload_request, alice):
    new = timezone.localdate() + timedelta(days=90)
    request_services.request_deadline_extend(
        upload_request=upload_request, actor=alice, deadline=new
    )
    assert upload_request.order.deadline == new
    assert timezone.localtime(upload_request.expires_at).date() == new + timedelta(days=1)


def test_it_never_shortens_the_link(upload_request, alice):
    before = upload_request.expires_at
    request_services.request_deadline_extend(
        upload_request=upload_request, actor=alice, deadline=timezone.localdate()
    )
    assert upload_request.expires_at == before


def test_it_reopens_an_expired_link(upload_request, alice):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        status=Status.EXPIRED, expires_at=timezone.now() - timedelta(days=1)
    )
    request_services.request_deadline_extend(
        upload_request=upload_request,
        actor=alice,
        deadline=timezone.localdate() + timedelta(days=3),
    )
    assert upload_request.status == Status.WAITING
    assert upload_request.is_open_for_upload


def test_it_refuses_an_earlier_deadline(upload_request, alice):
    upload_request.order.deadline = timezone.localdate() + timedelta(days=10)
    upload_request.order.save()
    with pytest.raises(ServiceError, match="later than the current one"):
        request_services.request_deadline_extend(
            upload_request=upload_request,
            actor=alice,
            deadline=timezone.localdate() + timedelta(days=5),
        )


def test_it_refuses_a_past_deadline(upload_request, alice):
    with pytest.raises(ServiceError, match="in the past"):
        request_services.request_deadline_extend(
            upload_request=upload_request,
            actor=alice,
            deadline=timezone.localdate() - timedelta(days=1),
        )
