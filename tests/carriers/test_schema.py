"""What the portal sends keeps to CDEK's documented schema (names, types, lengths, formats)."""

import re

from tests.carriers.cdek_standin import RECIPIENT_KNOWN, recipient_errors
from uploads.carriers import services as carrier_services
from uploads.carriers.cdek.carrier import RECIPIENT_FIELDS


def test_it_sends_bodies_that_match_the_documented_schema(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    order = cdek.add_order("A-100")
    with django_capture_on_commit_callbacks(execute=True):
        carrier_services.carrier_send_queue(upload_request=ready_request)

    (token_call,) = cdek.calls_to("POST", "/v2/oauth/token")
    assert token_call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert set(token_call.body) == {"grant_type", "client_id", "client_secret"}
    assert token_call.body["grant_type"] == "client_credentials"

    (lookup,) = cdek.calls_to("GET", "/v2/orders")
    assert lookup.query == {"im_number": ["A-100"]}
    (patch,) = cdek.calls_to("PATCH", "/v2/orders")
    assert patch.headers["authorization"].startswith("Bearer ")
    assert patch.headers["content-type"].startswith("application/json")
    assert set(patch.body) == {"uuid", "recipient"}
    assert patch.body["uuid"] == order.uuid
    recipient = patch.body["recipient"]
    assert recipient_errors(recipient) == []
    assert set(recipient) <= set(RECIPIENT_FIELDS) <= RECIPIENT_KNOWN
    for name in ("passport_date_of_issue", "passport_date_of_birth"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", recipient[name])
    assert all(isinstance(value, str) and len(value) <= 255 for value in recipient.values())


def test_it_sends_the_phone_as_cdeks_phones_list(
    upload_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    from tests.carriers.fixtures import make_ready

    upload_request.order.phone = "+79001234567"
    upload_request.order.save()
    make_ready(upload_request)
    cdek.add_order("A-100")
    with django_capture_on_commit_callbacks(execute=True):
        carrier_services.carrier_send_queue(upload_request=upload_request)
    (patch,) = cdek.calls_to("PATCH", "/v2/orders")
    assert patch.body["recipient"]["phones"] == [{"number": "+79001234567"}]
    assert recipient_errors(patch.body["recipient"]) == []


def test_the_standin_refuses_what_cdek_would():
    assert recipient_errors({}) == [("v2_field_is_empty", "recipient.name")]
    refused = recipient_errors(
        {
            "name": "x" * 256,
            "passport_date_of_birth": "23.05.1965",
            "passport_date_of_issue": "2015-02-30",
            "tin": "12345",
            "phones": [{"number": ""}],
            "passport": "4510 123456",
        }
    )
    assert [code for code, _where in refused] == [
        "v2_invalid_field",
        "v2_invalid_value_type",
        "v2_invalid_format",
        "v2_invalid_format",
        "v2_invalid_format",
        "v2_invalid_format",
    ]
