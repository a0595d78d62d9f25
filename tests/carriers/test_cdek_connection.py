"""The shop's CDEK account: credentials sealed, and "check the connection" saying what is wrong."""

import socket

from uploads.carriers import registry
from uploads.carriers import services as carrier_services
from uploads.carriers.base import ConnectionProblem
from uploads.carriers.cdek.client import tokens_forget
from uploads.models import CdekAccount


def test_it_keeps_the_credentials_sealed(cdek_account, cdek):
    stored = CdekAccount.objects.get(pk=cdek_account.pk)
    for sealed in (stored.client_id_sealed, stored.client_secret_sealed):
        assert cdek.client_id.encode() not in bytes(sealed)
        assert cdek.client_secret.encode() not in bytes(sealed)
    carrier = registry.cdek_carrier(account=stored)
    assert cdek.client_secret not in repr(carrier)
    assert carrier.check_connection() == ConnectionProblem.OK


def test_it_keeps_the_stored_secret_when_the_form_leaves_it_empty(cdek_account, cdek, shop):
    carrier_services.cdek_account_save(shop=shop, client_id="", client_secret="", auto_send=True)
    account = CdekAccount.objects.get(pk=cdek_account.pk)
    assert account.auto_send
    assert carrier_services.cdek_account_check(account=account) == ConnectionProblem.OK
    assert account.check_outcome == "ok"


def test_it_says_the_credentials_are_wrong(cdek, shop):
    account = carrier_services.cdek_account_save(
        shop=shop, client_id=cdek.client_id, client_secret="not-the-secret"
    )
    assert carrier_services.cdek_account_check(account=account) == (
        ConnectionProblem.WRONG_CREDENTIALS
    )


def test_it_says_cdek_cannot_be_reached(cdek, shop, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CDEK_API_URL_TEST = f"http://127.0.0.1:{port}"
    account = carrier_services.cdek_account_save(shop=shop, client_id="a", client_secret="b")
    assert carrier_services.cdek_account_check(account=account) == ConnectionProblem.UNREACHABLE


def test_it_says_cdek_did_not_answer_in_time(cdek, cdek_account, settings):
    settings.CARRIER_TIMEOUT_SECONDS = 1
    cdek.slow(1.5)
    tokens_forget()
    assert carrier_services.cdek_account_check(account=cdek_account) == ConnectionProblem.TIMEOUT


def test_it_uses_the_production_address_when_the_shop_says_so(cdek, shop, settings):
    settings.CDEK_API_URL_PRODUCTION = cdek.url
    settings.CDEK_API_URL_TEST = "http://127.0.0.1:9"
    account = carrier_services.cdek_account_save(
        shop=shop,
        client_id=cdek.client_id,
        client_secret=cdek.client_secret,
        environment=CdekAccount.Environment.PRODUCTION,
    )
    assert carrier_services.cdek_account_check(account=account) == ConnectionProblem.OK


def test_it_says_cdek_answered_something_that_is_not_a_token(cdek, cdek_account, monkeypatch):
    monkeypatch.setattr(cdek, "_token", lambda query, body: (200, {"token": "no"}))
    tokens_forget()
    assert carrier_services.cdek_account_check(account=cdek_account) == (
        ConnectionProblem.UNEXPECTED
    )
