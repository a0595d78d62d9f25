"""Every few minutes from cron: hand-overs to the carrier that are due (retries, and any a worker
left behind), then the carrier's answers read back (``GET /v2/passport``)."""

import fcntl
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from uploads.carriers import services as carrier_services


class Command(BaseCommand):
    help = (
        "Send the carrier hand-overs that are due and ask CDEK whether the passport "
        "requirements of the orders handed over are met. Safe from cron: a run that finds "
        "another still going does nothing."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--limit", type=int, default=500, help="at most this many of each")

    def handle(self, *args: object, limit: int, **options: object) -> None:
        lock_path = Path(settings.DATA_DIR) / "poll_carriers.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("a") as lock:
            try:
                # One run at a time on this machine (cron runs on one machine); a send is also
                # claimed by a compare-and-set, so even two machines never send one twice.
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.stderr.write("poll_carriers: another run is still going; nothing done")
                return
            carrier_services.carrier_sends_catch_up(limit=limit)
            attempted = carrier_services.carrier_sends_retry_due(limit=limit)
            summary = carrier_services.carriers_read_back(limit=limit)
        self.stdout.write(
            f"{attempted} hand-over attempt(s); {summary.sends_checked} update(s) followed; "
            f"{summary.orders_checked} order(s) asked: {summary.satisfied} requirements met, "
            f"{summary.missing} still missing, {summary.errors} error(s)"
        )
