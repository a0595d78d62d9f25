"""A shop's staff see only their own shops in every list filter and every choice list (issue #20,
5): the walk goes through every ModelAdmin registered on the project's admin site, as a staff user
of shop A who holds every permission of the app, and fails wherever shop B's name, or anything
of shop B's, appears."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.conftest import login
from uploads.api import services as api_tokens
from uploads.audit import services as audit
from uploads.messaging.services import sending
from uploads.models import (
    AuditEvent,
    CarrierMapping,
    CustomsSettings,
    DestructionRecord,
    Feedback,
    Shop,
    WebhookEndpoint,
)
from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention
from uploads.webhooks.services import outbox as webhook_outbox

OTHER_SHOP = "Bob's Bazaar"  # the other_shop fixture's name
OTHER_ORDER = "B-SECRET-7"


@pytest.fixture
def shop_a_staff(shop: Shop) -> User:
    """Staff of shop A with every permission of the app: whatever a filter or a form could
    show, they may open."""
    user = User.objects.create_user(username="walker", password="password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="uploads"))
    shop.members.add(user)
    return user


@pytest.fixture
def both_shops_populated(shop, other_shop, bob):  # type: ignore[no-untyped-def]
    """Something of each kind in both shops, so that each list has a filter value of both."""
    for each, number in ((shop, "A-WALK-1"), (other_shop, OTHER_ORDER)):
        link = request_services.order_create(
            shop_id=each.pk, number=number, customer_name="Customer", email=f"{number}@example.com"
        )
        upload_request = link.upload_request
        api_tokens.api_token_create(shop_id=each.pk, name=f"token of {each.name}")
        CarrierMapping.objects.create(
            shop=each, name=f"carrier of {each.name}", country="RU", columns=[]
        )
        CustomsSettings.objects.create(shop=each)
        WebhookEndpoint.objects.create(shop=each, url="https://example.com/hook", secret="s")
        webhook_outbox.request_status_changed(upload_request=upload_request)
        sending.email_mark_bounced(email=f"{number}@example.com", shop_id=each.pk)
        Feedback.objects.create(upload_request=upload_request, rating=4)
        actor = bob if each == other_shop else None
        audit.audit_record(
            actor=actor, action=AuditEvent.Action.VIEW_LINK, upload_request=upload_request
        )
        erased = request_services.order_create(
            shop_id=each.pk, number=f"{number}-erased", customer_name="Gone"
        ).upload_request
        retention.request_erase(upload_request=erased, reason="customer_request")
    assert DestructionRecord.objects.filter(shop=other_shop).exists()


def _pages(model_admin: admin.ModelAdmin, request_user: User) -> list[str]:
    """The list (with Django's facets on, which count per filter value), the add form, and
    the change page of one row the user sees."""
    opts = model_admin.model._meta
    info = (opts.app_label, opts.model_name)
    urls = [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_changelist".format(*info)) + "?_facets=True",
        reverse("admin:{}_{}_add".format(*info)),
    ]
    request = type("Request", (), {"user": request_user})()
    visible = model_admin.get_queryset(request).first()
    if visible is not None:
        urls.append(reverse("admin:{}_{}_change".format(*info), args=[visible.pk]))
    return urls


def test_it_shows_no_other_shop_in_any_filter_or_choice_list(
    client, shop_a_staff, both_shops_populated
):
    login(client, shop_a_staff)
    opened = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "uploads":
            continue
        for url in _pages(model_admin, shop_a_staff):
            response = client.get(url)
            if response.status_code != 200:
                continue  # not for this user (superusers' records, nothing to add...)
            opened += 1
            page = response.content.decode()
            for secret in (OTHER_SHOP, "Bob&#x27;s Bazaar", OTHER_ORDER, "token of Bob"):
                assert secret not in page, f"{secret!r} on {url}"
    assert opened >= 20  # the walk did open the lists, forms and pages


def test_it_offers_shop_a_staff_their_own_shop_in_the_filters(
    client, shop_a_staff, both_shops_populated
):
    page = login(client, shop_a_staff).get(reverse("admin:uploads_order_changelist"))
    assert "Alice&#x27;s Goods" in page.content.decode()


def test_it_still_offers_every_shop_to_a_superuser(client, both_shops_populated):
    superuser = User.objects.create_superuser("root", password="password")
    page = login(client, superuser).get(reverse("admin:uploads_apitoken_changelist"))
    assert "Bob&#x27;s Bazaar" in page.content.decode()
