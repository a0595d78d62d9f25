from django.core.management.base import BaseCommand

from uploads.messaging.services import notifications


class Command(BaseCommand):
    help = (
        "Email shops on the hourly digest the uploads since their last digest. Run it from cron "
        "(e.g. every 10 minutes: each shop gets at most one digest an hour)."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = notifications.upload_digests_send()
        self.stdout.write(f"{sent} digest(s) sent")
