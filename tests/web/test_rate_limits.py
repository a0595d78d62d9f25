"""Rate limits on the customer's link and pages: guessing and flooding get 429, in the visitor's
language, and the counters are per address and per link (Django's cache)."""

from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import consent_shown_to, login, submit_and_confirm
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


def test_it_opens_a_right_link_from_a_guessing_address(client, link, tight):
    # Behind a carrier's NAT the guesser and the customer share the address.
    for _attempt in range(5):
        client.get(UNKNOWN)
    assert client.get(UNKNOWN).status_code == 429
    assert Client().get(f"/u/{link.token}/").status_code == 302


def test_it_opens_a_valid_link_after_ten_wrong_ones_from_the_same_address(link):
    same_address = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(10):
        same_address.get(f"/u/{'Q' * 42}{number}/")
    response = same_address.get(f"/u/{link.token}/")
    assert response.status_code == 302
    assert same_address.get("/upload/").status_code == 200


def test_it_slows_wrong_links_down_for_seconds_growing_not_for_an_hour(client, db, tight, clock):
    for _attempt in range(3):
        assert client.get(UNKNOWN).status_code == 404
    waits = []
    for _round in range(4):
        refused = client.get(UNKNOWN)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock.shift(waits[-1])
        assert client.get(UNKNOWN).status_code == 404  # looked at again once the wait is over
    assert waits == [1, 2, 4, 8]
    clock.shift(60)
    assert client.get(UNKNOWN).status_code == 404


def test_it_caps_the_wait_of_a_persistent_guesser(client, db, tight, clock, settings):
    settings.RATE_LIMIT_LINK_MAX_DELAY_SECONDS = 5
    for _attempt in range(10):
        clock.shift(10)  # each wait over before the next try
        assert client.get(UNKNOWN).status_code == 404
    refused = client.get(UNKNOWN)
    assert (refused.status_code, refused["Retry-After"]) == (429, "5")


def test_it_forgets_wrong_links_after_the_window(client, db, tight, clock):
    for _attempt in range(3):
        client.get(UNKNOWN)
    clock.shift(tight.RATE_LIMIT_LINK_FAILURE_WINDOW_SECONDS + 1)
    for _attempt in range(3):
        assert client.get(UNKNOWN).status_code == 404


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


def test_it_limits_page_requests_per_customer(customer, tight):
    statuses = [customer.get("/upload/").status_code for _attempt in range(7)]
    assert statuses[:6] == [200] * 6
    assert statuses[6] == 429


def test_it_limits_page_requests_without_a_session_per_address(client, db, tight):
    statuses = [client.get("/upload/").status_code for _attempt in range(7)]
    assert statuses[:6] == [404] * 6
    assert statuses[6] == 429


def test_it_does_not_let_others_behind_the_same_address_use_up_a_customers_pages(customer, tight):
    for _attempt in range(10):
        Client().get("/upload/")  # the same address (the test client's), no session
    assert customer.get("/upload/").status_code == 200


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
        data = {"consent": "on", "consent_document_id": consent_shown_to(customer)}
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
