"""Bounced addresses are per shop (issue #20, 6): one shop marking an address stops only its own
e-mails and learns nothing about other shops; a superuser can stop an address for all shops."""

import smtplib

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from uploads.messaging.services import reminders, sending
from uploads.models import BouncedAddress, ContactLogEntry
from uploads.requests import services as request_services

SHARED = "same.customer@example.com"  # a customer who buys from both shops
CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")
BOUNCED_ADD = reverse("admin:uploads_bouncedaddress_add")
Outcome = ContactLogEntry.Outcome


def order(shop, number: str, email: str = SHARED):  # type: ignore[no-untyped-def]
    return request_services.order_create(
        shop_id=shop.pk, number=number, customer_name="Customer", email=email
    ).upload_request


def mark_from_the_list(client, user, upload_request) -> list[str]:  # type: ignore[no-untyped-def]
    response = login(client, user).post(
        CHANGELIST,
        {"action": "mark_bounced_selected", "_selected_action": [upload_request.pk]},
        follow=True,
    )
    return [str(message) for message in response.context["messages"]]


def test_it_stops_only_the_marking_shops_e_mails(client, alice, shop, other_shop):
    ours = order(shop, "A-1")
    mark_from_the_list(client, alice, ours)
    mail.outbox.clear()
    theirs = order(other_shop, "B-1")
    request_services.upload_link_send(upload_request=theirs)
    assert [message.to for message in mail.outbox] == [[SHARED]]
    assert ContactLogEntry.objects.filter(upload_request=theirs, outcome=Outcome.SENT).exists()
    remindable = reminders.remindable_requests(now=timezone.now())
    assert list(remindable) == [theirs]
    mail.outbox.clear()
    again = order(shop, "A-2")
    request_services.upload_link_send(upload_request=again)
    assert mail.outbox == []
    assert ContactLogEntry.objects.filter(upload_request=again, outcome=Outcome.BOUNCED).exists()


def test_it_tells_a_shop_nothing_about_another_shops_marks(client, alice, bob, shop, other_shop):
    mark_from_the_list(client, bob, order(other_shop, "B-1"))
    messages = mark_from_the_list(client, alice, order(shop, "A-1"))
    # Marked anew for shop A, as if shop B had never marked it.
    assert messages == ["1 address marked as bounced: no more reminders go to it."]
    assert BouncedAddress.objects.filter(email=SHARED).count() == 2


def test_it_lets_a_reminder_through_for_a_shop_that_did_not_mark(
    client, alice, bob, shop, other_shop
):
    theirs = order(other_shop, "B-1")
    mark_from_the_list(client, alice, order(shop, "A-1"))
    mail.outbox.clear()
    reminders.reminder_send_now(upload_request=theirs, actor=bob)
    assert len(mail.outbox) == 1


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise smtplib.SMTPRecipientsRefused({SHARED: (550, b"no such user")})


def test_it_keeps_a_servers_refusal_to_the_shop_whose_e_mail_bounced(settings, shop, other_shop):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    request_services.upload_link_send(upload_request=order(shop, "A-1"))
    [mark] = BouncedAddress.objects.all()
    assert (mark.email, mark.shop) == (SHARED, shop)
    assert sending.email_is_bounced(email=SHARED, shop_id=shop.pk)
    assert not sending.email_is_bounced(email=SHARED, shop_id=other_shop.pk)


def test_it_lets_a_superuser_stop_an_address_for_all_shops(client, db, shop, other_shop):
    superuser = User.objects.create_superuser("root", password="password")
    login(client, superuser).post(BOUNCED_ADD, {"email": "Dead@Example.com", "shop": ""})
    [mark] = BouncedAddress.objects.all()
    assert (mark.email, mark.shop) == ("dead@example.com", None)
    mail.outbox.clear()
    for each, number in ((shop, "A-1"), (other_shop, "B-1")):
        request_services.upload_link_send(
            upload_request=order(each, number, email="dead@example.com")
        )
    assert mail.outbox == []


@pytest.fixture
def bounce_keeper(alice):  # type: ignore[no-untyped-def]
    alice.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_bouncedaddress", "view_bouncedaddress", "delete_bouncedaddress"]
        )
    )
    return alice


def test_it_does_not_let_a_shop_stop_an_address_for_other_shops(client, bounce_keeper, shop):
    login(client, bounce_keeper).post(BOUNCED_ADD, {"email": "x@example.com", "shop": ""})
    assert not BouncedAddress.objects.exists()
    login(client, bounce_keeper).post(BOUNCED_ADD, {"email": "x@example.com", "shop": shop.pk})
    assert BouncedAddress.objects.get().shop == shop


def test_it_shows_a_shops_staff_only_their_shops_marks(client, bounce_keeper, shop, other_shop):
    sending.email_mark_bounced(email="ours@example.com", shop_id=shop.pk)
    sending.email_mark_bounced(email="theirs@example.com", shop_id=other_shop.pk)
    sending.email_mark_bounced(email="everyone@example.com", shop_id=None)
    page = login(client, bounce_keeper).get(reverse("admin:uploads_bouncedaddress_changelist"))
    html = page.content.decode()
    assert "ours@example.com" in html
    assert "theirs@example.com" not in html
    assert "everyone@example.com" not in html
