from django.core.management.base import BaseCommand

from portal.keys import new_master_key_text


class Command(BaseCommand):
    help = "Print a new random master key for PASSPORT_ENCRYPTION_KEYS (put it first to rotate)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(new_master_key_text())
