"""The seller's admin for upload requests: list, scoping, the detail page, decisions, actions."""

import csv
import io
import re
from datetime import timedelta
from email.message import Message
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login, submit_and_confirm
from uploads.admin.requests import ShopFilter
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, Order, Shop, UploadRequest
from uploads.requests import services as request_services

CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")
Status = UploadRequest.Status


def change_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk])


def image_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_image", args=[upload_request.pk])


def accept_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_accept", args=[upload_request.pk])


def reject_url(upload_request: UploadRequest) -> str:
    return reverse("admin:uploads_uploadrequest_reject", args=[upload_request.pk])


def seen(upload_request: UploadRequest, **data: str) -> dict[str, str]:
    """A decision's form data, with the passport the page showed (its hidden field)."""
    document = document_selectors.document_current(upload_request=upload_request)
    return {"document": str(document.pk) if document else "", **data}


def make_request(shop: Shop, number: str, **order_fields: object) -> UploadRequest:
    fields = {"customer_name": f"Customer {number}", "email": f"{number.lower()}@example.com"}
    fields.update(order_fields)
    return request_services.order_create(shop_id=shop.pk, number=number, **fields).upload_request


def listed(response) -> set[str]:  # type: ignore[no-untyped-def]
    """The order numbers on a changelist page."""
    assert response.status_code == 200
    return {upload_request.order.number for upload_request in response.context["cl"].result_list}


def message_texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def act(client: Client, action: str, *upload_requests: UploadRequest, **extra: str):  # type: ignore[no-untyped-def]
    data = {"action": action, "_selected_action": [str(r.pk) for r in upload_requests], **extra}
    return client.post(CHANGELIST, data)


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def audit_actions(user: User, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action))


# --- the list -------------------------------------------------------------------------------


def test_it_lists_the_order_number_and_customer(client, alice, upload_request):
    response = login(client, alice).get(CHANGELIST)
    assert listed(response) == {"A-100"}
    assert '<td class="field-customer">Anna Eriksson</td>' in response.content.decode()


def test_it_shows_the_status_as_a_badge(client, alice, uploaded_request):
    response = login(client, alice).get(CHANGELIST)
    assert re.search(r'<span class="status-badge"[^>]*>Uploaded</span>', response.content.decode())


def test_it_lists_the_reminder_count(client, alice, upload_request):
    UploadRequest.objects.filter(pk=upload_request.pk).update(reminder_count=7)
    response = login(client, alice).get(CHANGELIST)
    assert '<td class="field-reminder_count">7</td>' in response.content.decode()


def test_it_filters_by_status(client, alice, uploaded_request, shop):
    make_request(shop, "A-200")
    response = login(client, alice).get(CHANGELIST, {"status__exact": "uploaded"})
    assert listed(response) == {"A-100"}


def test_it_filters_by_shop(client, alice, upload_request, other_shop):
    other_shop.members.add(alice)
    make_request(other_shop, "B-1")
    response = login(client, alice).get(CHANGELIST, {"shop": str(other_shop.pk)})
    assert listed(response) == {"B-1"}


def test_it_finds_nothing_when_filtering_by_another_shop(client, bob, upload_request, shop):
    response = login(client, bob).get(CHANGELIST, {"shop": str(shop.pk)})
    assert listed(response) == set()


def test_it_offers_only_the_users_shops_in_the_shop_filter(client, alice, shop, other_shop):
    response = login(client, alice).get(CHANGELIST)
    [shop_filter] = [
        spec for spec in response.context["cl"].filter_specs if isinstance(spec, ShopFilter)
    ]
    assert shop_filter.lookup_choices == [(str(shop.pk), shop.name)]


def test_it_redirects_a_malformed_shop_filter_to_the_error_page(client, alice, upload_request):
    response = login(client, alice).get(CHANGELIST, {"shop": "abc"})
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


@pytest.mark.parametrize(
    ("status", "days", "overdue"),
    [
        (Status.WAITING, -1, True),
        (Status.REJECTED, -1, True),
        (Status.EXPIRED, -1, True),
        (Status.UPLOADED, -1, False),
        (Status.ACCEPTED, -1, False),
        (Status.WAITING, 0, False),
        (Status.WAITING, 1, False),
    ],
)
def test_it_filters_overdue_requests(client, alice, shop, status, days, overdue):
    upload_request = make_request(shop, "D-1", deadline=timezone.localdate() + timedelta(days=days))
    UploadRequest.objects.filter(pk=upload_request.pk).update(status=status)
    make_request(shop, "NO-DEADLINE")
    response = login(client, alice).get(CHANGELIST, {"overdue": "yes"})
    assert listed(response) == ({"D-1"} if overdue else set())


