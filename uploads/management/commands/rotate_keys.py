from django.core.management.base import BaseCommand

from uploads import services


class Command(BaseCommand):
    help = "Re-wrap every passport's data key under the first key of PASSPORT_ENCRYPTION_KEYS."

    def handle(self, *args: object, **options: object) -> None:
        count = services.keys_rotate()
        self.stdout.write(f"{count} key(s) re-wrapped")
