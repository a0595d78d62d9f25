"""CDEK's own order numbers in the seller's order file (#17, linking orders): an optional column,
checked per row in the seller's language, kept on the request's carrier order, by which the
hand-over finds the order at CDEK; and the same through the API."""

import json

import pytest
from django.test import Client
from django.utils import translation

from tests.admin.test_order_import import (
    confirm,
    csv_file,
    future,
    preview,
    row_errors,
    xlsx_file,
)
from tests.carriers.fixtures import cdek, cdek_account, make_ready
from tests.conftest import login
from uploads.api import services as api_tokens
from uploads.carriers import services as carrier_services
from uploads.models import CarrierOrder, CarrierSend, Order, UploadRequest
from uploads.requests import order_import as imports

__all__ = ["cdek", "cdek_account"]  # the CDEK stand-in's fixtures

MESSAGE_EN = "A CDEK order number is digits only, at most 20."
MESSAGE_RU = "Номер заказа СДЭК состоит только из цифр, не больше 20."


def cdek_csv(*numbers: str, header: str = "cdek_number") -> str:
    lines = [f"order number,customer name,email,deadline,{header}"]
    for index, number in enumerate(numbers, start=1):
        lines.append(
            f"N-{index},Buyer {index},b{index}@example.com,{future().isoformat()},{number}"
        )
    return "\n".join(lines) + "\n"


def link_of(number: str) -> CarrierOrder | None:
    return CarrierOrder.objects.filter(upload_request__order__number=number).first()


def test_it_imports_cdek_numbers_and_keeps_them_on_the_carrier_order(client, alice, shop):
    login(client, alice)
    response = preview(client, shop, csv_file(cdek_csv("1106321645", "", " 1106321646 ")))
    assert row_errors(response) == {}
    page = response.content.decode()
    assert "<th>CDEK order number</th>" in page and "<td>1106321645</td>" in page
    confirm(client, response)

    assert Order.objects.filter(shop=shop).count() == 3
    first, third = link_of("N-1"), link_of("N-3")
    assert (first.cdek_number, first.carrier, first.lookup) == (
        "1106321645",
        "cdek",
        CarrierOrder.Lookup.UNKNOWN,
    )
    assert third.cdek_number == "1106321646"
    assert link_of("N-2") is None  # none given: found by the order number, as before


@pytest.mark.parametrize("header", ["Номер заказа СДЭК", "CDEK单号", "CDEK order number", "СДЭК"])
def test_it_reads_the_column_under_russian_chinese_and_english_names(client, alice, shop, header):
    login(client, alice)
    confirm(client, preview(client, shop, csv_file(cdek_csv("1106321645", header=header))))
    assert link_of("N-1").cdek_number == "1106321645"


def test_it_reads_a_cdek_number_typed_into_a_number_cell(client, alice, shop):
    login(client, alice)
    rows = [
        ["Order number", "Customer name", "Email", "CDEK order number"],
        ["X-1", "Buyer", "x@example.com", 1106321645],
    ]
    confirm(client, preview(client, shop, xlsx_file(rows)))
    assert link_of("X-1").cdek_number == "1106321645"


@pytest.mark.parametrize(
    "bad",
    ["1106-321645", "CDEK1106321645", "1" * 21, "١٢٣٤٥", "1.5"],
)
def test_it_reports_a_bad_cdek_number_on_its_row_and_imports_nothing(client, alice, shop, bad):
    login(client, alice)
    response = preview(client, shop, csv_file(cdek_csv("1106321645", bad)))
    assert row_errors(response) == {3: [f"“{bad}”: {MESSAGE_EN}"]}
    check = response.context["check"]
    # The other row is checked as ever (new, no error); the file imports all or none, as ever.
    assert [row.is_new for row in check.rows] == [True, False]
    assert not check.can_import
    assert Order.objects.count() == 0
    assert CarrierOrder.objects.count() == 0


def test_it_reports_the_bad_number_in_the_sellers_language(shop):
    rows = imports.orders_file_read(name="o.csv", data=cdek_csv("12-34").encode())
    with translation.override("ru"):
        check = imports.orders_import_check(shop_id=shop.pk, rows=rows)
        assert check.rows[0].errors == [f"«12-34»: {MESSAGE_RU}"]


def test_a_file_without_the_column_imports_as_before(client, alice, shop):
    login(client, alice)
    text = f"order number,customer name,email,deadline\nN-1,Buyer,b@example.com,{future()}\n"
    response = preview(client, shop, csv_file(text))
    assert "CDEK order number" not in response.content.decode().split("import-rows")[1]
    confirm(client, response)
    assert Order.objects.filter(number="N-1").exists()
    assert CarrierOrder.objects.count() == 0


def test_a_preview_stored_before_the_column_existed_still_imports(shop):
    stored = [{"line": 2, "values": {c: "" for c in imports.COLUMNS if c != "cdek_number"}}]
    stored[0]["values"].update(number="S-1", customer_name="Buyer", email="s@example.com")
    rows = imports.rows_from_session(stored)
    imports.orders_import(shop_id=shop.pk, rows=rows)
    assert Order.objects.filter(number="S-1").exists()


def test_the_hand_over_finds_the_order_at_cdek_by_the_imported_number(
    client, alice, shop, cdek, cdek_account, django_capture_on_commit_callbacks
):
    # CDEK knows the order under another number of the seller's (im_number): only CDEK's own
    # number finds it.
    order = cdek.add_order("SOMETHING-ELSE", cdek_number=1106321645)
    login(client, alice)
    confirm(client, preview(client, shop, csv_file(cdek_csv("1106321645"))))
    upload_request = UploadRequest.objects.get(order__number="N-1")
    make_ready(upload_request)
    with django_capture_on_commit_callbacks(execute=True):
        send = carrier_services.carrier_send_queue(upload_request=upload_request, actor=alice)
    send.refresh_from_db()
    assert send.state in (CarrierSend.State.ACCEPTED, CarrierSend.State.SUCCESSFUL)
    link = link_of("N-1")
    assert (link.order_uuid, link.lookup) == (order.uuid, CarrierOrder.Lookup.LINKED)
    assert order.recipient["passport_number"] == "123456"


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(shop) -> Client:
    token = api_tokens.api_token_create(shop_id=shop.pk, name="ERP")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def create(api: Client, **extra: object):  # type: ignore[no-untyped-def]
    data = {"order_number": "API-1", "customer_name": "Ivan", "email": "i@example.com", **extra}
    return api.post("/api/v1/requests", json.dumps(data), content_type="application/json")


def test_the_api_takes_a_cdek_number_with_a_new_request(api):
    response = create(api, cdek_number="1106321645")
    assert response.status_code == 201
    assert response.json()["cdek_number"] == "1106321645"
    assert link_of("API-1").cdek_number == "1106321645"
    read = api.get(f"/api/v1/requests/{response.json()['id']}").json()
    assert read["cdek_number"] == "1106321645"
    listed = api.get("/api/v1/requests").json()["results"]
    assert [each["cdek_number"] for each in listed] == ["1106321645"]


def test_the_api_leaves_it_out_when_none_is_given(api):
    response = create(api)
    assert response.status_code == 201
    assert response.json()["cdek_number"] is None
    assert CarrierOrder.objects.count() == 0


@pytest.mark.parametrize("bad", ["12-34", "x", "1" * 21])
def test_the_api_refuses_a_bad_cdek_number_and_creates_nothing(api, bad):
    response = create(api, cdek_number=bad)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cdek_number": [MESSAGE_EN]}
    assert Order.objects.count() == 0
