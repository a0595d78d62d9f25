"""Customers' ratings in the seller's admin: a column and filter on requests, a read-only list."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.conftest import login, submit_and_confirm
from uploads.feedback.services import feedback_submit
from uploads.models import Feedback
from uploads.requests import services as request_services

REQUESTS = reverse("admin:uploads_uploadrequest_changelist")
FEEDBACK = reverse("admin:uploads_feedback_changelist")


@pytest.fixture
def rated(uploaded_request):
    return feedback_submit(
        upload_request=uploaded_request, rating=2, comment="The camera would not focus"
    )


@pytest.fixture
def other_rated(other_shop, passport_jpeg):
    link = request_services.order_create(shop_id=other_shop.pk, number="B-7", customer_name="Boris")
    submit_and_confirm(link.upload_request, passport_jpeg)
    return feedback_submit(upload_request=link.upload_request, rating=5, comment="Bob's secret")


def may_view_feedback(user):  # type: ignore[no-untyped-def]
    user.user_permissions.add(Permission.objects.get(codename="view_feedback"))
    return user


def test_it_shows_the_rating_in_the_requests_list(client, alice, rated):
    page = login(client, alice).get(REQUESTS).content.decode()
    assert "★★☆☆☆" in page


def test_it_filters_requests_by_rating(client, alice, rated, upload_request, shop):
    unrated = request_services.order_create(shop_id=shop.pk, number="A-200", customer_name="Ivan")
    client = login(client, alice)
    two = client.get(REQUESTS, {"rating": "2"}).content.decode()
    assert "A-100" in two
    assert "A-200" not in two
    none = client.get(REQUESTS, {"rating": "none"}).content.decode()
    assert "A-200" in none
    assert "A-100" not in none
    assert unrated.upload_request.pk
    assert client.get(REQUESTS, {"rating": "nonsense"}).status_code in (200, 302)


def test_it_lists_the_feedback_of_the_sellers_shops_only(client, alice, rated, other_rated):
    page = login(client, may_view_feedback(alice)).get(FEEDBACK).content.decode()
    assert "The camera would not focus" in page
    assert "A-100" in page
    assert "Bob&#x27;s secret" not in page
    assert "B-7" not in page


def test_it_filters_feedback_by_rating(client, alice, rated):
    client = login(client, may_view_feedback(alice))
    assert "A-100" in client.get(FEEDBACK, {"rating__exact": "2"}).content.decode()
    assert "A-100" not in client.get(FEEDBACK, {"rating__exact": "5"}).content.decode()


def test_it_does_not_let_anyone_change_or_delete_feedback(client, alice, rated):
    client = login(client, may_view_feedback(alice))
    change = reverse("admin:uploads_feedback_change", args=[rated.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="comment"' not in page.content.decode()  # read only
    assert client.post(change, {"comment": "edited", "rating": 5}).status_code == 403
    assert client.get(reverse("admin:uploads_feedback_add")).status_code == 403
    delete = reverse("admin:uploads_feedback_delete", args=[rated.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Feedback.objects.get().comment == "The camera would not focus"


def test_it_hides_another_shops_feedback_page(client, alice, other_rated):
    client = login(client, may_view_feedback(alice))
    response = client.get(reverse("admin:uploads_feedback_change", args=[other_rated.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect


def test_it_needs_the_permission_to_see_the_list(client, charlie, rated):
    assert login(client, charlie).get(FEEDBACK).status_code == 403
