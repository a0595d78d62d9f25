"""The seller's admin for orders: adding one issues the customer's link; shops stay apart."""

import re
from datetime import date

from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login
from uploads.models import Order, Shop, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

ORDER_FIELDS = ["shop", "number", "customer_name", "email", "phone", "language", "deadline"]
ADD_URL = reverse("admin:uploads_order_add")
CHANGELIST = reverse("admin:uploads_order_changelist")


def order_form(shop: Shop, **fields: str) -> dict[str, str]:
    data = {
        "shop": str(shop.pk),
        "number": "A-500",
        "customer_name": "Anna Eriksson",
        "email": "anna@example.com",
        "phone": "+7 900 123 45 67",
        "language": "ru",
        "deadline": "2031-05-01",
        "_save": "Save",
    }
    data.update(fields)
    return data


def message_texts(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_url(order: Order) -> str:
    return reverse("admin:uploads_order_change", args=[order.pk])


def link_of(order: Order) -> str:
    return links.upload_link_current(upload_request=order.upload_request).url


def test_it_adds_an_order_with_its_upload_request(client, alice, shop):
    response = login(client, alice).post(ADD_URL, order_form(shop))
    assert response.status_code == 302
    assert Order.objects.values(*ORDER_FIELDS).get() == {
        "shop": shop.pk,
        "number": "A-500",
        "customer_name": "Anna Eriksson",
        "email": "anna@example.com",
        "phone": "+7 900 123 45 67",
        "language": "ru",
        "deadline": date(2031, 5, 1),
    }
    upload_request = UploadRequest.objects.get()
    assert (upload_request.order, upload_request.status) == (Order.objects.get(), "waiting")


def test_it_shows_the_new_upload_link(client, alice, shop):
    response = login(client, alice).post(ADD_URL, order_form(shop))
    links = [re.findall(r"http://testserver/u/\S+/", text) for text in message_texts(response)]
    assert [found for found in links if found] == [[link_of(Order.objects.get())]]


def test_it_shows_a_link_that_works_for_the_customer(client, alice, shop):
    response = login(client, alice).post(ADD_URL, order_form(shop))
    [url] = [
        m
        for text in message_texts(response)
        for m in re.findall(r"http://testserver(/u/\S+/)", text)
    ]
    opened = Client().get(url)
    assert opened.status_code == 302
    assert opened["Location"] == "/upload/"


def test_it_offers_only_the_users_shops_on_the_add_form(client, alice, shop, other_shop):
    response = login(client, alice).get(ADD_URL)
    assert list(response.context["adminform"].form.fields["shop"].queryset) == [shop]
    assert "Bazaar" not in response.content.decode()


def test_it_refuses_an_order_for_another_shop(client, alice, shop, other_shop):
    response = login(client, alice).post(ADD_URL, order_form(other_shop))
    assert response.status_code == 200
    assert "shop" in response.context["adminform"].form.errors
    assert not Order.objects.exists()


def test_it_hides_another_shops_orders_from_the_list(client, bob, other_shop, upload_request):
    request_services.order_create(shop_id=other_shop.pk, number="B-1", customer_name="Boris")
    response = login(client, bob).get(CHANGELIST)
    assert [order.number for order in response.context["cl"].result_list] == ["B-1"]
    assert "A-100" not in response.content.decode()


def test_it_treats_another_shops_order_as_missing(client, bob, upload_request):
    # Django's admin redirects to its index with a warning for an object it cannot find; another
    # shop's order gets exactly the answer a made-up ID gets, so its existence is not confirmed.
    login(client, bob)
    response = client.get(change_url(upload_request.order))
    missing = client.get(
        reverse("admin:uploads_order_change", args=[upload_request.order.pk + 1000])
    )
    assert response.status_code == missing.status_code == 302
    assert response["Location"] == missing["Location"] == reverse("admin:index")
    pk = upload_request.order.pk
    apostrophe = "\N{RIGHT SINGLE QUOTATION MARK}"
    assert message_texts(response) == [
        f"order with ID “{pk}” doesn{apostrophe}t exist. Perhaps it was deleted?"
    ]


def test_it_does_not_let_another_shops_staff_change_an_order(client, bob, upload_request):
    order = upload_request.order
    login(client, bob).post(
        change_url(order), {"customer_name": "Mallory", "email": "m@example.com", "language": "en"}
    )
    order.refresh_from_db()
    assert order.customer_name == "Anna Eriksson"


# --- where each order's passport stands (#16 item 11) ------------------------------------------


def test_it_shows_each_orders_upload_status_as_a_badge_linking_to_the_request(
    client, alice, uploaded_request
):
    page = login(client, alice).get(CHANGELIST).content.decode()
    request_page = reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk])
    assert re.search(
        rf'<td class="field-upload_status"><a href="{request_page}">'
        r'<span class="status-badge" data-status="uploaded">Uploaded</span></a></td>',
        page,
    )


def test_it_filters_orders_by_upload_status(client, alice, uploaded_request, shop):
    request_services.order_create(shop_id=shop.pk, number="A-200", customer_name="Boris")
    login(client, alice)
    uploaded = client.get(CHANGELIST, {"upload_status": "uploaded"})
    waiting = client.get(CHANGELIST, {"upload_status": "waiting"})
    assert [order.number for order in uploaded.context["cl"].result_list] == ["A-100"]
    assert [order.number for order in waiting.context["cl"].result_list] == ["A-200"]
    assert "upload_status=uploaded" in uploaded.content.decode()


def test_it_lists_orders_with_their_status_without_a_query_per_row(client, alice, shop):
    def queries_for_the_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    login(client, alice)
    request_services.order_create(shop_id=shop.pk, number="Q-0", customer_name="Q")
    one_order = queries_for_the_list()
    for number in range(1, 6):
        request_services.order_create(shop_id=shop.pk, number=f"Q-{number}", customer_name="Q")
    assert queries_for_the_list() == one_order
