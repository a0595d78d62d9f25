from django.core.management.base import BaseCommand

from uploads.webhooks.services import delivery as webhook_delivery


class Command(BaseCommand):
    help = (
        "Retry the webhook deliveries whose next attempt is due (exponential back-off). Run it "
        "from cron every minute when TASKS_BACKEND cannot defer tasks (the default)."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--limit", type=int, default=500, help="at most this many per run")

    def handle(self, *args: object, limit: int, **options: object) -> None:
        attempted = webhook_delivery.deliveries_retry_due(limit=limit)
        self.stdout.write(f"{attempted} webhook delivery attempt(s)")
