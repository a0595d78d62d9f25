"""A shop sends no link before it is named as the personal-data operator (152-FZ art. 9)."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from tests.conftest import login
from uploads.api.services import api_token_create
from uploads.core.errors import ServiceError
from uploads.models import CarrierMapping, Order, Shop
from uploads.papers.operator import (
    OPERATOR_FIELDS,
    operator_details_missing,
    recipients_missing_country,
)
from uploads.requests import services as request_services


@pytest.fixture(autouse=True)
def _english():
    # The site's default language is Russian; these tests read the English messages, and whichever
    # language an earlier test on this worker left active must not decide what they see.
    with translation.override("en"):
        yield


@pytest.fixture
def bare_shop(db) -> Shop:
    return Shop.objects.create(name="New Shop", operator_name="New Shop LLC")


def test_it_names_every_missing_detail(bare_shop):
    missing = operator_details_missing(shop=bare_shop)
    assert len(missing) == len(OPERATOR_FIELDS) - 1
    assert "operator's address" in missing
    assert "Roskomnadzor registry number" in missing


def test_it_counts_blank_details_as_missing(shop):
    shop.operator_address = "   "
    assert operator_details_missing(shop=shop) == ["operator's address"]


def test_it_refuses_to_create_an_order_and_its_link(bare_shop):
    with pytest.raises(ServiceError, match="operator"):
        request_services.order_create(shop_id=bare_shop.pk, number="N-1", customer_name="Anna")
    assert not Order.objects.filter(shop=bare_shop).exists()


def test_it_refuses_a_new_link_once_details_are_gone(shop, upload_request):
    Shop.objects.filter(pk=shop.pk).update(operator_rkn_number="")
    upload_request.refresh_from_db()
    with pytest.raises(ServiceError, match="Roskomnadzor registry number"):
        request_services.upload_link_issue(upload_request=upload_request)


def test_it_allows_links_once_every_detail_is_filled_in(shop):
    link = request_services.order_create(shop_id=shop.pk, number="N-2", customer_name="Anna")
    assert link.token


def test_it_says_so_in_the_admin_order_form(client, alice, bare_shop):
    bare_shop.members.add(alice)
    login(client, alice)
    response = client.post(
        "/admin/uploads/order/add/",
        {"shop": bare_shop.pk, "number": "N-3", "customer_name": "Anna", "language": "ru"},
    )
    assert response.status_code == 200
    assert "cannot send upload links yet" in response.content.decode()
    assert not Order.objects.filter(number="N-3").exists()


def test_it_warns_on_the_shop_page(client, alice, bare_shop):
    bare_shop.members.add(alice)
    alice.user_permissions.add(Permission.objects.get(codename="change_shop"))
    login(client, alice)
    page = client.get(f"/admin/uploads/shop/{bare_shop.pk}/change/").content.decode()
    assert "cannot send upload links until its operator details are filled in" in page
    assert "Personal-data operator (152-FZ)" in page


def test_it_answers_the_api_with_a_clear_error(client, bare_shop):
    _api_token, token = api_token_create(shop_id=bare_shop.pk, name="erp")
    response = client.post(
        "/api/v1/requests",
        json.dumps({"order_number": "N-4", "customer_name": "Anna", "email": "a@example.com"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "operator_details_missing"
    assert not Order.objects.filter(number="N-4").exists()


# --- a recipient without its country --------------------------------------------------------------


@pytest.fixture
def countryless_mapping(shop) -> CarrierMapping:
    """A mapping made before mappings had a country (blank in the database)."""
    return CarrierMapping.objects.create(shop=shop, name="Old Broker", columns=[["inn", "INN"]])


def test_a_mapping_without_country_is_missing_by_name(shop, countryless_mapping):
    CarrierMapping.objects.create(shop=shop, name="Boxberry", country="RU", columns=[])
    assert operator_details_missing(shop=shop) == []
    assert recipients_missing_country(shop=shop) == ["Old Broker"]
    with pytest.raises(ServiceError, match="“Old Broker”") as refusal:
        request_services.order_create(shop_id=shop.pk, number="N-5", customer_name="Anna")
    assert "recipient's country" in str(refusal.value.message)
    assert not Order.objects.filter(number="N-5").exists()

    countryless_mapping.country = "KZ"
    countryless_mapping.save()
    assert request_services.order_create(shop_id=shop.pk, number="N-5", customer_name="Anna")


def test_a_mapping_without_country_blocks_a_new_link(upload_request, countryless_mapping):
    with pytest.raises(ServiceError, match="Old Broker"):
        request_services.upload_link_issue(upload_request=upload_request)


def test_a_mapping_without_country_is_named_on_the_shop_page(
    client, alice, shop, countryless_mapping
):
    alice.user_permissions.add(Permission.objects.get(codename="change_shop"))
    login(client, alice)
    page = client.get(f"/admin/uploads/shop/{shop.pk}/change/").content.decode()
    assert "cannot send upload links yet" in page
    assert "Old Broker" in page and "recipient&#x27;s country" in page


def test_a_mapping_without_country_answers_the_api_409(client, shop, countryless_mapping):
    _api_token, token = api_token_create(shop_id=shop.pk, name="erp")
    response = client.post(
        "/api/v1/requests",
        json.dumps({"order_number": "N-6", "customer_name": "Anna", "email": "a@example.com"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "operator_details_missing"
    assert "Old Broker" in error["message"]
    assert not Order.objects.filter(number="N-6").exists()


def test_the_missing_country_message_is_translated(shop, countryless_mapping):
    with translation.override("ru"), pytest.raises(ServiceError) as refusal:
        request_services.order_create(shop_id=shop.pk, number="N-7", customer_name="Anna")
    assert "Old Broker" in str(refusal.value.message)
    assert "страну" in str(refusal.value.message)
