"""Handing a ready request to CDEK (the stand-in): the happy path and each failure."""

import re

import pytest

from uploads.carriers import sending
from uploads.carriers import services as carrier_services
from uploads.models import AuditEvent, CarrierOrder, CarrierSend

State = CarrierSend.State

# What the log holds by chance and a passport value can hide in: the stand-in's random port
# (127.0.0.1:45101 held the series 4510), the orders' random UUIDs (a UUID4's third group
# starts with 4, as that series does) and the tasks' random ids.
CHANCE_IN_LOG = re.compile(
    r"127\.0\.0\.1:\d+"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|Task id=\w+"
)


def leaked(secrets: list[str], text: str) -> list[str]:
    """The secrets the text holds, once what it holds by chance is taken out."""
    text = CHANCE_IN_LOG.sub("…", text)
    return [secret for secret in secrets if secret in text]


def test_it_tells_a_leak_from_a_random_port_uuid_or_task_id() -> None:
    chance = (
        "Starting new HTTP connection (1): 127.0.0.1:45101 "
        "GET /v2/orders/893b0a66-1605-4510-b109-d09a02a05be0 Task id=x4510"
    )
    assert leaked(["4510"], chance) == []
    assert leaked(["4510"], chance + " passport_series=4510") == ["4510"]


def send_now(upload_request, actor, capture) -> CarrierSend:
    with capture(execute=True):
        send = carrier_services.carrier_send_queue(upload_request=upload_request, actor=actor)
    send.refresh_from_db()
    return send


def test_it_hands_the_record_over_and_reads_back_requirements_met(
    ready_request, cdek, cdek_account, alice, django_capture_on_commit_callbacks
):
    order = cdek.add_order("A-100")
    send = send_now(ready_request, alice, django_capture_on_commit_callbacks)
    assert send.state == State.ACCEPTED
    assert send.attempts == 1
    assert order.recipient == {
        "name": "ИВАНОВ ИВАН ИВАНОВИЧ",
        "passport_series": "4510",
        "passport_number": "123456",
        "passport_date_of_issue": "2015-07-14",
        "passport_organization": "ОУФМС России по г. Москве",
        "passport_date_of_birth": "1965-05-23",
        "tin": "500100732259",
        "email": "anna@example.com",
    }
    link = CarrierOrder.objects.get(upload_request=ready_request)
    assert (link.order_uuid, link.cdek_number, link.lookup) == (
        order.uuid,
        str(order.cdek_number),
        CarrierOrder.Lookup.LINKED,
    )

    summary = sending.carriers_poll()
    send.refresh_from_db()
    link.refresh_from_db()
    assert send.state == State.SUCCESSFUL
    assert link.readiness == CarrierOrder.Readiness.SATISFIED
    assert (summary.sends_checked, summary.orders_checked, summary.satisfied) == (1, 1, 1)

    event = AuditEvent.objects.get(action=AuditEvent.Action.CARRIER_SEND)
    assert event.actor == alice
    assert event.upload_request == ready_request
    assert event.detail.startswith("CDEK: email, name, passport_date_of_birth")
    assert "123456" not in event.detail and "ИВАНОВ" not in event.detail


