"""The upload request list costs the same number of queries whatever the page size, so a shop
with 100,000 requests gets its list as fast as one with ten (timing: `make bench-admin`)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login
from uploads.models import UploadRequest
from uploads.requests import services as request_services

LIST_URL = "/admin/uploads/uploadrequest/"


@pytest.fixture
def many_requests(shop, other_shop):
    for index in range(30):
        request_services.order_create(
            shop_id=shop.pk, number=f"A-{index}", customer_name=f"Customer {index}"
        )
    request_services.order_create(shop_id=other_shop.pk, number="B-1", customer_name="Someone Else")


def _list_queries(client, monkeypatch, per_page: int, query: str = "") -> int:
    model_admin = admin.site._registry[UploadRequest]
    monkeypatch.setattr(model_admin, "list_per_page", per_page)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL + query)
    assert response.status_code == 200
    assert response.content.count(b'class="action-select"') == per_page
    return len(queries)


@pytest.mark.parametrize("query", ["", "?status__exact=waiting", "?q=Customer", "?o=2"])
def test_it_lists_with_a_number_of_queries_independent_of_the_page_size(
    client, alice, many_requests, monkeypatch, query
):
    login(client, alice)
    _list_queries(client, monkeypatch, 5, query)  # warm: session, permissions, content types

    assert _list_queries(client, monkeypatch, 5, query) == _list_queries(
        client, monkeypatch, 25, query
    )


def test_it_still_lists_only_the_staff_members_shop(client, alice, many_requests):
    login(client, alice)
    page = client.get(LIST_URL + "?all=").content.decode()
    assert "A-0" in page
    assert "B-1" not in page