@pytest.mark.parametrize("query", ["A-100", "Eriksson", "anna@example.com", "+7 900 123"])
def test_it_searches_by_number_name_email_and_phone(client, alice, shop, query):
    make_request(
        shop,
        "A-100",
        customer_name="Anna Eriksson",
        email="anna@example.com",
        phone="+7 900 123 45 67",
    )
    make_request(
        shop, "Z-999", customer_name="Zed Other", email="zed@example.org", phone="+86 10 5555"
    )
    response = login(client, alice).get(CHANGELIST, {"q": query})
    assert listed(response) == {"A-100"}


# --- shops see only their own requests ------------------------------------------------------


def test_it_hides_another_shops_requests_from_the_list(client, bob, other_shop, upload_request):
    make_request(other_shop, "B-1")
    response = login(client, bob).get(CHANGELIST)
    assert listed(response) == {"B-1"}


def test_it_shows_every_shops_requests_to_a_superuser(client, upload_request, other_shop):
    make_request(other_shop, "B-1")
    superuser = User.objects.create_superuser("root", "root@example.com", "password")
    response = login(client, superuser).get(CHANGELIST)
    assert listed(response) == {"A-100", "B-1"}


def test_it_treats_another_shops_change_page_as_missing(client, bob, upload_request):
    # Django's admin answers a missing object with a redirect to the index and a warning; the
    # answer for another shop's request must be exactly that, so it confirms nothing.
    login(client, bob)
    response = client.get(change_url(upload_request))
    missing = client.get(
        reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk + 1000])
    )
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == missing["Location"] == reverse("admin:index")
    assert "doesn\N{RIGHT SINGLE QUOTATION MARK}t exist" in message_texts(response)[0]
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


@pytest.mark.parametrize("url", [image_url, accept_url, reject_url])
def test_it_answers_404_to_another_shops_staff(client, bob, uploaded_request, url):
    login(client, bob)
    response = client.post(url(uploaded_request), {"reason": "blurry"})
    assert response.status_code == 404
    assert client.get(url(uploaded_request)).status_code == 404
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


# --- the detail page ------------------------------------------------------------------------


def test_it_shows_the_passport_fields_to_a_permitted_user(client, alice, uploaded_request):
    content = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert "<td>ERIKSSON</td>" in content
    assert "<td>L898902C3</td>" in content


def test_it_shows_the_passport_image_to_a_permitted_user(client, alice, uploaded_request):
    content = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert f'<img src="{image_url(uploaded_request)}"' in content


def test_it_audits_viewing_the_fields(client, alice, uploaded_request):
    login(client, alice).get(change_url(uploaded_request))
    [event] = AuditEvent.objects.filter(actor__isnull=False).exclude(
        action=AuditEvent.Action.VIEW_LINK  # the page shows the link too (tests/admin/test_links.py)
    )
    assert (event.action, event.actor, event.upload_request) == (
        AuditEvent.Action.VIEW_FIELDS,
        alice,
        uploaded_request,
    )
    assert event.document == document_selectors.document_current(upload_request=uploaded_request)


def test_it_hides_the_passport_from_a_user_without_permission(client, charlie, uploaded_request):
    response = login(client, charlie).get(change_url(uploaded_request))
    content = response.content.decode()
    assert response.status_code == 200
    assert "ERIKSSON" not in content
    assert "L898902C3" not in content
    assert image_url(uploaded_request) not in content
    assert "You do not have permission to view passport images and data." in content


def test_it_does_not_audit_a_page_without_passport_data(client, charlie, uploaded_request):
    login(client, charlie).get(change_url(uploaded_request))
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_refuses_the_image_to_a_user_without_permission(client, charlie, uploaded_request):
    response = login(client, charlie).get(image_url(uploaded_request))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_shows_a_working_customer_link_on_the_change_page(client, alice, upload_request):
    content = login(client, alice).get(change_url(upload_request)).content.decode()
    [url] = re.findall(r'value="(http://testserver/u/[^"]+/)"', content)
    response = Client().get(url.removeprefix("http://testserver"))
    assert response.status_code == 302
    assert response["Location"] == "/upload/"