def test_it_gets_one_new_token_when_the_token_has_expired(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    order = cdek.add_order("A-100")
    send_now(ready_request, None, django_capture_on_commit_callbacks)
    sending.carriers_poll()
    cdek.expire_tokens()
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert send.state == State.ACCEPTED
    assert len(cdek.calls_to("POST", "/v2/oauth/token")) == 2
    # The update refused for the expired token went again, once, with the new one.
    assert len(cdek.calls_to("PATCH", "/v2/orders")) == 3
    assert order.patches == 2


@pytest.mark.parametrize("status", [429, 500, 503])
def test_it_tries_again_later_when_cdek_is_busy_or_down(
    ready_request, cdek, cdek_account, settings, status, django_capture_on_commit_callbacks
):
    cdek.add_order("A-100")
    cdek.fail_next(status, count=2)  # the look-up, then the update on the second attempt
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert (send.state, send.attempts, send.http_status) == (State.RETRYING, 1, status)
    assert send.next_attempt_at is not None
    assert sending.sends_due() == []  # not before its time

    settings.CARRIER_RETRY_BASE_SECONDS = 0
    CarrierSend.objects.filter(pk=send.pk).update(next_attempt_at=send.created_at)
    carrier_services.carrier_sends_retry_due()
    carrier_services.carrier_sends_retry_due()
    send.refresh_from_db()
    assert (send.state, send.attempts) == (State.ACCEPTED, 3)


def test_it_gives_up_after_the_last_attempt(
    ready_request, cdek, cdek_account, settings, django_capture_on_commit_callbacks
):
    settings.CARRIER_MAX_ATTEMPTS = 2
    settings.CARRIER_RETRY_BASE_SECONDS = 0
    cdek.add_order("A-100")
    cdek.fail_next(500, count=10)
    send_now(ready_request, None, django_capture_on_commit_callbacks)
    carrier_services.carrier_sends_retry_due()
    send = CarrierSend.objects.get()
    assert (send.state, send.attempts) == (State.FAILED, 2)


def test_it_keeps_cdeks_refusal_without_the_values_and_does_not_retry(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    cdek.add_order("A-100")
    cdek.fail_next(
        400,
        payload={
            "requests": [
                {
                    "type": "UPDATE",
                    "state": "INVALID",
                    "errors": [
                        {
                            "code": "v2_invalid_format",
                            "message": "Recipient passport number 123456 is not valid",
                        }
                    ],
                }
            ]
        },
        after=1,  # the look-up passes; the update is refused
    )
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert (send.state, send.attempts, send.http_status) == (State.REFUSED, 1, 400)
    assert send.answers == [
        {"code": "v2_invalid_format", "message": "Recipient passport number … is not valid"}
    ]
    assert sending.sends_due() == []


def test_it_keeps_a_refusal_cdek_made_while_processing(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    cdek.add_order("A-100")
    cdek.invalidate_next()
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert send.state == State.ACCEPTED
    sending.carriers_poll()
    send.refresh_from_db()
    assert send.state == State.REFUSED
    assert send.answers[0]["code"] == "v2_recipient_passport_invalid"


def test_it_says_when_cdek_does_not_know_the_order(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert send.state == State.NOT_FOUND
    assert send.answers[0]["code"] == "v2_entity_not_found_im_number"
    assert CarrierOrder.objects.get().lookup == CarrierOrder.Lookup.NOT_FOUND
    assert cdek.calls_to("PATCH", "/v2/orders") == []


def test_it_finds_the_order_by_the_cdek_number_the_seller_typed(
    ready_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    order = cdek.add_order("SOMETHING-ELSE")
    carrier_services.carrier_order_set_number(
        upload_request=ready_request, cdek_number=str(order.cdek_number)
    )
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    assert send.state == State.ACCEPTED
    assert cdek.calls_to("GET", "/v2/orders")[0].query == {"cdek_number": [str(order.cdek_number)]}
    assert order.patches == 1


def test_it_refuses_to_queue_a_request_that_is_not_ready(upload_request, cdek_account):
    from uploads.core.errors import ServiceError

    with pytest.raises(ServiceError):
        carrier_services.carrier_send_queue(upload_request=upload_request)
    assert not CarrierSend.objects.exists()


def test_it_does_not_queue_a_second_send_while_one_is_on_its_way(ready_request, cdek_account):
    first = carrier_services.carrier_send_queue(upload_request=ready_request)
    second = carrier_services.carrier_send_queue(upload_request=ready_request)
    assert first == second


class WorkerKilled(BaseException):
    """The worker process dies (SIGKILL) right after CDEK took the update."""


def test_it_sends_nothing_twice_and_loses_nothing_when_a_worker_dies_mid_send(
    ready_request, cdek, cdek_account, clock, monkeypatch
):
    from datetime import timedelta

    from uploads.carriers.cdek.carrier import CdekCarrier

    order = cdek.add_order("A-100")
    send = carrier_services.carrier_send_queue(upload_request=ready_request)  # not committed yet
    real_send = CdekCarrier.send

    def send_then_die(self, record):  # type: ignore[no-untyped-def]
        real_send(self, record)
        raise WorkerKilled

    monkeypatch.setattr(CdekCarrier, "send", send_then_die)
    with pytest.raises(WorkerKilled):
        sending.send_attempt(send_id=send.pk)
    monkeypatch.setattr(CdekCarrier, "send", real_send)

    send.refresh_from_db()
    # Recorded before the call: claimed, the fields named, the hand-over audited.
    assert (send.state, send.attempts) == (State.SENDING, 1)
    assert "passport_number" in send.fields
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CARRIER_SEND).count() == 1
    assert sending.sends_due() == []  # under its worker's lease

    clock.move_to(clock_now(send) + sending.lease() + timedelta(seconds=1))
    assert carrier_services.carrier_sends_retry_due() == 1
    send.refresh_from_db()
    assert (send.state, send.attempts) == (State.ACCEPTED, 2)
    assert order.patches == 2
    assert order.changes == 1  # the same data twice: CDEK keeps nothing different
    sending.carriers_poll()
    send.refresh_from_db()
    assert send.state == State.SUCCESSFUL
    assert CarrierOrder.objects.get().readiness == CarrierOrder.Readiness.SATISFIED


def clock_now(send):  # type: ignore[no-untyped-def]
    return send.created_at


def test_it_sends_automatically_when_a_request_becomes_ready(
    upload_request, cdek, shop, django_capture_on_commit_callbacks
):
    from tests.carriers.fixtures import make_ready

    carrier_services.cdek_account_save(
        shop=shop, client_id=cdek.client_id, client_secret=cdek.client_secret, auto_send=True
    )
    order = cdek.add_order("A-100")
    with django_capture_on_commit_callbacks(execute=True):
        make_ready(upload_request)
    send = CarrierSend.objects.get()
    assert send.actor is None
    assert send.state == State.ACCEPTED
    assert order.patches == 1

    # Accepting the same passport changes nothing the carrier was given: no second send.
    from uploads.requests import services as request_services

    with django_capture_on_commit_callbacks(execute=True):
        request_services.request_accept(upload_request=upload_request, actor=None)
    assert CarrierSend.objects.count() == 1


def test_it_does_not_send_automatically_unless_the_shop_says_so(
    upload_request, cdek, cdek_account, django_capture_on_commit_callbacks
):
    from tests.carriers.fixtures import make_ready

    cdek.add_order("A-100")
    with django_capture_on_commit_callbacks(execute=True):
        make_ready(upload_request)
    assert not CarrierSend.objects.exists()
    assert cdek.calls == []


def test_it_keeps_passport_values_out_of_logs_and_task_arguments(
    ready_request, cdek, cdek_account, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    import inspect
    import logging

    from tests.carriers.fixtures import RU_INTERNAL_FIELDS
    from uploads.carriers import tasks as carrier_tasks

    enqueued: list[dict] = []
    real_enqueue = carrier_tasks.send_enqueue

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        enqueued.append(kwargs)
        return real_enqueue(**kwargs)

    monkeypatch.setattr(carrier_tasks, "send_enqueue", spy)
    # The task takes an id and nothing else.
    assert list(inspect.signature(carrier_tasks.send_to_carrier.func).parameters) == ["send_id"]
    cdek.add_order("A-100")
    caplog.set_level(logging.DEBUG)
    send = send_now(ready_request, None, django_capture_on_commit_callbacks)
    sending.carriers_poll()
    assert enqueued == [{"send_id": send.pk}]
    secrets = [value for value in RU_INTERNAL_FIELDS.values() if len(value) > 3]
    secrets += [cdek.client_secret, *cdek.tokens]
    assert not leaked(secrets, caplog.text)
    stored = CarrierSend.objects.get()
    assert not leaked(secrets, str(stored.answers) + str(stored.fields))
