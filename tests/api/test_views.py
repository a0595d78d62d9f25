"""The JSON API under /api/v1/: bearer tokens, shop isolation, create, read, list, JSON errors."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import submit_and_confirm
from uploads.api import services as api_tokens
from uploads.models import ApiToken, AuditEvent, Order, UploadRequest
from uploads.requests import links
from uploads.requests import services as request_services

REQUESTS = "/api/v1/requests"


@pytest.fixture
def token(shop) -> str:
    """The shop's order system, given the links scope (it sends customers their links)."""
    return api_tokens.api_token_create(shop_id=shop.pk, name="ERP", reads_links=True)[1]


@pytest.fixture
def other_token(other_shop) -> str:
    return api_tokens.api_token_create(shop_id=other_shop.pk, name="Other ERP")[1]


@pytest.fixture
def api(token: str) -> Client:
    """A client with no cookies and the shop's token, as a seller's server would call."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post_json(client: Client, data: object, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(REQUESTS, json.dumps(data), content_type="application/json", **extra)


def new_request(**overrides: object) -> dict:
    data = {
        "order_number": "API-1",
        "customer_name": "Ivan Petrov",
        "email": "ivan@example.com",
        "language": "ru",
        "deadline": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return data


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer pp_not-a-real-token", "Token x"],
)
def test_it_answers_401_without_a_valid_token(shop, header):
    client = Client() if header is None else Client(HTTP_AUTHORIZATION=header)
    for response in (client.get(REQUESTS), client.get(f"{REQUESTS}/1"), post_json(client, {})):
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "unauthorized"
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_answers_401_for_a_revoked_token(api, token):
    api_tokens.api_token_revoke(api_token=ApiToken.objects.get())
    assert api.get(REQUESTS).status_code == 401


def test_it_ignores_an_admin_session(client, alice, shop):
    client.force_login(alice)
    assert client.get(REQUESTS).status_code == 401


def test_it_stores_only_a_hash_of_the_token(token):
    stored = ApiToken.objects.get()
    assert token not in (stored.token_hash, stored.prefix)
    assert token.startswith(stored.prefix)


def test_it_records_when_a_token_was_last_used(api):
    assert ApiToken.objects.get().last_used_at is None
    api.get(REQUESTS)
    assert ApiToken.objects.get().last_used_at is not None


def test_it_sets_no_cookie_and_forbids_caching(api):
    response = api.get(REQUESTS)
    assert response.cookies == {}
    assert response["Cache-Control"] == "no-store"


def test_it_needs_no_csrf_token(token, shop):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert post_json(client, new_request()).status_code == 201


def test_it_refuses_other_methods_with_json(api):
    response = api.delete(REQUESTS)
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


# --- create -----------------------------------------------------------------------------------


def test_it_creates_an_upload_request_and_returns_the_link(api, shop):
    response = post_json(api, new_request())
    assert response.status_code == 201
    body = response.json()
    upload_request = UploadRequest.objects.get(pk=body["id"])
    assert upload_request.order.shop == shop
    assert body["status"] == "waiting"
    assert body["order_number"] == "API-1"
    assert body["link"] == links.upload_link_current(upload_request=upload_request).url
    order = Order.objects.get(number="API-1")
    assert (order.customer_name, order.email, order.language) == (
        "Ivan Petrov",
        "ivan@example.com",
        "ru",
    )
    assert order.deadline.isoformat() == new_request()["deadline"]


def test_it_answers_409_for_an_order_number_the_shop_has(api, upload_request):
    response = post_json(api, new_request(order_number="A-100"))
    assert response.status_code == 409
    assert response.json()["error"]["id"] == upload_request.pk


def test_it_allows_the_same_number_in_another_shop(api, other_shop):
    request_services.order_create(
        shop_id=other_shop.pk, number="API-1", customer_name="X", email="x@example.com"
    )
    assert post_json(api, new_request()).status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"language": "klingon"}, "language"),
        ({"deadline": "31.12.2099"}, "deadline"),
        ({"deadline": "2001-01-01"}, "deadline"),
        ({"order_number": ""}, "order_number"),
        ({"customer_name": None}, "customer_name"),
        ({"order_number": "x" * 65}, "order_number"),
        ({"email": "", "phone": ""}, "__all__"),
        ({"customer_name": ["a", "b"]}, "customer_name"),
    ],
)
def test_it_explains_invalid_fields(api, overrides, field):
    response = post_json(api, new_request(**overrides))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b'"text"', b""])
def test_it_answers_400_for_a_body_that_is_not_a_json_object(api, body):
    response = api.post(REQUESTS, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_it_refuses_a_huge_body(api):
    response = api.post(REQUESTS, b"{" + b" " * 70_000 + b"}", content_type="application/json")
    assert response.status_code == 413


# --- read and list ----------------------------------------------------------------------------


def test_it_reads_one_requests_status(api, uploaded_request):
    response = api.get(f"{REQUESTS}/{uploaded_request.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["order_number"]) == (
        uploaded_request.pk,
        "uploaded",
        "A-100",
    )
    assert body["uploaded_at"] is not None
    # Status only: nothing read from the passport.
    assert "ERIKSSON" not in response.content.decode().upper()


def test_it_never_shows_another_shops_request(upload_request, other_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    response = client.get(f"{REQUESTS}/{upload_request.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(REQUESTS).json()["count"] == 0


def test_it_answers_404_for_an_unknown_id(api):
    assert api.get(f"{REQUESTS}/999999").status_code == 404


def test_it_lists_with_a_status_filter(api, shop, uploaded_request):
    request_services.order_create(
        shop_id=shop.pk, number="A-200", customer_name="B", email="b@example.com"
    )
    assert api.get(REQUESTS).json()["count"] == 2
    body = api.get(REQUESTS, {"status": "uploaded"}).json()
    assert [item["order_number"] for item in body["results"]] == ["A-100"]


def test_it_refuses_an_unknown_status_filter(api):
    response = api.get(REQUESTS, {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_it_pages_through_the_list(api, shop):
    for n in range(5):
        request_services.order_create(
            shop_id=shop.pk, number=f"P-{n}", customer_name="C", email="c@example.com"
        )
    first = api.get(REQUESTS, {"page_size": "2"}).json()
    assert (first["count"], len(first["results"])) == (5, 2)
    assert first["next"].endswith("page=2") or "page=2" in first["next"]
    seen = [item["order_number"] for item in first["results"]]
    page = 2
    while True:
        body = api.get(REQUESTS, {"page_size": "2", "page": str(page)}).json()
        seen += [item["order_number"] for item in body["results"]]
        if body["next"] is None:
            break
        page += 1
    assert sorted(seen) == [f"P-{n}" for n in range(5)]
    assert api.get(REQUESTS, {"page": "99"}).json()["results"] == []


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page": "x"}, {"page_size": "1000"}, {"page_size": "0"}]
)
def test_it_refuses_bad_paging(api, query):
    assert api.get(REQUESTS, query).status_code == 400


def test_it_shows_no_link_once_accepted(api, uploaded_request, alice):
    request_services.request_accept(upload_request=uploaded_request, actor=alice)
    body = api.get(f"{REQUESTS}/{uploaded_request.pk}").json()
    assert (body["status"], body["link"]) == ("accepted", None)


def test_it_shows_the_rejection_reason(api, uploaded_request, alice):
    request_services.request_reject(upload_request=uploaded_request, actor=alice, reason="Blurred")
    body = api.get(f"{REQUESTS}/{uploaded_request.pk}").json()
    assert (body["status"], body["rejection_reason"]) == ("rejected", "Blurred")


def test_it_follows_the_customer_through_upload(api, passport_jpeg):
    created = post_json(api, new_request()).json()
    upload_request = UploadRequest.objects.get(pk=created["id"])
    submit_and_confirm(upload_request, passport_jpeg)
    assert api.get(f"{REQUESTS}/{created['id']}").json()["status"] == "uploaded"


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing", "/api/v1/requests/abc"])
def test_it_answers_json_404_for_unknown_api_paths(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- the links scope --------------------------------------------------------------------------


@pytest.fixture
def status_only(shop) -> Client:
    """A token without the links scope: it reads statuses, never a customer's link."""
    token = api_tokens.api_token_create(shop_id=shop.pk, name="Dashboard")[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_it_gives_no_link_to_a_token_without_the_links_scope(status_only, upload_request):
    created = post_json(status_only, new_request())
    assert created.status_code == 201
    assert created.json()["link"] is None
    assert status_only.get(f"{REQUESTS}/{upload_request.pk}").json()["link"] is None
    assert {item["link"] for item in status_only.get(REQUESTS).json()["results"]} == {None}
    for upload_request_ in UploadRequest.objects.all():
        token = links.upload_link_current(upload_request=upload_request_).token
        assert token not in status_only.get(REQUESTS).content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_LINK).exists()


