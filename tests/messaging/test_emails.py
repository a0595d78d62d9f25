from django.contrib.auth.models import User
from django.core import mail

from tests.conftest import login
from tests.typed import photo_policy_set
from uploads.messaging import emails
from uploads.models import ContactLogEntry, EmailTemplate, PhotoPolicy
from uploads.requests import services as request_services


def test_it_fills_only_known_placeholders():
    values = {"shop": "Alice's Goods", "link": "http://x/u/t/"}
    assert emails.fill_placeholders("{shop}: {link}", values) == "Alice's Goods: http://x/u/t/"
    assert (
        emails.fill_placeholders("{unknown} {shop.__class__} {", values)
        == "{unknown} {shop.__class__} {"
    )


def test_it_sends_what_staff_wrote_in_the_template(link):
    EmailTemplate.objects.filter(kind="invitation").update(
        subject_ru="Паспорт для {order_number}", body_ru="Здравствуйте, {customer_name}! {link}"
    )
    request_services.upload_link_send(upload_request=link.upload_request)
    message = mail.outbox[-1]
    assert message.subject == "Паспорт для A-100"
    assert message.body.startswith(f"Здравствуйте, Anna Eriksson! {link.url}\n")
    assert f'href="{link.url}"' in message.alternatives[0].content


def test_it_escapes_customer_data_in_the_html_email(shop):
    link = request_services.order_create(
        shop_id=shop.pk,
        number="X-1",
        customer_name="<script>alert(1)</script>",
        email="x@example.com",
        language="en",
    )
    request_services.upload_link_send(upload_request=link.upload_request)
    assert "<script>" not in mail.outbox[-1].alternatives[0].content


def test_it_logs_and_survives_a_mail_server_failure(link, settings, caplog):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    request_services.upload_link_send(upload_request=link.upload_request)
    [entry] = ContactLogEntry.objects.filter(outcome=ContactLogEntry.Outcome.FAILED)
    assert entry.error == "ConnectionRefusedError"
    assert "anna@example.com" not in caplog.text
    assert link.token not in caplog.text


def test_it_refuses_unknown_placeholders_in_the_admin(client, db):
    admin = User.objects.create_superuser("root", "root@example.com", "password")
    login(client, admin)
    template = EmailTemplate.objects.get(kind="reminder")
    form = {
        f"{field}_{code}": getattr(template, f"{field}_{code}") or ""
        for field in ("subject", "body")
        for code in ("ru", "en", "kk", "uz", "ky", "hy", "be", "zh_hans")
    }
    form["body_en"] = "Hello {customer_name}, pay {amount}"
    response = client.post(
        f"/admin/uploads/emailtemplate/{template.pk}/change/", form, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "{amount}" in response.content.decode()
    template.refresh_from_db()
    assert "{amount}" not in template.body_en
    form["body_en"] = "Hello {customer_name}, here: {link}"
    response = client.post(f"/admin/uploads/emailtemplate/{template.pk}/change/", form)
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body_en == "Hello {customer_name}, here: {link}"


def _invitation(shop):  # type: ignore[no-untyped-def]
    link = request_services.order_create(
        shop_id=shop.pk, number="N-1", customer_name="N", email="n@example.com", language="en"
    )
    request_services.upload_link_send(upload_request=link.upload_request)
    message = mail.outbox[-1]
    return message.body, message.alternatives[0].content


def test_a_shop_that_takes_no_photo_asks_for_the_typed_details(shop):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    text, html = _invitation(shop)
    for part in (text, html):
        assert "Type the details from your passport." in part
        assert "Check them and confirm." in part
        assert "Take a photo" not in part
        assert "read from it" not in part
    assert ">Type your passport details</a>" in html
    assert "Upload the passport" not in html


def test_a_shop_that_takes_photos_still_asks_for_one(shop, other_shop):
    # Another shop taking no photo changes nothing here.
    photo_policy_set(other_shop, PhotoPolicy.NOT_COLLECTED)
    _invitation(other_shop)
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    text, html = _invitation(shop)
    for part in (text, html):
        assert "Take a photo of the passport page with your photo." in part
        assert "Type the details from your passport." not in part
    assert ">Upload the passport</a>" in html
