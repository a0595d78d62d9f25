from django.core.management.base import BaseCommand

from uploads import services


class Command(BaseCommand):
    help = "Mark upload requests whose link has run out while waiting for the customer as expired."

    def handle(self, *args: object, **options: object) -> None:
        count = services.upload_requests_expire_due()
        self.stdout.write(f"{count} request(s) expired")