# --- the image ------------------------------------------------------------------------------


def test_it_streams_the_decrypted_image(client, alice, uploaded_request):
    response = login(client, alice).get(image_url(uploaded_request))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8\xff")


def test_it_forbids_caching_the_image(client, alice, uploaded_request):
    response = login(client, alice).get(image_url(uploaded_request))
    assert "no-store" in response["Cache-Control"]


def test_it_audits_viewing_the_image(client, alice, uploaded_request):
    login(client, alice).get(image_url(uploaded_request))
    [event] = AuditEvent.objects.filter(actor__isnull=False)
    assert (event.action, event.actor, event.upload_request) == (
        AuditEvent.Action.VIEW_IMAGE,
        alice,
        uploaded_request,
    )


def test_it_answers_404_for_the_image_before_an_upload(client, alice, upload_request):
    response = login(client, alice).get(image_url(upload_request))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def _content_disposition(header: str) -> Message:
    message = Message()
    message["Content-Disposition"] = header
    return message


@pytest.mark.parametrize(
    "number",
    [
        'x.html"; x="',  # a quote that would end the file name and start a parameter
        "A-1\r\nSet-Cookie: x=1",  # a line break in a header: a 500 before
        "Заказ-42",  # Cyrillic: the name was lost
    ],
)
def test_it_names_the_download_safely_whatever_the_order_number(
    client, alice, uploaded_request, number
):
    Order.objects.filter(pk=uploaded_request.order_id).update(number=number)

    response = login(client, alice).get(image_url(uploaded_request), {"download": "1"})

    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert header.isascii()
    parsed = _content_disposition(header)
    assert parsed.get_content_disposition() == "attachment"
    assert parsed.get_filename() == f"passport-{number}.jpg"
    # One parameter, the file name: nothing smuggled in after a quote.
    assert [name for name, _ in parsed.get_params(header="content-disposition")] == [
        "attachment",
        "filename",
    ]
    if not number.isascii() or "\n" in number:
        assert header.lower() == (
            "attachment; filename*=utf-8''" + quote(f"passport-{number}.jpg").lower()
        )
    assert len(audit_actions(alice, AuditEvent.Action.DOWNLOAD)) == 1
    assert response.content.startswith(b"\xff\xd8\xff")


def test_it_shows_the_image_inline_without_a_file_name(client, alice, uploaded_request):
    response = login(client, alice).get(image_url(uploaded_request))
    assert response["Content-Disposition"] == "inline"


# --- accept and reject on the detail page ----------------------------------------------------


def test_it_accepts_an_uploaded_passport(client, alice, uploaded_request):
    response = login(client, alice).post(accept_url(uploaded_request), seen(uploaded_request))
    assert response.status_code == 302
    assert response["Location"] == change_url(uploaded_request)
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.decided_by) == (Status.ACCEPTED, alice)
    assert uploaded_request.decided_at is not None


def test_it_audits_accepting(client, alice, uploaded_request):
    login(client, alice).post(accept_url(uploaded_request), seen(uploaded_request))
    assert len(audit_actions(alice, AuditEvent.Action.ACCEPT)) == 1


def test_it_refuses_to_accept_by_get(client, alice, uploaded_request):
    response = login(client, alice).get(accept_url(uploaded_request))
    assert response.status_code == 403
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_refuses_to_accept_a_request_still_waiting(client, alice, upload_request):
    response = login(client, alice).post(accept_url(upload_request), seen(upload_request))
    assert message_texts(response) == ["Only an uploaded passport can be accepted."]
    upload_request.refresh_from_db()
    assert (upload_request.status, upload_request.decided_by) == (Status.WAITING, None)
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_rejects_with_a_reason(client, alice, uploaded_request):
    response = login(client, alice).post(
        reject_url(uploaded_request),
        seen(uploaded_request, code="other", reason="The photo is blurry."),
    )
    assert response["Location"] == change_url(uploaded_request)
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.rejection_reason) == (
        Status.REJECTED,
        "The photo is blurry.",
    )
    assert uploaded_request.decided_by == alice


