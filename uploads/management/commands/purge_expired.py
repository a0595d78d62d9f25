from django.core.management.base import BaseCommand

from uploads.requests import services as request_services
from uploads.retention.services import erasure as retention


class Command(BaseCommand):
    help = (
        "Mark requests whose link ran out as expired and destroy what the retention rules say is "
        "due (see uploads/retention.py), with a destruction record each; delete stored files no "
        "document refers to. Run it daily."
    )

    def handle(self, *args: object, **options: object) -> None:
        expired = request_services.upload_requests_expire_due()
        report = retention.retention_purge_due()
        orphans = retention.storage_orphans_delete()
        self.stdout.write(
            f"{expired} request(s) expired, {report.documents} passport(s) erased, "
            f"{report.images} image(s) deleted, {report.requests} order(s) erased, "
            f"{orphans} stored file(s) without a document deleted"
        )
