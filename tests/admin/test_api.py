"""Admin for API tokens (shown once, revocable), the shop's webhook and its delivery log."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.admin.test_upload_requests import message_texts
from tests.conftest import login
from uploads.api import services as api_tokens
from uploads.models import ApiToken, WebhookDelivery, WebhookEndpoint
from uploads.webhooks.services import outbox as webhook_outbox

TOKENS = reverse("admin:uploads_apitoken_changelist")
TOKEN_ADD = reverse("admin:uploads_apitoken_add")
WEBHOOK_ADD = reverse("admin:uploads_webhookendpoint_add")
DELIVERIES = reverse("admin:uploads_webhookdelivery_changelist")


def grant(user, *codenames: str) -> None:  # type: ignore[no-untyped-def]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def manager(alice):  # type: ignore[no-untyped-def]
    grant(
        alice,
        "add_apitoken",
        "view_apitoken",
        "change_apitoken",
        "add_webhookendpoint",
        "view_webhookendpoint",
        "change_webhookendpoint",
        "view_webhookdelivery",
    )
    return alice


def test_it_shows_a_new_token_once_and_it_works(client, manager, shop):
    response = login(client, manager).post(TOKEN_ADD, {"shop": shop.pk, "name": "ERP"}, follow=True)
    [text] = [m for m in message_texts(response) if "not shown again" in m]
    token = re.search(r"pp_[A-Za-z0-9_\-]+", text).group(0)
    stored = ApiToken.objects.get()
    assert (stored.shop, stored.name, stored.created_by) == (shop, "ERP", manager)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/requests").status_code == 200
    page = client.get(reverse("admin:uploads_apitoken_change", args=[stored.pk])).content.decode()
    assert token not in page


def test_it_offers_only_the_sellers_shops_for_a_token(client, manager, shop, other_shop):
    response = login(client, manager).post(TOKEN_ADD, {"shop": other_shop.pk, "name": "X"})
    assert response.status_code == 200
    assert ApiToken.objects.count() == 0


def test_it_allows_several_tokens_and_revokes_one(client, manager, shop):
    first, first_token = api_tokens.api_token_create(shop_id=shop.pk, name="one")
    _second, second_token = api_tokens.api_token_create(shop_id=shop.pk, name="two")
    login(client, manager).post(
        TOKENS, {"action": "revoke_selected", "_selected_action": [str(first.pk)]}
    )
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {first_token}").get("/api/v1/requests").status_code
        == 401
    )
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {second_token}").get("/api/v1/requests").status_code
        == 200
    )


def test_it_hides_another_shops_tokens(client, manager, other_shop):
    api_tokens.api_token_create(shop_id=other_shop.pk, name="theirs")
    response = login(client, manager).get(TOKENS)
    assert response.context["cl"].result_count == 0


def test_it_creates_a_webhook_with_a_generated_secret(client, manager, shop):
    response = login(client, manager).post(
        WEBHOOK_ADD,
        {"shop": shop.pk, "url": "https://erp.example.com/hook", "is_active": "on"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert any(endpoint.secret in text for text in message_texts(response))


def test_it_makes_a_new_secret_on_request(client, manager, shop):
    endpoint = WebhookEndpoint.objects.create(
        shop=shop, url="https://erp.example.com/", secret="old"
    )
    login(client, manager).post(
        reverse("admin:uploads_webhookendpoint_change", args=[endpoint.pk]),
        {"url": "https://erp.example.com/", "is_active": "on", "new_secret": "on"},
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != "old"


@pytest.mark.parametrize("url", ["ftp://erp.example.com/", "javascript:alert(1)"])
def test_it_refuses_a_webhook_url_that_is_not_http(client, manager, shop, url):
    response = login(client, manager).post(WEBHOOK_ADD, {"shop": shop.pk, "url": url})
    assert response.status_code == 200
    assert WebhookEndpoint.objects.count() == 0


def test_it_refuses_a_private_address_in_production(client, manager, shop, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = login(client, manager).post(
        WEBHOOK_ADD, {"shop": shop.pk, "url": "http://10.1.2.3/"}
    )
    assert "not a public internet address" in response.content.decode()


def test_it_shows_the_delivery_log_of_the_sellers_shop_only(client, manager, shop, other_shop):
    mine = WebhookEndpoint.objects.create(
        shop=shop, url="https://a.example.com/", secret=webhook_outbox.new_secret()
    )
    theirs = WebhookEndpoint.objects.create(
        shop=other_shop, url="https://b.example.com/", secret="s"
    )
    WebhookDelivery.objects.create(endpoint=mine, event="request.accepted", body="{}")
    WebhookDelivery.objects.create(endpoint=theirs, event="request.accepted", body="{}")
    response = login(client, manager).get(DELIVERIES)
    assert [d.endpoint for d in response.context["cl"].result_list] == [mine]
