"""Handing 1,000 ready requests to CDEK: `make bench-carrier` (BENCH_N=1000, BENCH_FAULTS=0.1).

A CDEK stand-in (tests/carriers/cdek_standin.py) on loopback; a throw-away SQLite database; the
immediate task backend (each queued hand-over is attempted at once), retries due at once
(``CARRIER_RETRY_BASE_SECONDS=0``) and made by the cron pass (``carrier_sends_retry_due``) until
none is left; then the answers read back (``poll_carriers``' own work) until every order is
asked. Two runs in the same process: a baseline of ``BENCH_BASELINE`` requests with a stand-in
that never fails, then ``BENCH_N`` with ``BENCH_FAULTS`` of CDEK's answers 429 or 500.

Per send: the wall time of all its attempts together. Checked at the end: every order's
requirements are met and CDEK took each recipient exactly once (one accepted update, one change).
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    size = int(os.environ.get("BENCH_N", "1000"))
    baseline_size = int(os.environ.get("BENCH_BASELINE", "200"))
    faults = float(os.environ.get("BENCH_FAULTS", "0.1"))
    # The database on a RAM disk where there is one: the measurement is the portal's work and
    # the calls to CDEK, not the machine's fsync (six commits a send on SQLite).
    ram_disk = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a private mkdtemp inside
    with tempfile.TemporaryDirectory(dir=ram_disk) as data_dir:
        os.environ["DATA_DIR"] = data_dir
        os.environ["CARRIER_RETRY_BASE_SECONDS"] = "0"
        os.environ["CARRIER_MAX_ATTEMPTS"] = "20"
        os.environ["TASKS_BACKEND"] = "immediate"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ.pop("DATABASE_URL", None)
        import logging

        import django

        django.setup()
        logging.disable(logging.INFO)  # the per-task lines would time the terminal
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from tests.carriers.cdek_standin import CdekStandin

        rows = []
        for label, count, ratio in (
            ("warm-up", 20, 0.0),  # fills caches and imports; not reported
            ("baseline", baseline_size, 0.0),
            ("10% 429/500", size, faults),
        ):
            with CdekStandin() as standin:
                rows.append(run(label, count, ratio, standin))
        rows = rows[1:]
    load = os.getloadavg()[0]
    print()
    print(
        f"{'run':<13} {'sends':>6} {'faults':>7} {'seconds':>8} {'sends/s':>8} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'attempts':>9} {'429/500':>8} {'satisfied':>10} {'sent twice':>11}"
    )
    for row in rows:
        print(
            f"{row['label']:<13} {row['n']:>6} {row['faults']:>7} {row['seconds']:>8.2f} "
            f"{row['rate']:>8.1f} {row['p50']:>7.1f} {row['p95']:>7.1f} {row['attempts']:>9} "
            f"{row['injected']:>8} {row['satisfied']:>10} {row['twice']:>11}"
        )
    base, loaded = rows[0], rows[-1]
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} cores")
    print(
        f"\nwith faults vs baseline: throughput {loaded['rate'] / base['rate']:.2f}x, "
        f"p95 per send {loaded['p95'] / base['p95']:.2f}x"
    )
    if any(row["satisfied"] != row["n"] or row["twice"] for row in rows):
        sys.exit("not every request ended satisfied exactly once")


def run(label: str, count: int, ratio: float, standin) -> dict:  # type: ignore[no-untyped-def]
    from django.conf import settings

    from uploads.carriers import sending
    from uploads.carriers import services as carrier_services
    from uploads.carriers.cdek.client import tokens_forget
    from uploads.models import CarrierOrder, CarrierSend, ConsentText, Shop
    from uploads.papers.operator import DEMO_OPERATOR

    settings.CDEK_API_URL_TEST = standin.url
    tokens_forget()
    shop = Shop.objects.create(name=f"Bench {label}", **DEMO_OPERATOR)
    carrier_services.cdek_account_save(
        shop=shop, client_id=standin.client_id, client_secret=standin.client_secret
    )
    consent_text = ConsentText.objects.first() or ConsentText.objects.create(
        version="bench", body="bench"
    )
    requests = []
    for index in range(count):
        number = f"{label[:2]}-{index}"
        requests.append(_ready(shop, number, consent_text))
        standin.add_order(number)
    standin.fail_ratio(ratio)
    spent: dict[int, float] = {}
    started = time.perf_counter()
    for upload_request in requests:
        began = time.perf_counter()
        send = carrier_services.carrier_send_queue(upload_request=upload_request)
        spent[send.pk] = time.perf_counter() - began
    while due := sending.sends_due(limit=1000):
        for send_id in due:
            began = time.perf_counter()
            sending.send_attempt(send_id=send_id)
            spent[send_id] += time.perf_counter() - began
    while CarrierSend.objects.filter(state=CarrierSend.State.ACCEPTED).exists() or (
        CarrierOrder.objects.filter(upload_request__order__shop=shop)
        .exclude(readiness=CarrierOrder.Readiness.SATISFIED)
        .exists()
    ):
        sending.carriers_poll(limit=1000)
    seconds = time.perf_counter() - started
    standin.fail_ratio(0.0)
    durations = sorted(value * 1000 for value in spent.values())
    sends = CarrierSend.objects.filter(upload_request__order__shop=shop)
    orders = [standin.order_by_number(each.order.number) for each in requests]
    return {
        "label": label,
        "n": count,
        "faults": f"{ratio:.0%}",
        "seconds": seconds,
        "rate": count / seconds,
        "p50": statistics.median(durations),
        "p95": durations[int(len(durations) * 0.95) - 1],
        "attempts": sum(send.attempts for send in sends),
        "injected": standin.injected,
        "satisfied": CarrierOrder.objects.filter(
            upload_request__order__shop=shop, readiness=CarrierOrder.Readiness.SATISFIED
        ).count(),
        "twice": sum(1 for order in orders if order.patches != 1 or order.changes != 1),
    }


def _ready(shop, number: str, consent_text):  # type: ignore[no-untyped-def]
    from uploads.core import crypto
    from uploads.customs.services import decisions as customs_decisions
    from uploads.documents import selectors as document_selectors
    from uploads.documents import services as document_services
    from uploads.models import Consent, PassportDocument
    from uploads.requests import services as request_services

    link = request_services.order_create(
        shop_id=shop.pk,
        number=number,
        customer_name="Bench",
        email="bench@example.com",
        send_invitation=False,
    )
    upload_request = link.upload_request
    key = crypto.new_data_key(
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        shop_id=shop.pk,
        request_id=upload_request.pk,
    )
    consent = Consent.objects.create(
        upload_request=upload_request, consent_text=consent_text, language="ru"
    )
    fields = {
        "surname": "IVANOV",
        "given_names": "IVAN IVANOVICH",
        "surname_cyrillic": "ИВАНОВ",
        "given_names_cyrillic": "ИВАН ИВАНОВИЧ",
        "number": "123456",
        "series": "4510",
        "nationality": "RUS",
        "date_of_birth": date(1965, 5, 23).isoformat(),
        "sex": "M",
        "issue_date": "2015-07-14",
        "department_code": "770-093",
        "issuing_authority": "ОУФМС России по г. Москве",  # noqa: RUF001
        "inn": "500100732259",
        "expiry_date": "",
    }
    document = PassportDocument.objects.create(
        upload_request=upload_request,
        consent=consent,
        blob_name="bench",
        wrapped_key=b"",
        original_format="JPEG",
        width=1,
        height=1,
        stored_bytes=1,
        mrz_status=PassportDocument.MrzStatus.FOUND,
    )
    document.wrapped_key = crypto.wrap_data_key(
        key,
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        **document_selectors.document_place(document),
    )
    document.fields_sealed = document_services.fields_seal(key, document=document, fields=fields)
    document.save(update_fields=["wrapped_key", "fields_sealed"])
    customs_decisions.customs_document_confirm(
        document=document, fields=fields, situation="ru_internal"
    )
    upload_request.refresh_from_db()
    return upload_request


if __name__ == "__main__":
    main()
