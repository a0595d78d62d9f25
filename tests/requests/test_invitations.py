from datetime import date

import pytest
from django.core import mail
from django.db import IntegrityError

from uploads.models import ContactLogEntry, Order
from uploads.requests import services as request_services

Kind = ContactLogEntry.Kind
Outcome = ContactLogEntry.Outcome


def create(shop, *, language="ru", email="olga@example.com", **kwargs):
    return request_services.order_create(
        shop_id=shop.pk,
        number="B-7",
        customer_name="Olga Petrova",
        email=email,
        language=language,
        deadline=date(2026, 12, 20),
        **kwargs,
    )


def test_it_invites_the_customer_in_the_orders_language_once_committed(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = create(shop)
        assert mail.outbox == []  # nothing leaves before the order exists for everyone
    [message] = mail.outbox
    assert message.to == ["olga@example.com"]
    assert "B-7" in message.subject
    assert link.url in message.body
    assert "Продавец: Alice's Goods" in message.body
    assert "Заказ: B-7" in message.body
    assert "20 декабря 2026" in message.body
    assert message.body.count("\n1. ") == message.body.count("\n3. ") == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="ru">' in html
    assert f'href="{link.url}"' in html
    assert 'name="viewport"' in html
    [entry] = ContactLogEntry.objects.filter(upload_request=link.upload_request)
    assert (entry.kind, entry.channel, entry.outcome, entry.attempts) == (
        Kind.INVITATION,
        "email",
        Outcome.SENT,
        1,
    )


def test_it_invites_in_english_and_kazakh(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(shop, language="en")
    assert "Seller: Alice's Goods" in mail.outbox[0].body
    assert "Open the link on your phone." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_services.order_create(
            shop_id=shop.pk,
            number="K-1",
            customer_name="Aigerim",
            email="a@example.com",
            language="kk",
        )
    assert '<html lang="kk">' in mail.outbox[0].alternatives[0][0]
    assert "Open the link on your phone." not in mail.outbox[0].body


def test_it_skips_the_invitation_when_asked_or_without_an_address(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create(shop, send_invitation=False)
        request_services.order_create(shop_id=shop.pk, number="N-1", customer_name="No Mail")
    assert mail.outbox == []
    assert not ContactLogEntry.objects.exists()


def test_it_sends_nothing_for_a_rolled_back_creation(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        create(shop)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(IntegrityError),
    ):
        create(shop)  # the same number in the same shop is refused and rolled back
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert ContactLogEntry.objects.count() == 1


def test_it_records_an_invitation_sent_again_from_admin(upload_request, alice):
    request_services.upload_link_send(upload_request=upload_request, actor=alice)
    [entry] = ContactLogEntry.objects.filter(actor=alice)
    assert (entry.kind, entry.outcome) == (Kind.INVITATION, Outcome.SENT)
    assert Order.objects.count() == 1


def test_it_escapes_customer_values_and_never_substitutes_inside_them(
    shop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        link = request_services.order_create(
            shop_id=shop.pk,
            number="<i>N-1</i>",
            customer_name="qqmarklinkqq <b>Eve</b> https://link.invalid/qqmarklinkqq/",
            email="eve@example.com",
            language="en",
        )
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    assert "&lt;i&gt;N-1&lt;/i&gt;" in html
    assert "qqmarklinkqq <b>Eve</b> https://link.invalid/qqmarklinkqq/" in message.body
    assert html.count(link.url) == 3  # the link in the text (href and words) and the button
