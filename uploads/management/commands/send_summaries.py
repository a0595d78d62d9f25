from django.core.management.base import BaseCommand

from uploads.messaging.services import notifications


class Command(BaseCommand):
    help = (
        "Email each shop its daily or weekly summary when its period is over. Run it from cron "
        "(e.g. hourly: each shop gets one summary a day or a week)."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = notifications.summaries_send()
        self.stdout.write(f"{sent} summar(y/ies) sent")
