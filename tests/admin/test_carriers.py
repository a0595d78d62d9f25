"""CDEK in the seller's admin: the account and its connection check, the list's column, filter
and action, the request's page with its hand-overs, the dashboard."""

from django.contrib.auth.models import User
from django.urls import reverse

from tests.carriers.fixtures import cdek, cdek_account, make_ready, ready_request
from tests.conftest import login
from uploads.carriers import sending
from uploads.models import CarrierOrder, CarrierSend, CdekAccount

__all__ = ["cdek", "cdek_account", "ready_request"]

LIST = "/admin/uploads/uploadrequest/"


def test_it_sets_up_an_account_with_the_secret_sealed_and_checks_the_connection(client, shop, cdek):
    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post(
        "/admin/uploads/cdekaccount/add/",
        {
            "shop": shop.pk,
            "client_id": cdek.client_id,
            "client_secret": cdek.client_secret,
            "environment": "test",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = CdekAccount.objects.get(shop=shop)
    assert cdek.client_secret.encode() not in bytes(account.client_secret_sealed)
    page = client.get(f"/admin/uploads/cdekaccount/{account.pk}/change/").content.decode()
    assert cdek.client_secret not in page and cdek.client_id not in page

    response = client.post(
        reverse("admin:uploads_cdekaccount_check", args=[account.pk]), follow=True
    )
    assert "the connection works" in response.content.decode()

    cdek.client_secret = "changed-at-cdek"
    response = client.post(
        reverse("admin:uploads_cdekaccount_check", args=[account.pk]), follow=True
    )
    assert "CDEK refused the client id or the secret" in response.content.decode()


def test_it_says_in_russian_what_is_wrong(client, shop, cdek):
    account = CdekAccount.objects.create(shop=shop, client_id_sealed=b"", client_secret_sealed=b"")
    from uploads.carriers import services as carrier_services

    carrier_services.cdek_account_save(shop=shop, client_id="wrong", client_secret="wrong")
    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post(
        reverse("admin:uploads_cdekaccount_check", args=[account.pk]),
        follow=True,
        headers={"accept-language": "ru"},
    )
    assert "СДЭК не принял" in response.content.decode()


def test_it_sends_the_selected_requests_and_shows_cdeks_view(
    client, alice, ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    cdek.add_order("A-100")
    login(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LIST,
            {"action": "send_to_cdek_selected", "_selected_action": [ready_request.pk]},
            follow=True,
        )
    assert "1 request queued for CDEK" in response.content.decode()
    assert CarrierSend.objects.get().state == CarrierSend.State.ACCEPTED
    sending.carriers_poll()

    page = client.get(LIST).content.decode()
    assert "CDEK: requirements met" in page
    assert ready_request.order.number in client.get(f"{LIST}?cdek=satisfied").content.decode()
    assert ready_request.order.number not in client.get(f"{LIST}?cdek=missing").content.decode()

    detail = client.get(f"{LIST}{ready_request.pk}/change/").content.decode()
    assert "hand-overs to the carrier" in detail.lower()
    assert "taken by the carrier" in detail
    assert "passport_number" in detail

    dashboard = client.get(
        reverse("admin:uploads_shop_dashboard", args=[ready_request.order.shop_id])
    )
    assert "CDEK: requirements met" in dashboard.content.decode()


def test_it_shows_cdeks_refusal_on_the_request_page(
    client, alice, ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    cdek.add_order("A-100")
    cdek.fail_next(
        400,
        payload={"errors": [{"code": "v2_invalid_format", "message": "Неверный формат"}]},
        after=1,
    )
    login(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:uploads_carrierorder_send", args=[ready_request.pk]))
    detail = client.get(f"{LIST}{ready_request.pk}/change/").content.decode()
    assert "CDEK refused the data; correct it and send again." in detail
    assert "v2_invalid_format" in detail and "Неверный формат" in detail


def test_it_finds_an_order_by_a_typed_number_and_says_when_cdek_does_not_know_it(
    client, alice, ready_request, cdek, cdek_account
):
    order = cdek.add_order("OTHER")
    login(client, alice)
    url = reverse("admin:uploads_carrierorder_number", args=[ready_request.pk])
    response = client.post(url, {"cdek_number": "999"}, follow=True)
    assert response.status_code == 200
    assert "CDEK does not know this order." in response.content.decode()
    assert CarrierOrder.objects.get().lookup == CarrierOrder.Lookup.NOT_FOUND

    response = client.post(url, {"cdek_number": str(order.cdek_number)}, follow=True)
    assert "CDEK&#x27;s order found." in response.content.decode()
    assert CarrierOrder.objects.get().order_uuid == order.uuid


def test_it_keeps_another_shops_request_out_of_reach(client, bob, ready_request, cdek_account):
    login(client, bob)
    response = client.post(reverse("admin:uploads_carrierorder_send", args=[ready_request.pk]))
    assert response.status_code == 404
    assert not CarrierSend.objects.exists()


def test_it_needs_the_passport_permission_to_send(client, charlie, ready_request, cdek_account):
    login(client, charlie)
    response = client.post(reverse("admin:uploads_carrierorder_send", args=[ready_request.pk]))
    assert response.status_code == 403
    assert not CarrierSend.objects.exists()


def test_it_lists_requests_without_a_cdek_account_as_before(client, alice, upload_request):
    make_ready(upload_request)
    login(client, alice)
    page = client.get(LIST).content.decode()
    assert upload_request.order.number in page
    assert "Send to CDEK" not in client.get(f"{LIST}{upload_request.pk}/change/").content.decode()