def test_it_audits_rejecting(client, alice, uploaded_request):
    login(client, alice).post(
        reject_url(uploaded_request),
        seen(uploaded_request, code="other", reason="The photo is blurry."),
    )
    [event] = audit_actions(alice, AuditEvent.Action.REJECT)
    # The reason is kept on the request, which erasure can reach; the log is append-only and
    # records the change of status only.
    assert event.detail == "uploaded → rejected"
    uploaded_request.refresh_from_db()
    assert uploaded_request.rejection_reason == "The photo is blurry."


def test_it_emails_the_customer_the_reason_in_the_orders_language(client, alice, uploaded_request):
    mail.outbox.clear()  # the shop's notification of the upload
    login(client, alice).post(
        reject_url(uploaded_request),
        seen(uploaded_request, code="other", reason="The photo is blurry."),
    )
    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    assert "The photo is blurry." in message.body
    assert "http://testserver/u/" in message.body
    # The admin speaks English here; the email still goes out in the order's language.
    html, _ = message.alternatives[0]
    assert '<html lang="ru">' in html


def test_it_emails_a_link_that_works_after_rejecting(client, alice, uploaded_request):
    mail.outbox.clear()
    login(client, alice).post(
        reject_url(uploaded_request),
        seen(uploaded_request, code="other", reason="The photo is blurry."),
    )
    [path] = re.findall(r"http://testserver(/u/\S+/)", mail.outbox[0].body)
    assert Client().get(path)["Location"] == "/upload/"


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_reject_without_a_reason(client, alice, uploaded_request, reason):
    mail.outbox.clear()
    response = login(client, alice).post(
        reject_url(uploaded_request), seen(uploaded_request, code="other", reason=reason)
    )
    assert message_texts(response) == ["Please give the customer a reason."]
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.rejection_reason) == (Status.UPLOADED, "")
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_refuses_to_reject_by_get(client, alice, uploaded_request):
    response = login(client, alice).get(reject_url(uploaded_request), {"reason": "blurry"})
    assert response.status_code == 403
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


# --- actions on the list --------------------------------------------------------------------


def test_it_accepts_the_selected_requests(client, alice, uploaded_request, shop, passport_jpeg):
    second = make_request(shop, "A-200")
    submit_and_confirm(second, passport_jpeg)
    response = act(login(client, alice), "accept_selected", uploaded_request, second)
    assert response.status_code == 302
    assert set(UploadRequest.objects.values_list("status", "decided_by")) == {
        (Status.ACCEPTED, alice.pk)
    }
    assert message_texts(response) == ["2 passports accepted."]


def test_it_skips_a_selected_request_that_cannot_be_accepted(client, alice, uploaded_request, shop):
    waiting = make_request(shop, "A-200")
    response = act(login(client, alice), "accept_selected", uploaded_request, waiting)
    waiting.refresh_from_db()
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, waiting.status) == (Status.ACCEPTED, Status.WAITING)
    assert message_texts(response) == [
        "A-200: Only an uploaded passport can be accepted.",
        "1 passport accepted.",
    ]


def test_it_asks_for_a_reason_before_rejecting_the_selected(client, alice, uploaded_request):
    response = act(login(client, alice), "reject_selected", uploaded_request)
    assert response.status_code == 200
    assert response.templates[0].name == "admin/uploads/uploadrequest/reject_selected.html"
    content = response.content.decode()
    assert '<textarea name="reason"' in content
    assert f'name="_selected_action" value="{uploaded_request.pk}"' in content
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_rejects_the_selected_with_the_reason(client, alice, uploaded_request):
    mail.outbox.clear()
    response = act(
        login(client, alice),
        "reject_selected",
        uploaded_request,
        apply="1",
        code="other",
        reason="Too dark.",
    )
    assert response.status_code == 302
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.rejection_reason) == (
        Status.REJECTED,
        "Too dark.",
    )
    assert [message.to for message in mail.outbox] == [["anna@example.com"]]
    assert message_texts(response) == ["1 passport rejected."]


def test_it_keeps_asking_when_the_bulk_reason_is_missing(client, alice, uploaded_request):
    response = act(login(client, alice), "reject_selected", uploaded_request, apply="1", reason="")
    assert response.status_code == 200
    assert response.context["form"].errors
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_exports_a_csv_with_a_bom_and_a_header(client, alice, uploaded_request):
    response = act(login(client, alice), "export_csv", uploaded_request)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="passports-')
    assert "no-store" in response["Cache-Control"]
    header = csv_rows(response)[0]
    assert header[:6] == [
        "Order number",
        "Customer name",
        "Email",
        "Phone",
        "Status",
        "Upload time",
    ]


