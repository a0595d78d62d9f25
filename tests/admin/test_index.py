"""The admin index: each of the seller's shops with what needs doing, each count a link (#16.11)."""

import html
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from uploads.models import UploadRequest
from uploads.requests import services as request_services

INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:uploads_uploadrequest_changelist")


def counts_on(page: str) -> dict[str, tuple[int, str]]:
    """Each count on the index: its label, value and link."""
    found = re.findall(r'<li><a href="([^"]+)"><strong>(\d+)</strong>([^<]+)</a></li>', page)
    return {label: (int(value), html.unescape(url)) for url, value, label in found}


def test_it_shows_the_shops_counts_with_links_to_the_filtered_lists(
    client, alice, shop, uploaded_request
):
    late = request_services.order_create(
        shop_id=shop.pk,
        number="LATE",
        customer_name="Late",
        deadline=timezone.localdate() - timedelta(days=1),
        send_invitation=False,
    ).upload_request
    assert late.status == UploadRequest.Status.WAITING
    page = login(client, alice).get(INDEX).content.decode()
    assert "Alice&#x27;s Goods" in page
    assert counts_on(page) == {
        "waiting for upload": (1, f"{CHANGELIST}?status__exact=waiting&shop={shop.pk}"),
        "uploaded, to check": (1, f"{CHANGELIST}?status__exact=uploaded&shop={shop.pk}"),
        "overdue": (1, f"{CHANGELIST}?overdue=yes&shop={shop.pk}"),
        "ready for customs": (0, f"{CHANGELIST}?customs_ready=yes&shop={shop.pk}"),
    }


def test_each_count_leads_to_a_list_of_that_many(client, alice, shop, uploaded_request):
    login(client, alice)
    for _label, (value, url) in counts_on(client.get(INDEX).content.decode()).items():
        listed = client.get(url).context["cl"].result_list
        assert len(listed) == value, url


def test_it_shows_only_the_users_own_shops(client, bob, shop, uploaded_request, other_shop):
    page = login(client, bob).get(INDEX).content.decode()
    assert "Bob&#x27;s Bazaar" in page
    assert "Alice&#x27;s Goods" not in page
    assert counts_on(page)["uploaded, to check"][0] == 0
