import re
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from tests.conftest import login
from tests.customs.test_readiness import upload as upload_with_customs_check
from uploads.messaging.services import sending
from uploads.models import BouncedAddress, ContactLogEntry
from uploads.requests import links
from uploads.requests import services as request_services

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome
CHANGELIST = "/admin/uploads/uploadrequest/"


def action(client, name, *requests):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [each.pk for each in requests]},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_sends_a_reminder_now_to_the_selected_customers(client, alice, upload_request):
    response = action(login(client, alice), "send_reminder_now", upload_request)
    assert messages_of(response) == ["1 reminder sent."]
    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    link = links.upload_link_current(upload_request=upload_request)
    assert link.url in message.body
    entry = ContactLogEntry.objects.get(kind=Kind.REMINDER)
    assert (entry.actor, entry.outcome, entry.step) == (alice, Outcome.SENT, "")
    upload_request.refresh_from_db()
    assert upload_request.reminder_count == 1


def test_it_refuses_a_reminder_for_an_uploaded_or_bouncing_customer(
    client, alice, uploaded_request, shop
):
    other = request_services.order_create(
        shop_id=shop.pk, number="B-2", customer_name="Bo", email="bo@example.com"
    ).upload_request
    sending.email_mark_bounced(email="BO@example.com", shop_id=shop.pk)
    mail.outbox.clear()
    response = action(login(client, alice), "send_reminder_now", uploaded_request, other)
    assert sorted(messages_of(response)) == [
        "A-100: Only a customer who still has to upload can be reminded.",
        "B-2: The customer's email address bounces.",
    ]
    assert mail.outbox == []


def test_it_does_not_remind_another_shops_customers(client, bob, upload_request):
    action(login(client, bob), "send_reminder_now", upload_request)
    assert mail.outbox == []


def test_it_marks_addresses_bounced_from_the_list(client, alice, upload_request):
    response = action(login(client, alice), "mark_bounced_selected", upload_request)
    assert messages_of(response) == ["1 address marked as bounced: no more reminders go to it."]
    assert BouncedAddress.objects.get().email == "anna@example.com"


def test_it_shows_the_contact_log_on_the_request(client, charlie, upload_request):
    request_services.upload_link_send(upload_request=upload_request)
    page = login(client, charlie).get(f"{CHANGELIST}{upload_request.pk}/change/")
    html = page.content.decode()
    assert "Contact log" in html
    assert "Invitation" in html
    assert "Sent" in html


def test_it_records_a_manual_contact_with_a_note(client, alice, upload_request):
    alice.user_permissions.add(
        Permission.objects.get(codename="add_contactlogentry"),
        Permission.objects.get(codename="view_contactlogentry"),
    )
    client = login(client, alice)
    page = client.get(f"{CHANGELIST}{upload_request.pk}/change/").content.decode()
    [add_url] = re.findall(
        r'href="(/admin/uploads/contactlogentry/add/\?upload_request=\d+)"', page
    )
    assert client.get(add_url).status_code == 200
    response = client.post(
        "/admin/uploads/contactlogentry/add/",
        {
            "upload_request": upload_request.pk,
            "channel": "phone",
            "outcome": "reached",
            "note": "Promised to upload tonight.",
        },
    )
    assert response["Location"] == f"{CHANGELIST}{upload_request.pk}/change/"
    entry = ContactLogEntry.objects.get(kind=Kind.MANUAL)
    assert (entry.channel, entry.outcome, entry.note, entry.actor) == (
        "phone",
        "reached",
        "Promised to upload tonight.",
        alice,
    )


def test_it_offers_only_the_users_own_requests_for_a_manual_contact(
    client, bob, upload_request, other_shop
):
    bob.user_permissions.add(Permission.objects.get(codename="add_contactlogentry"))
    response = login(client, bob).post(
        "/admin/uploads/contactlogentry/add/",
        {"upload_request": upload_request.pk, "channel": "phone", "outcome": "reached"},
    )
    assert response.status_code == 200  # the form refuses the choice
    assert not ContactLogEntry.objects.filter(kind=Kind.MANUAL).exists()


def test_it_shows_the_shop_dashboard(client, alice, shop, passport_jpeg):
    late = request_services.order_create(
        shop_id=shop.pk,
        number="L-1",
        customer_name="Late Customer",
        deadline=timezone.localdate() - timedelta(days=2),
    ).upload_request
    request_services.order_create(
        shop_id=shop.pk,
        number="L-0",
        customer_name="Later Customer",
        deadline=timezone.localdate() - timedelta(days=5),
    )
    done = request_services.order_create(
        shop_id=shop.pk, number="U-1", customer_name="Done"
    ).upload_request
    upload_with_customs_check(done, passport_jpeg)  # uploaded, and complete for customs
    ContactLogEntry.objects.create(
        upload_request=late, channel="email", kind=Kind.REMINDER, outcome=Outcome.SENT
    )
    response = login(client, alice).get(f"/admin/uploads/shop/{shop.pk}/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("L-0") < html.index("L-1")  # the most overdue first
    assert f"/admin/uploads/uploadrequest/{late.pk}/change/" in html
    assert "<svg" in html and html.count('class="bar-uploads"') == 30
    assert "<script" not in html.split('id="content-main"')[1]
    assert 'style="' not in html.split('id="content-main"')[1]
    assert "uploads/dashboard.css" in html
    counts = dict(response.context["status_counts"][i][:2] for i in range(5))
    assert counts["Waiting for upload"] == 2 and counts["Uploaded"] == 1
    assert response.context["overdue_count"] == 2
    assert response.context["customs_ready_count"] == 1
    assert "?customs_ready=yes&amp;shop=" in html
    assert response.context["totals"] == (1, 1)


def test_it_hides_another_shops_dashboard(client, bob, shop, other_shop):
    client = login(client, bob)
    assert client.get(f"/admin/uploads/shop/{shop.pk}/dashboard/").status_code == 404
    assert client.get(f"/admin/uploads/shop/{other_shop.pk}/dashboard/").status_code == 200
    listing = client.get("/admin/uploads/shop/").content.decode()
    assert f"/admin/uploads/shop/{other_shop.pk}/dashboard/" in listing
    assert f"/admin/uploads/shop/{shop.pk}/dashboard/" not in listing


def test_it_shows_the_contact_log_on_the_order_too(client, alice, upload_request):
    request_services.upload_link_send(upload_request=upload_request)
    page = login(client, alice).get(f"/admin/uploads/order/{upload_request.order_id}/change/")
    html = page.content.decode()
    assert '<table class="contact-log">' in html
    assert "<td>Invitation</td><td>Email</td><td>Sent</td>" in html
    assert f"/admin/uploads/uploadrequest/{upload_request.pk}/change/" in html