def test_it_exports_the_passport_fields_to_a_permitted_user(client, alice, uploaded_request):
    header, row = csv_rows(act(login(client, alice), "export_csv", uploaded_request))
    passport = dict(zip(header[6:], row[6:], strict=True))
    assert row[:2] == ["A-100", "Anna Eriksson"]
    assert passport["Surname"] == "ERIKSSON"
    assert passport["Given names"] == "ANNA MARIA"
    assert passport["Document number"] == "L898902C3"
    assert passport["Nationality"] == "UTO"


def test_it_audits_each_exported_request(client, alice, uploaded_request, shop):
    second = make_request(shop, "A-200")
    act(login(client, alice), "export_csv", uploaded_request, second)
    exported = {event.upload_request for event in audit_actions(alice, AuditEvent.Action.EXPORT)}
    assert exported == {uploaded_request, second}
    assert AuditEvent.objects.filter(actor__isnull=False).count() == 2


def test_it_exports_no_passport_columns_to_a_user_without_permission(
    client, charlie, uploaded_request
):
    rows = csv_rows(act(login(client, charlie), "export_csv", uploaded_request))
    # How the data came is no passport data: it is in every export.
    assert [len(row) for row in rows] == [7, 7]
    assert rows[1][6] == "read from a photo"
    assert "ERIKSSON" not in str(rows)


def test_it_does_not_audit_an_export_without_passport_data(client, charlie, uploaded_request):
    act(login(client, charlie), "export_csv", uploaded_request)
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_defuses_formulas_in_the_csv(client, alice, shop):
    upload_request = make_request(shop, "F-1", customer_name='=HYPERLINK("http://evil.example")')
    [_, row] = csv_rows(act(login(client, alice), "export_csv", upload_request))
    assert row[1] == '\'=HYPERLINK("http://evil.example")'


def test_it_does_not_export_another_shops_requests(client, bob, uploaded_request):
    rows = csv_rows(act(login(client, bob), "export_csv", uploaded_request))
    assert [row[0] for row in rows] == ["Order number"]
    assert not AuditEvent.objects.filter(actor__isnull=False).exists()


def test_it_emails_the_link_to_the_selected_customers(client, alice, upload_request):
    response = act(login(client, alice), "send_link_selected", upload_request)
    [message] = mail.outbox
    assert message.to == ["anna@example.com"]
    [path] = re.findall(r"http://testserver(/u/\S+/)", message.body)
    assert Client().get(path)["Location"] == "/upload/"
    assert message_texts(response) == ["1 link sent."]


def test_it_skips_customers_without_an_email(client, alice, shop):
    upload_request = make_request(shop, "N-1", email="")
    response = act(login(client, alice), "send_link_selected", upload_request)
    assert mail.outbox == []
    assert message_texts(response) == ["N-1: The order has no customer email address."]


def test_it_names_the_master_key_a_passport_was_sealed_under_when_it_is_not_loaded(
    client, alice, uploaded_request, settings
):
    """A request sealed under a key this process lacks: the seller reads which key, never a
    500 (admin page and image view)."""
    from uploads.core import crypto

    sealed_under = crypto.master_key_id(settings.PASSPORT_ENCRYPTION_KEYS[0])
    settings.PASSPORT_ENCRYPTION_KEYS = [b"\x03" * 32]
    login(client, alice)

    page = client.get(change_url(uploaded_request))
    image = client.get(image_url(uploaded_request))

    message = (
        f"This passport can no longer be opened here: it was sealed under key {sealed_under}, "
        "which is not loaded. Ask the customer to upload it again."
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert image.status_code == 503
    assert image.content.decode() == message
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_IMAGE).exists()


# --- #16 and #19.6: the decision panel --------------------------------------------------------


