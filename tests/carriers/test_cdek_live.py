"""The hand-over against CDEK's real test environment (``api.edu.cdek.ru``), run by hand before
production, through the same services the admin uses:

    CDEK_LIVE_CLIENT_ID=... CDEK_LIVE_CLIENT_SECRET=... [CDEK_LIVE_CDEK_NUMBER=...] make test-cdek-live

Skipped without the credentials: CI, and the machine this was written on, have no network to
CDEK, so everything else in tests/carriers runs against the stand-in. CDEK's documentation gives a
public account for its test environment; ``CDEK_LIVE_CDEK_NUMBER`` is an order created in that
account (its CDEK number) for the full hand-over. Without it, the token, a wrong secret and an
order CDEK does not know are checked. ``CDEK_LIVE_URL`` points elsewhere (a proxy, production
with care). The passport sent is the fixtures' made-up one, never a real person's.
"""

import os
import secrets
import time

import pytest

from tests.carriers.fixtures import make_ready
from uploads.carriers import sending
from uploads.carriers import services as carrier_services
from uploads.carriers.base import ConnectionProblem
from uploads.carriers.cdek.client import tokens_forget
from uploads.models import CarrierOrder, CarrierSend, CdekAccount, Shop, UploadRequest

CLIENT_ID = os.environ.get("CDEK_LIVE_CLIENT_ID", "")
CLIENT_SECRET = os.environ.get("CDEK_LIVE_CLIENT_SECRET", "")
CDEK_NUMBER = os.environ.get("CDEK_LIVE_CDEK_NUMBER", "")

pytestmark = [
    pytest.mark.cdek_live,
    pytest.mark.skipif(
        not (CLIENT_ID and CLIENT_SECRET),
        reason="CDEK_LIVE_CLIENT_ID and CDEK_LIVE_CLIENT_SECRET not set (no CDEK test account)",
    ),
]

# CDEK answers a hand-over asynchronously; its test environment usually settles within seconds.
SETTLE_SECONDS = 90


@pytest.fixture
def live(settings):
    settings.CDEK_API_URL_TEST = os.environ.get("CDEK_LIVE_URL", "https://api.edu.cdek.ru")
    settings.CARRIER_TIMEOUT_SECONDS = 20
    tokens_forget()
    yield
    tokens_forget()


@pytest.fixture
def live_account(live, shop: Shop) -> CdekAccount:
    return carrier_services.cdek_account_save(
        shop=shop, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    )


def test_it_gets_a_token(live_account):
    assert carrier_services.cdek_account_check(account=live_account) == ConnectionProblem.OK


def test_it_says_a_wrong_secret_is_wrong(live, shop):
    account = carrier_services.cdek_account_save(
        shop=shop, client_id=CLIENT_ID, client_secret=CLIENT_SECRET + "-not"
    )
    assert carrier_services.cdek_account_check(account=account) == (
        ConnectionProblem.WRONG_CREDENTIALS
    )


def test_it_reads_an_unknown_order_as_a_status(live_account, upload_request: UploadRequest):
    upload_request.order.number = f"PP-LIVE-{secrets.token_hex(6)}"
    upload_request.order.save(update_fields=["number"])
    link = carrier_services.carrier_order_look_up(upload_request=upload_request)
    assert link.lookup == CarrierOrder.Lookup.NOT_FOUND


@pytest.mark.skipif(not CDEK_NUMBER, reason="CDEK_LIVE_CDEK_NUMBER not set (no test order)")
def test_it_hands_the_passport_over_and_reads_cdeks_view_back(
    live_account, upload_request: UploadRequest, alice, django_capture_on_commit_callbacks
):
    make_ready(upload_request)
    carrier_services.carrier_order_set_number(
        upload_request=upload_request, cdek_number=CDEK_NUMBER
    )
    with django_capture_on_commit_callbacks(execute=True):
        send = carrier_services.carrier_send_queue(upload_request=upload_request, actor=alice)
    send.refresh_from_db()
    assert send.state in (CarrierSend.State.ACCEPTED, CarrierSend.State.SUCCESSFUL), send.answers

    deadline = time.monotonic() + SETTLE_SECONDS
    while send.state == CarrierSend.State.ACCEPTED and time.monotonic() < deadline:
        time.sleep(3)
        sending.carriers_poll()
        send.refresh_from_db()
    assert send.state == CarrierSend.State.SUCCESSFUL, (send.state, send.answers)
    sending.carriers_poll()  # CDEK's view of the order, asked once the update is taken

    link = CarrierOrder.objects.get(upload_request=upload_request)
    assert link.lookup == CarrierOrder.Lookup.LINKED
    assert link.readiness in (CarrierOrder.Readiness.SATISFIED, CarrierOrder.Readiness.MISSING), (
        link.readiness,
        link.readiness_code,
    )
