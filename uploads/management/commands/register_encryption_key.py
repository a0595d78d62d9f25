from django.core.management.base import BaseCommand, CommandError

from uploads.core import crypto
from uploads.retention.services import master_keys


class Command(BaseCommand):
    help = (
        "Register the keys of PASSPORT_ENCRYPTION_KEYS for this installation (ids and check values, "
        "never the keys). Run it once with the production list when a new key goes first; a "
        "process whose first key is not registered refuses to start. Refused when the list "
        "lacks a key still in use."
    )
    # The point of the command is to fix what the key check complains about.
    requires_system_checks: list[str] = []

    def handle(self, *args: object, **options: object) -> None:
        try:
            added = master_keys.master_key_register()
        except master_keys.KeyRegistrationRefused as refusal:
            raise CommandError(str(refusal)) from None
        first_id = crypto.master_key_id(crypto.configured_master_keys()[0])
        for key_id in added:
            self.stdout.write(f"registered master key {key_id}")
        self.stdout.write(f"first (sealing) key: {first_id}; {len(added)} newly registered")
