"""`manage.py poll_carriers`: sends what is due, reads CDEK's answers back, one run at a time."""

import fcntl
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.carriers.fixtures import cdek, cdek_account, ready_request
from uploads.carriers import services as carrier_services
from uploads.models import CarrierOrder, CarrierSend

__all__ = ["cdek", "cdek_account", "ready_request"]


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("poll_carriers", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_sends_what_is_due_and_reads_the_answers_back(ready_request, cdek, cdek_account):
    cdek.add_order("A-100")
    carrier_services.carrier_send_queue(upload_request=ready_request)  # the task never ran
    out, _err = run()
    assert out.startswith(
        "1 hand-over attempt(s); 1 update(s) followed; 1 order(s) asked: 1 requirements met"
    )
    assert CarrierSend.objects.get().state == CarrierSend.State.SUCCESSFUL
    assert CarrierOrder.objects.get().readiness == CarrierOrder.Readiness.SATISFIED
    out, _err = run()  # satisfied orders are not asked again
    assert out.startswith("0 hand-over attempt(s); 0 update(s) followed; 0 order(s) asked")


def test_it_reports_an_order_cdek_says_is_still_missing(
    ready_request, cdek, cdek_account, settings
):
    order = cdek.add_order("A-100")
    carrier_services.carrier_send_queue(upload_request=ready_request)
    run()
    order.recipient.pop("passport_date_of_issue")  # CDEK lost a field on its side
    CarrierOrder.objects.update(readiness=CarrierOrder.Readiness.MISSING)
    out, _err = run()
    assert "1 order(s) asked: 0 requirements met, 1 still missing" in out


def test_it_does_nothing_while_another_run_holds_the_lock(
    ready_request, cdek, cdek_account, settings
):
    cdek.add_order("A-100")
    carrier_services.carrier_send_queue(upload_request=ready_request)
    lock_path = Path(settings.DATA_DIR) / "poll_carriers.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        out, err = run()
    assert out == ""
    assert "another run is still going" in err
    assert CarrierSend.objects.get().state == CarrierSend.State.QUEUED
    assert cdek.calls == []


def test_it_queues_what_automatic_sending_missed(ready_request, cdek, shop):
    from uploads.models import CdekAccount

    carrier_services.cdek_account_save(
        shop=shop, client_id=cdek.client_id, client_secret=cdek.client_secret
    )
    cdek.add_order("A-100")
    CdekAccount.objects.update(auto_send=True)  # switched on after the request became ready
    out, _err = run()
    assert out.startswith("1 hand-over attempt(s)")
    assert CarrierSend.objects.get().state == CarrierSend.State.SUCCESSFUL
    run()
    assert CarrierSend.objects.count() == 1
