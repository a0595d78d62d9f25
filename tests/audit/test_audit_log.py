"""The audit log: who, what, when and from where; append-only; superusers read it in admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from uploads.models import AppendOnlyError, AuditEvent, UploadRequest
from uploads.requests import services as request_services

Action = AuditEvent.Action
CHANGELIST = reverse("admin:uploads_auditevent_changelist")


def image_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_image", args=[upload_request.pk])


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", "root@example.com", "password")


# --- what is recorded ---------------------------------------------------------------------------


def test_it_records_the_address_a_view_came_from(client, alice, uploaded_request):
    login(client, alice).get(image_url(uploaded_request), REMOTE_ADDR="192.0.2.44")
    event = AuditEvent.objects.get(action=Action.VIEW_IMAGE)
    assert (event.actor, event.ip_address) == (alice, "192.0.2.44")
    assert event.at > timezone.now() - timedelta(minutes=1)


def test_it_records_the_proxys_view_of_the_address_behind_a_proxy(
    client, alice, uploaded_request, settings
):
    settings.BEHIND_PROXY = True
    login(client, alice).get(
        image_url(uploaded_request), HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.8"
    )
    assert AuditEvent.objects.get(action=Action.VIEW_IMAGE).ip_address == "198.51.100.8"


def test_it_records_decisions_with_the_address(client, alice, uploaded_request):
    login(client, alice).post(
        reverse("admin:uploads_uploadrequest_accept", args=[uploaded_request.pk]),
        {"document": uploaded_request.current_document.pk},
        REMOTE_ADDR="192.0.2.45",
    )
    event = AuditEvent.objects.get(action=Action.ACCEPT)
    assert (event.actor, event.ip_address) == (alice, "192.0.2.45")


def test_it_audits_a_download_apart_from_a_view(client, alice, uploaded_request):
    response = login(client, alice).get(image_url(uploaded_request) + "?download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="passport-A-100.jpg"'
    assert response.content.startswith(b"\xff\xd8")
    assert AuditEvent.objects.filter(action=Action.DOWNLOAD, actor=alice).count() == 1
    assert not AuditEvent.objects.filter(action=Action.VIEW_IMAGE).exists()


def test_it_records_the_customers_upload_as_a_status_change(uploaded_request):
    event = AuditEvent.objects.get(action=Action.STATUS_CHANGE)
    assert event.actor is None
    assert event.detail == "waiting → uploaded (customer)"


def test_it_records_links_running_out(upload_request):
    UploadRequest.objects.filter(pk=upload_request.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    assert request_services.upload_requests_expire_due() == 1
    event = AuditEvent.objects.get(action=Action.STATUS_CHANGE)
    assert (event.upload_request, event.detail) == (upload_request, "waiting → expired")


def test_it_records_no_address_outside_a_request(uploaded_request, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    assert AuditEvent.objects.get(action=Action.ACCEPT).ip_address is None


# --- append-only ----------------------------------------------------------------------------------


def test_it_refuses_to_change_an_event(uploaded_request):
    event = AuditEvent.objects.get()
    event.detail = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="nothing happened")
    assert AuditEvent.objects.get().detail != "nothing happened"


def test_it_refuses_to_delete_an_event(uploaded_request):
    event = AuditEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_it_keeps_the_event_when_the_staff_user_is_deleted(client, alice, uploaded_request):
    login(client, alice).get(image_url(uploaded_request))
    alice.delete()
    event = AuditEvent.objects.get(action=Action.VIEW_IMAGE)
    assert event.actor is None


# --- the admin ------------------------------------------------------------------------------------


def test_it_shows_the_log_to_superusers_with_filters(client, root, alice, bob, uploaded_request):
    login(client, alice).get(image_url(uploaded_request))
    login(client, root)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    by_action = client.get(CHANGELIST, {"action__exact": Action.VIEW_IMAGE})
    assert [event.actor for event in by_action.context["cl"].result_list] == [alice]
    by_actor = client.get(CHANGELIST, {"actor__id__exact": alice.pk})
    assert by_actor.context["cl"].result_count == 1
    by_shop = client.get(CHANGELIST, {"shop": uploaded_request.order.shop_id})
    assert by_shop.context["cl"].result_count == 2


def test_it_hides_the_log_from_staff(client, alice, uploaded_request):
    login(client, alice).get(image_url(uploaded_request))
    assert client.get(CHANGELIST).status_code == 403
    event = AuditEvent.objects.get(action=Action.VIEW_IMAGE)
    assert client.get(reverse("admin:uploads_auditevent_change", args=[event.pk])).status_code in (
        302,
        403,
    )


def test_it_lets_no_one_add_change_or_delete_in_admin(client, root, uploaded_request):
    event = AuditEvent.objects.get()
    login(client, root)
    change = reverse("admin:uploads_auditevent_change", args=[event.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"detail": "edited"}).status_code == 403
    assert client.get(reverse("admin:uploads_auditevent_add")).status_code == 403
    delete = reverse("admin:uploads_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get().detail == event.detail


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_it_refuses_changes_typed_in_sql_on_postgresql(uploaded_request):
    event = AuditEvent.objects.get()
    for statement in (
        "UPDATE uploads_auditevent SET detail = 'nothing' WHERE id = %s",
        "DELETE FROM uploads_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get().detail == event.detail