def test_it_audits_each_link_a_token_reads_with_the_token(api, upload_request):
    api.get(f"{REQUESTS}/{upload_request.pk}")
    api.get(REQUESTS)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_LINK)
    assert [(event.upload_request, event.actor, event.via) for event in events] == [
        (upload_request, None, AuditEvent.Via.API)
    ] * 2
    assert {event.api_token.name for event in events} == {"ERP"}


# --- how the passport came ----------------------------------------------------------------------


def test_it_says_how_the_current_passport_came_and_nothing_more(
    api, shop, upload_request, passport_jpeg
):
    from tests.typed import type_and_confirm

    photo_request = request_services.order_create(
        shop_id=shop.pk, number="P-200", customer_name="Photo Buyer", email="p@example.com"
    ).upload_request
    waiting = request_services.order_create(
        shop_id=shop.pk, number="W-300", customer_name="Waiting Buyer", email="w@example.com"
    ).upload_request
    type_and_confirm(upload_request)
    submit_and_confirm(photo_request, passport_jpeg)

    listed = {row["order_number"]: row for row in api.get(REQUESTS).json()["results"]}
    assert listed["A-100"]["passport_source"] == "typed"
    assert listed["P-200"]["passport_source"] == "photo"
    assert listed["W-300"]["passport_source"] is None
    detail = api.get(f"{REQUESTS}/{upload_request.pk}").json()
    assert detail["passport_source"] == "typed"
    assert "ERIKSSON" not in str(listed) + str(detail)
    assert api.get(f"{REQUESTS}/{waiting.pk}").json()["passport_source"] is None
