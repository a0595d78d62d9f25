import time

from django.core.management.base import BaseCommand, CommandParser

from uploads.messaging.services import reminders


class Command(BaseCommand):
    help = (
        "Send the reminders that are due by each shop's schedule, and retry failed emails. Safe to "
        "run from cron every few minutes, even while another run is still going."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Requests per batch.")

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        last_report = [started]

        def progress(done: int, total: int) -> None:
            # Once every few seconds, and at the end: a long run shows it is alive.
            now = time.monotonic()
            if done == total or now - last_report[0] >= 5:
                last_report[0] = now
                self.stderr.write(f"examined {done}/{total} requests")

        run = reminders.reminders_send_due(
            dry_run=bool(options["dry_run"]),
            batch_size=int(options["batch_size"]),  # type: ignore[call-overload]
            progress=progress,
        )
        elapsed = time.monotonic() - started
        if options["dry_run"]:
            for item in run.planned:
                self.stdout.write(
                    f"would send {item.step} to order {item.order_number} ({item.shop_name})"
                )
            self.stdout.write(
                f"dry run: {run.due} reminder(s) due among {run.examined} waiting request(s); "
                f"nothing sent ({elapsed:.1f} s)"
            )
            return
        outcomes = (
            ", ".join(f"{key} {count}" for key, count in sorted(run.outcomes.items())) or "none"
        )
        self.stdout.write(
            f"{run.examined} waiting request(s) examined, {run.claimed} reminder(s) claimed "
            f"({outcomes}), {run.taken_by_another_run} taken by another run, "
            f"{run.retried} failed email(s) retried ({elapsed:.1f} s)"
        )
        if run.stuck:
            self.stderr.write(
                f"{run.stuck} email(s) claimed over an hour ago are still not sent (a run or "
                "worker stopped mid-batch); see the contact log, outcome 'Sending'"
            )
