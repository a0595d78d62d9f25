"""The seller's view of a passport typed without a photo: how the data came on the request's page,
in the list, its filter and the CSV export; no photo preview; the shop's photo policy setting."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.admin.test_upload_requests import CHANGELIST, act, csv_rows, message_texts
from tests.conftest import login, submit_and_confirm
from tests.typed import type_and_confirm
from uploads.core.errors import ServiceError
from uploads.models import CustomsSettings, PhotoPolicy, UploadRequest
from uploads.requests import services as request_services


@pytest.fixture
def typed_request(upload_request: UploadRequest) -> UploadRequest:
    type_and_confirm(upload_request)
    return upload_request


@pytest.fixture
def photo_request(shop, passport_jpeg) -> UploadRequest:
    upload_request = request_services.order_create(
        shop_id=shop.pk, number="P-200", customer_name="Photo Buyer", email="p@example.com"
    ).upload_request
    submit_and_confirm(upload_request, passport_jpeg)
    return upload_request


def _change_page(client, upload_request: UploadRequest) -> str:
    url = reverse("admin:uploads_uploadrequest_change", args=[upload_request.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_request_page_says_the_details_were_typed_and_offers_no_photo(
    client, alice, typed_request
):
    page = _change_page(login(client, alice), typed_request)
    assert "Typed by the customer, without a photo" in page
    assert "there is no image to view" in page
    image_url = reverse("admin:uploads_uploadrequest_image", args=[typed_request.pk])
    assert image_url not in page
    assert "Download the image" not in page
    # The typed details themselves are shown as a photo's are.
    assert "ERIKSSON" in page


def test_the_request_page_says_a_photo_was_read(client, alice, photo_request):
    page = _change_page(login(client, alice), photo_request)
    assert "Read from a photo" in page
    assert reverse("admin:uploads_uploadrequest_image", args=[photo_request.pk]) in page


def test_the_image_address_of_a_typed_request_is_not_found(client, alice, typed_request):
    url = reverse("admin:uploads_uploadrequest_image", args=[typed_request.pk])
    assert login(client, alice).get(url).status_code == 404


def test_the_list_marks_typed_requests_and_filters_them(
    client, alice, typed_request, photo_request
):
    client = login(client, alice)
    page = client.get(CHANGELIST).content.decode()
    assert page.count('class="passport-source"') == 1
    assert "typed by the customer" in page
    typed_only = client.get(CHANGELIST, {"passport_source": "typed"}).content.decode()
    assert "A-100" in typed_only and "P-200" not in typed_only
    photo_only = client.get(CHANGELIST, {"passport_source": "photo"}).content.decode()
    assert "P-200" in photo_only and "A-100" not in photo_only


def test_the_list_asks_no_query_per_row_for_the_source(
    client, alice, typed_request, photo_request, django_assert_max_num_queries
):
    client = login(client, alice)
    client.get(CHANGELIST)  # warm the session and content types
    with django_assert_max_num_queries(25) as counted:
        client.get(CHANGELIST)
    baseline = len(counted.captured_queries)
    for number in range(3):
        type_and_confirm(
            request_services.order_create(
                shop_id=typed_request.order.shop_id,
                number=f"T-{number}",
                customer_name="Typed Buyer",
                email="t@example.com",
            ).upload_request
        )
    with django_assert_max_num_queries(baseline) as counted:
        client.get(CHANGELIST)


def test_the_csv_says_how_the_data_came(client, alice, typed_request, photo_request):
    rows = csv_rows(act(login(client, alice), "export_csv", typed_request, photo_request))
    header = rows[0]
    source = header.index("Passport data")
    assert {row[0]: row[source] for row in rows[1:]} == {
        "A-100": "typed by the customer",
        "P-200": "read from a photo",
    }


def test_the_csv_leaves_the_source_empty_without_a_passport(client, alice, upload_request):
    rows = csv_rows(act(login(client, alice), "export_csv", upload_request))
    assert rows[1][rows[0].index("Passport data")] == ""


def test_the_shop_chooses_its_photo_policy(client, shop):
    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post(
        "/admin/uploads/customssettings/add/",
        {"shop": shop.pk, "accept_foreign": "on", "photo_policy": "not_collected"},
    )
    assert response.status_code == 302
    assert CustomsSettings.objects.get(shop=shop).photo_policy == PhotoPolicy.NOT_COLLECTED


def test_a_shop_that_collects_no_photos_cannot_ask_for_a_second_document(client, shop):
    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post(
        "/admin/uploads/customssettings/add/",
        {
            "shop": shop.pk,
            "accept_foreign": "on",
            "require_second_document": "on",
            "photo_policy": "not_collected",
        },
    )
    assert response.status_code == 200
    assert "cannot ask for a second document" in response.content.decode()
    assert not CustomsSettings.objects.exists()


PHOTO_REASON_VALUES = ["blurred", "glare", "wrong_page", "cut_off"]


def test_the_reject_form_of_a_typed_request_offers_no_photo_reasons(client, alice, typed_request):
    page = _change_page(login(client, alice), typed_request)
    for value in PHOTO_REASON_VALUES:
        assert f'value="{value}"' not in page
    for value in ("expired", "not_buyer", "other"):
        assert f'value="{value}"' in page


def test_the_reject_form_of_a_photo_request_offers_them(client, alice, photo_request):
    page = _change_page(login(client, alice), photo_request)
    for value in PHOTO_REASON_VALUES:
        assert f'value="{value}"' in page


@pytest.mark.parametrize("code", PHOTO_REASON_VALUES)
def test_the_service_refuses_a_photo_reason_for_typed_details(typed_request, alice, code):
    with pytest.raises(ServiceError) as refusal:
        request_services.request_reject(upload_request=typed_request, actor=alice, code=code)
    assert refusal.value.message == request_services.TYPED_PHOTO_REASON_MESSAGE
    typed_request.refresh_from_db()
    assert typed_request.status == UploadRequest.Status.UPLOADED


def test_the_service_rejects_typed_details_for_a_reason_about_them(typed_request, alice):
    request_services.request_reject(upload_request=typed_request, actor=alice, code="expired")
    typed_request.refresh_from_db()
    assert (typed_request.status, typed_request.rejection_code) == (
        UploadRequest.Status.REJECTED,
        "expired",
    )


def test_a_bulk_rejection_for_a_photo_reason_skips_typed_details(
    client, alice, typed_request, photo_request
):
    response = act(
        login(client, alice),
        "reject_selected",
        typed_request,
        photo_request,
        apply="1",
        code="blurred",
    )
    assert response.status_code == 302
    typed_request.refresh_from_db()
    photo_request.refresh_from_db()
    assert typed_request.status == UploadRequest.Status.UPLOADED
    assert photo_request.status == UploadRequest.Status.REJECTED
    texts = message_texts(response)
    assert f"{typed_request.order.number}: {request_services.TYPED_PHOTO_REASON_MESSAGE}" in texts
