from django.core.management.base import BaseCommand

from uploads.customs.services import readiness as customs_readiness


class Command(BaseCommand):
    help = (
        "Recompute 'ready for customs' for every request with a confirmed passport (after an "
        "upgrade, or after a shop changed its customs settings). Safe to run at any time."
    )

    def handle(self, *args: object, **options: object) -> None:
        refreshed, ready = customs_readiness.customs_refresh_all()
        self.stdout.write(f"{refreshed} request(s) checked, {ready} ready for customs")
