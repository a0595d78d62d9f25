from django.core.management.base import BaseCommand

from uploads import services


class Command(BaseCommand):
    help = (
        "Mark requests whose link ran out as expired and erase the passports the portal no longer "
        "needs (see services.documents_purge_due). Run it daily."
    )

    def handle(self, *args: object, **options: object) -> None:
        expired = services.upload_requests_expire_due()
        erased = services.documents_purge_due()
        self.stdout.write(f"{expired} request(s) expired, {erased} passport(s) erased")