def test_it_ties_both_decision_forms_to_the_passport_shown(client, alice, uploaded_request):
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    shown = document_selectors.document_current(upload_request=uploaded_request).pk
    for form_id in ("accept-form", "reject-form"):
        form = re.search(rf'<form id="{form_id}".*?</form>', page, re.S).group(0)
        assert f'<input type="hidden" name="document" value="{shown}">' in form


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_it_refuses_a_decision_on_a_passport_the_seller_has_not_seen(
    client, alice, uploaded_request, passport_jpeg, decision
):
    login(client, alice)
    seen_on_the_page = seen(uploaded_request)  # the seller opened the page...
    submit_and_confirm(uploaded_request, passport_jpeg)  # ...then the customer sent another
    mail.outbox.clear()
    if decision == "accept":
        response = client.post(accept_url(uploaded_request), seen_on_the_page)
    else:
        response = client.post(reject_url(uploaded_request), {**seen_on_the_page, "code": "glare"})
    assert response["Location"] == change_url(uploaded_request)
    assert message_texts(response) == [
        "The customer sent a new passport after this page was opened. Nothing was changed: "
        "look at the new one, then decide."
    ]
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.decided_by) == (Status.UPLOADED, None)
    assert mail.outbox == []
    assert not audit_actions(alice, AuditEvent.Action.ACCEPT)
    assert not audit_actions(alice, AuditEvent.Action.REJECT)


def test_it_refuses_a_decision_without_the_passport_shown(client, alice, uploaded_request):
    response = login(client, alice).post(accept_url(uploaded_request))
    assert "sent a new passport" in message_texts(response)[0]
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_rejects_with_a_reason_code_and_confirms_it(client, alice, uploaded_request):
    response = login(client, alice).post(
        reject_url(uploaded_request), seen(uploaded_request, code="cut_off")
    )
    assert message_texts(response) == [
        "Passport for order A-100 rejected; the customer is asked to upload again."
    ]
    uploaded_request.refresh_from_db()
    assert (uploaded_request.status, uploaded_request.rejection_code) == (
        Status.REJECTED,
        "cut_off",
    )


def test_it_asks_for_a_reason_code(client, alice, uploaded_request):
    response = login(client, alice).post(
        reject_url(uploaded_request), seen(uploaded_request, reason="blurry")
    )
    assert message_texts(response) == ["Choose a reason for the customer."]
    uploaded_request.refresh_from_db()
    assert uploaded_request.status == Status.UPLOADED


def test_it_offers_every_reason_and_says_which_language_the_buyer_reads(
    client, alice, uploaded_request
):
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    for code in UploadRequest.RejectionReason.values:
        assert f'type="radio" name="code" value="{code}" form="reject-form"' in page
    assert "The customer reads the reason in Russian (the order&#x27;s language)." in page
    # What the buyer will read, in Russian, beside each reason the seller reads in English.
    assert "Фотография размыта." in page


def test_it_says_the_page_follows_the_browser_when_the_order_names_no_language(
    client, alice, uploaded_request
):
    Order.objects.filter(pk=uploaded_request.order_id).update(language="")
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert "The order names no language" in page


def test_it_shows_the_customers_sex_as_a_word(client, alice, uploaded_request):
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert "<td>female</td>" in page
    assert "<td>F</td>" not in page


def test_it_puts_the_image_and_the_decision_beside_the_fields(client, alice, uploaded_request):
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    side = page[page.index('<aside class="request-side">') :]
    side = side[: side.index("</aside>")]
    assert f'<img src="{image_url(uploaded_request)}"' in side
    assert 'form="accept-form"' in side and 'form="reject-form"' in side
    # The side panel comes right after the request's own fields, before the contact log.
    assert page.index("</aside>") < page.index("inline-group")


def test_it_shows_the_reason_code_on_the_request_page(client, alice, uploaded_request):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, code="glare")
    page = login(client, alice).get(change_url(uploaded_request)).content.decode()
    assert "Glare on the page" in page


def test_it_rejects_the_selected_with_a_reason_code(client, alice, uploaded_request):
    act(login(client, alice), "reject_selected", uploaded_request, apply="1", code="expired")
    uploaded_request.refresh_from_db()
    assert (uploaded_request.rejection_code, uploaded_request.rejection_reason) == ("expired", "")


def test_it_names_each_buyers_language_on_the_bulk_reject_page(client, alice, uploaded_request):
    page = act(login(client, alice), "reject_selected", uploaded_request).content.decode()
    assert "A-100 — Anna Eriksson (Russian)" in page
    assert 'name="code"' in page
