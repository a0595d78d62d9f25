"""The customer's link is a right of its own (issue #20, 3): seeing, copying or having it e-mailed
needs "Can see and send the customer's upload link", and every read is audited with who read it.
The link opens the customer's pending photo and fields and can erase the order, so "view upload
request" alone must give no way to it."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.admin.test_upload_requests import CHANGELIST, act, change_url, message_texts
from tests.conftest import login
from uploads.models import ApiToken, AuditEvent, ContactLogEntry, UploadRequest
from uploads.requests import links

ORDER_ADD = reverse("admin:uploads_order_add")
TOKEN_ADD = reverse("admin:uploads_apitoken_add")


def link_reads(**filters: object) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_LINK, **filters))


@pytest.fixture
def viewer(charlie):  # type: ignore[no-untyped-def]
    """Staff of the shop who may view (and change) requests and orders, and nothing of passports
    or links: the user of the review's finding."""
    return charlie


def test_it_shows_no_link_to_staff_without_the_right(client, viewer, uploaded_request):
    token = links.upload_link_current(upload_request=uploaded_request).token
    response = login(client, viewer).get(change_url(uploaded_request))
    assert response.status_code == 200
    page = response.content.decode()
    assert token not in page
    assert "Customer's link" not in page
    assert link_reads() == []


def test_it_offers_no_action_that_e_mails_the_link_without_the_right(
    client, viewer, upload_request
):
    page = login(client, viewer).get(CHANGELIST).content.decode()
    assert 'value="send_link_selected"' not in page
    assert 'value="send_reminder_now"' not in page
    for action in ("send_link_selected", "send_reminder_now"):
        # Posting the action anyway: Django refuses an action the user may not run.
        act(client, action, upload_request)
    assert not ContactLogEntry.objects.filter(actor=viewer).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LINK_SENT).exists()


def test_it_does_not_show_a_new_orders_link_without_the_right(client, viewer, shop):
    login(client, viewer)
    response = client.post(
        ORDER_ADD,
        {"shop": shop.pk, "number": "N-1", "customer_name": "Ivan", "phone": "+7900"},
        follow=True,
    )
    assert response.status_code == 200
    upload_request = UploadRequest.objects.get(order__number="N-1")
    token = links.upload_link_current(upload_request=upload_request).token
    assert not any(token in text for text in message_texts(response))
    assert token not in response.content.decode()


def test_it_shows_the_link_to_staff_with_the_right_and_audits_the_read(
    client, alice, uploaded_request
):
    link = links.upload_link_current(upload_request=uploaded_request)
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert link.url in page
    [event] = link_reads()
    assert (event.actor, event.upload_request, event.via) == (alice, uploaded_request, "")
    assert event.ip_address == "127.0.0.1"


def test_it_audits_the_link_of_a_new_order_shown_to_staff_with_the_right(client, alice, shop):
    login(client, alice).post(
        ORDER_ADD, {"shop": shop.pk, "number": "N-2", "customer_name": "Ivan", "phone": "+7900"}
    )
    [event] = link_reads()
    assert (event.actor, event.upload_request.order.number) == (alice, "N-2")


def test_it_audits_an_e_mailed_link_with_who_sent_it(client, alice, upload_request):
    mail.outbox.clear()
    act(login(client, alice), "send_link_selected", upload_request)
    assert len(mail.outbox) == 1
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.LINK_SENT)
    assert (event.actor, event.upload_request) == (alice, upload_request)


def test_it_lets_only_staff_with_the_right_give_a_token_the_links_scope(
    client, viewer, alice, shop
):
    token_rights = Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"])
    for user in (viewer, alice):
        user.user_permissions.add(*token_rights)
    form = {"shop": shop.pk, "name": "ERP", "reads_links": "on"}
    login(client, viewer).post(TOKEN_ADD, {**form, "name": "without"})
    login(Client(), alice)
    login(client, alice).post(TOKEN_ADD, {**form, "name": "with"})
    assert dict(ApiToken.objects.values_list("name", "reads_links")) == {
        "without": False,
        "with": True,
    }


def test_it_does_not_let_staff_without_the_right_redirect_the_link_by_e_mail(
    client, viewer, upload_request
):
    order = upload_request.order
    url = reverse("admin:uploads_order_change", args=[order.pk])
    login(client, viewer).post(
        url,
        {
            "customer_name": order.customer_name,
            "email": "viewer@example.com",
            "phone": "",
            "language": "ru",
            "deadline": "",
        },
    )
    order.refresh_from_db()
    assert order.email == "anna@example.com"
