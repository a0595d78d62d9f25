from django.core.management.base import BaseCommand, CommandError, CommandParser

from uploads.retention.services import key_rotation


class Command(BaseCommand):
    help = (
        "Re-wrap every passport's data key (and every sealed link token) under the first key of "
        "PASSPORT_ENCRYPTION_KEYS, then decrypt a sample to verify. Safe to stop and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="seconds between batches (a busy database)"
        )
        parser.add_argument(
            "--sample", type=int, default=20, help="documents to decrypt in the verification"
        )
        parser.add_argument(
            "--verify-all", action="store_true", help="decrypt every document, not a sample"
        )
        parser.add_argument("--no-verify", action="store_true", help="skip the verification")

    def handle(self, *args: object, **options: object) -> None:
        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        report = key_rotation.keys_rotate(
            progress=say, batch_size=int(options["batch_size"]), pause=float(options["pause"])
        )
        left = key_rotation.keys_still_old()
        say(
            f"{report.total} key(s) re-wrapped ({report.documents} data keys, "
            f"{report.tokens} link tokens); {left} still under an old key"
        )
        if options["no_verify"]:
            return
        verification = key_rotation.keys_verify(
            sample=None if options["verify_all"] else int(options["sample"]), progress=say
        )
        for failure in verification.failures:
            self.stderr.write(failure)
        if verification.failures:
            raise CommandError(
                f"verification: {len(verification.failures)} of {verification.checked} failed"
            )
        say(f"verification: {verification.checked} opened, 0 failed")
