"""Rate limits on the customer's link and pages: guessing and flooding get 429, in the visitor's
language, and the counters are per address and per link (Django's cache)."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login, submit_and_confirm
from uploads.documents import selectors as document_selectors
from uploads.models import PassportDocument

UNKNOWN = "/u/" + "Z" * 43 + "/"


@pytest.fixture
def tight(settings):  # type: ignore[no-untyped-def]
    settings.RATE_LIMIT_LINK_FAILURES = 3
    settings.RATE_LIMIT_LINK_OPENS = 4
    settings.RATE_LIMIT_PAGES_PER_MINUTE = 6
    settings.RATE_LIMIT_UPLOADS_PER_DAY = 2
    return settings


def test_it_answers_429_after_a_few_wrong_links_from_one_address(client, db, tight):
    for number in range(3):
        assert client.get(f"/u/{'Q' * 42}{number}/").status_code == 404
    response = client.get(UNKNOWN, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"


def test_it_blocks_even_a_right_link_from_a_guessing_address(client, link, tight):
    for _attempt in range(3):
        client.get(UNKNOWN)
    assert client.get(f"/u/{link.token}/").status_code == 429


def test_it_counts_wrong_links_per_address(link, tight):
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _attempt in range(3):
        guesser.get(UNKNOWN)
    assert guesser.get(UNKNOWN).status_code == 429
    customer = Client(REMOTE_ADDR="198.51.100.20")
    assert customer.get(f"/u/{link.token}/").status_code == 302


def test_it_does_not_count_working_links_as_failures(client, link, tight):
    for _attempt in range(4):
        assert client.get(f"/u/{link.token}/").status_code == 302
    assert client.get(UNKNOWN).status_code == 404


def test_it_limits_opens_of_one_link_from_many_addresses(link, tight):
    for number in range(4):
        assert (
            Client(REMOTE_ADDR=f"198.51.100.{number}").get(f"/u/{link.token}/").status_code == 302
        )
    assert Client(REMOTE_ADDR="198.51.100.99").get(f"/u/{link.token}/").status_code == 429


def test_it_trusts_the_proxys_address_only_behind_a_proxy(link, tight):
    tight.BEHIND_PROXY = True
    for number in range(3):
        # The client may write anything first; the proxy appends the address it saw.
        Client(HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 203.0.113.7").get(UNKNOWN)
    blocked = Client(HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7").get(UNKNOWN)
    assert blocked.status_code == 429
    other = Client(HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.1").get(UNKNOWN)
    assert other.status_code == 404


def test_it_limits_page_requests_per_address(customer, tight):
    statuses = [customer.get("/upload/").status_code for _attempt in range(7)]
    assert statuses[:6] == [200] * 6
    assert statuses[6] == 429


def test_it_limits_page_requests_per_upload_request_across_addresses(link, tight):
    tight.RATE_LIMIT_LINK_OPENS = 100
    statuses = []
    for number in range(8):
        browser = Client(REMOTE_ADDR=f"192.0.2.{number}")
        browser.get(f"/u/{link.token}/")
        statuses.append(browser.get("/upload/").status_code)
    assert 429 in statuses


def test_it_caps_uploads_per_request_and_reads_no_file_past_the_cap(
    customer, upload_request, passport_jpeg, tight, settings
):
    settings.RATE_LIMIT_PAGES_PER_MINUTE = 100

    def post():  # type: ignore[no-untyped-def]
        upload = BytesIO(passport_jpeg)
        upload.name = "passport.jpg"
        data = {"consent": "on", "consent_text_id": document_selectors.consent_text_current().pk}
        return customer.post("/upload/", {**data, "file": upload})

    assert post().status_code == 302
    assert post().status_code == 302
    response = post()
    assert response.status_code == 429
    assert PassportDocument.objects.filter(upload_request=upload_request).count() == 1


def test_it_does_not_limit_the_seller(client, alice, uploaded_request, tight):
    login(client, alice)
    url = reverse("admin:uploads_uploadrequest_change", args=[uploaded_request.pk])
    assert all(client.get(url).status_code == 200 for _attempt in range(8))


def test_it_keeps_working_for_a_customer_within_the_limits(customer, upload_request, passport_jpeg):
    submit_and_confirm(upload_request, passport_jpeg)
    assert customer.get("/upload/done/").status_code == 200
