"""Reminder benchmark: ``send_reminders``' own work for 1,000 and 100,000 waiting requests.

`make bench` (BENCH_SIZES=1000,10000 for a quick run). Each size runs in a fresh SQLite database in
a temporary folder: the requests are created (not timed), then the run that claims, builds and
sends one reminder per request is timed, its log rows are removed, and the same run is repeated
under tracemalloc for its peak memory (tracemalloc slows Python down, so time and memory are
measured in separate passes). Emails go to a backend that counts each message, keeping nothing: the numbers are the portal's own work, not a mail
server's (BENCH_SERIALISE=1 adds the MIME serialisation the SMTP backend does). Immediate ``django.tasks`` backend, batches of 500 (one mail connection a batch).
"""

import logging
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

_data_dir = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
os.environ["DATA_DIR"] = str(_data_dir)
os.environ["DATABASE_URL"] = f"sqlite:///{_data_dir / 'bench.sqlite3'}"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

from uploads.core.tokens import hash_token, new_token
from uploads.messaging.services import reminders
from uploads.models import ContactLogEntry, Order, Shop, UploadRequest
from uploads.papers.operator import DEMO_OPERATOR
from uploads.requests import links

BATCH = 500
# BENCH_SERIALISE=1: also turn each message into bytes, as the SMTP backend does before sending.
SERIALISE = os.environ.get("BENCH_SERIALISE") == "1"


class CountingBackend(BaseEmailBackend):
    """Counts each message (and with BENCH_SERIALISE=1 turns it into bytes); keeps nothing."""

    sent = 0
    connections = 0

    def open(self) -> bool:
        if getattr(self, "_open", False):
            return False
        self._open = True
        CountingBackend.connections += 1
        return True

    def close(self) -> None:
        self._open = False

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for message in email_messages:
            if SERIALISE:
                message.message().as_bytes()
            CountingBackend.sent += 1
        return len(email_messages)


def _populate(shop: Shop, count: int, invited_at: datetime) -> None:
    expires_at = invited_at + timedelta(days=30)
    languages = ["ru", "en", "kk", "uz", "ky", "hy", "be", "zh-hans"]
    for start in range(0, count, 5000):
        size = min(5000, count - start)
        orders = Order.objects.bulk_create(
            [
                Order(
                    shop=shop,
                    number=f"B-{start + index}",
                    customer_name="Bench Customer",
                    email=f"customer{start + index}@example.com",
                    language=languages[(start + index) % len(languages)],
                    created_at=invited_at,
                )
                for index in range(size)
            ]
        )
        requests = []
        tokens = []
        for order in orders:
            tokens.append(token := new_token())
            requests.append(
                UploadRequest(
                    order=order,
                    token_hash=hash_token(token),
                    token_sealed=b"",
                    expires_at=expires_at,
                    created_at=invited_at,
                )
            )
        UploadRequest.objects.bulk_create(requests)
        # Sealed once the requests have their ids (as order_create seals them).
        for request, token in zip(requests, tokens, strict=True):
            request.token_sealed = links.token_seal(token, upload_request=request)
        UploadRequest.objects.bulk_update(requests, ["token_sealed"], batch_size=1000)


def _reset(shop: Shop) -> None:
    ContactLogEntry.objects.all().delete()
    UploadRequest.objects.update(reminder_count=0, last_reminded_at=None)


def _run(now: datetime) -> reminders.ReminderRun:
    return reminders.reminders_send_due(now=now, batch_size=BATCH)


def measure(count: int) -> dict[str, float]:
    ContactLogEntry.objects.all().delete()
    UploadRequest.objects.all().delete()
    Order.objects.all().delete()
    Shop.objects.all().delete()
    shop = Shop.objects.create(name="Bench shop", contact_email="shop@example.com", **DEMO_OPERATOR)
    invited_at = timezone.now() - timedelta(days=2)
    _populate(shop, count, invited_at)
    now = invited_at + timedelta(days=1, minutes=1)

    CountingBackend.sent = CountingBackend.connections = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    run = _run(now)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    sent, connections = CountingBackend.sent, CountingBackend.connections
    assert run.claimed == count == sent, (run, sent)

    _reset(shop)
    tracemalloc.start()
    _run(now)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "count": count,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "per_1000": seconds / count * 1000,
        "peak_mib": peak / 2**20,
        "sent": sent,
        "connections": connections,
    }


def main() -> int:
    # With DEBUG on, Django keeps the last queries in memory: not what production measures.
    settings.DEBUG = False
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}
    if __name__ == "__main__":
        # Run as a script, the backend's module is "__main__": point the setting at it.
        settings.MAILERS = {"default": {"BACKEND": "__main__.CountingBackend"}}
    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # one line per batch otherwise
    call_command("migrate", verbosity=0)
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
    rows = [measure(size) for size in sizes]
    print(
        f"{'requests':>10} {'seconds':>9} {'CPU s':>9} {'s/1000':>9} {'peak MiB':>9} "
        f"{'emails':>8} {'conns':>6}"
    )
    for row in rows:
        print(
            f"{row['count']:>10,} {row['seconds']:>9.2f} {row['cpu_seconds']:>9.2f} "
            f"{row['per_1000']:>9.1f} "
            f"{row['peak_mib']:>9.1f} {row['sent']:>8,} {row['connections']:>6}"
        )
    if len(rows) > 1:
        small, large = rows[0], rows[-1]
        print(
            f"{large['count']:,} vs {small['count']:,} requests "
            f"({large['count'] / small['count']:.0f}x): CPU time "
            f"x{large['cpu_seconds'] / small['cpu_seconds']:.1f}, wall time "
            f"x{large['seconds'] / small['seconds']:.1f}, "
            f"peak memory x{large['peak_mib'] / small['peak_mib']:.2f}"
        )
        # CPU time is the command's own work; wall time also counts other processes on a shared
        # machine (the load average says how busy it was).
        target = "under" if large["cpu_seconds"] < 60 else "OVER"
        print(
            f"{large['count']:,} requests: {large['cpu_seconds']:.1f} s of CPU ({target} the "
            f"one-minute target), {large['seconds']:.1f} s wall; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
