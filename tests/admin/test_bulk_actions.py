"""Bulk actions on selected upload requests: extend the deadline (new), and the reject form and
accept in the seller's language (the rest of accept/reject/export is in
tests/admin/test_upload_requests.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.admin.test_upload_requests import act, make_request, message_texts
from tests.conftest import login
from uploads.models import AuditEvent, UploadRequest
from uploads.requests import services as request_services

CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")
Status = UploadRequest.Status


def today():  # type: ignore[no-untyped-def]
    return timezone.localdate()


def test_it_offers_the_extend_action(client, alice, upload_request):
    response = login(client, alice).get(CHANGELIST)
    assert "extend_deadline_selected" in response.content.decode()


def test_it_asks_for_the_new_deadline_first(client, alice, upload_request):
    response = act(login(client, alice), "extend_deadline_selected", upload_request)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A-100" in page
    assert 'name="new_deadline"' in page and 'name="extra_days"' in page
    upload_request.refresh_from_db()
    assert upload_request.order.deadline is None


def test_it_asks_in_the_sellers_language(client, alice, upload_request):
    client = login(client, alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = act(client, "extend_deadline_selected", upload_request)
    assert "延长" in response.content.decode()
    response = act(client, "reject_selected", upload_request)
    assert "原因" in response.content.decode()


def test_it_sets_a_new_date_on_each_selected(client, alice, shop):
    first = make_request(shop, "X-1", deadline=today() + timedelta(days=2))
    second = make_request(shop, "X-2")
    new = today() + timedelta(days=40)
    response = act(
        login(client, alice),
        "extend_deadline_selected",
        first,
        second,
        apply="1",
        new_deadline=new.isoformat(),
    )
    assert response.status_code == 302
    for upload_request in (first, second):
        upload_request.refresh_from_db()
        assert upload_request.order.deadline == new
        assert upload_request.expires_at.date() >= new
    assert "2 deadlines extended." in message_texts(response)


def test_it_adds_days_to_each_current_deadline(client, alice, shop):
    dated = make_request(shop, "X-1", deadline=today() + timedelta(days=5))
    undated = make_request(shop, "X-2")
    act(login(client, alice), "extend_deadline_selected", dated, undated, apply="1", extra_days="7")
    dated.refresh_from_db()
    undated.refresh_from_db()
    assert dated.order.deadline == today() + timedelta(days=12)
    assert undated.order.deadline == today() + timedelta(days=7)


def test_it_keeps_asking_without_a_date_or_days(client, alice, upload_request):
    response = act(login(client, alice), "extend_deadline_selected", upload_request, apply="1")
    assert response.status_code == 200
    assert "Give either a new date or a number of days." in response.content.decode()


def test_it_refuses_a_date_in_the_past(client, alice, upload_request):
    past = today() - timedelta(days=1)
    response = act(
        login(client, alice),
        "extend_deadline_selected",
        upload_request,
        apply="1",
        new_deadline=past.isoformat(),
    )
    assert "in the past" in response.content.decode()
    upload_request.refresh_from_db()
    assert upload_request.order.deadline is None


def test_it_skips_an_accepted_request_and_says_why(client, alice, uploaded_request):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    response = act(
        login(client, alice),
        "extend_deadline_selected",
        uploaded_request,
        apply="1",
        extra_days="3",
    )
    assert "A-100: The passport is already accepted." in message_texts(response)


def test_it_does_not_extend_another_shops_requests(client, bob, upload_request):
    act(login(client, bob), "extend_deadline_selected", upload_request, apply="1", extra_days="3")
    upload_request.refresh_from_db()
    assert upload_request.order.deadline is None


def test_it_audits_bulk_accepting_each_request(client, alice, uploaded_request):
    act(login(client, alice), "accept_selected", uploaded_request)
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.ACCEPTED
    assert AuditEvent.objects.filter(
        actor=alice, action=AuditEvent.Action.ACCEPT, upload_request=uploaded_request
    ).exists()
