from django.core.management.base import BaseCommand, CommandError, CommandParser

from uploads.retention.services import key_rotation, master_keys


class Command(BaseCommand):
    help = (
        "Re-wrap every passport's data key (and every sealed link token) under the first key of "
        "PASSPORT_ENCRYPTION_KEYS, bound to its place, then decrypt a sample to verify. Goes on "
        "past a row it cannot open and lists them all at the end (exit status 1). Safe to stop "
        "and run again. --verify-only changes nothing."
    )
    # Its own check of the keys (the first one must be registered) is what matters here; the
    # system check would also stop it for a missing old key, whose rows it should list instead.
    requires_system_checks: list[str] = []

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
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="re-wrap nothing: only open documents (a sample, or all with --verify-all)",
        )
        parser.add_argument("--no-verify", action="store_true", help="skip the verification")

    def handle(self, *args: object, **options: object) -> None:
        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        unopened: list[key_rotation.Unopened] = []
        if not options["verify_only"]:
            try:
                report = key_rotation.keys_rotate(
                    progress=say,
                    batch_size=int(options["batch_size"]),
                    pause=float(options["pause"]),
                )
            except master_keys.KeyRegistrationRefused as refusal:
                raise CommandError(str(refusal)) from None
            left = key_rotation.keys_still_old()
            say(
                f"{report.total} key(s) re-wrapped ({report.documents} data keys, "
                f"{report.tokens} link tokens); {left} still under an old key"
            )
            for key_id in report.retired:
                say(f"master key {key_id} retired: nothing is sealed under it any more")
            unopened += report.unopened
        failures: list[key_rotation.Unopened] = []
        checked = 0
        if not options["no_verify"]:
            verification = key_rotation.keys_verify(
                sample=None if options["verify_all"] else int(options["sample"]), progress=say
            )
            failures, checked = verification.failures, verification.checked
        # Every row that did not open, once, at the end: the run went on past each of them.
        seen: set[tuple[str, int]] = set()
        for row in [*unopened, *failures]:
            if (row.what, row.pk) not in seen:
                seen.add((row.what, row.pk))
                self.stderr.write(str(row))
        if unopened:
            say(f"re-wrapping: {len(unopened)} could not be opened (listed above)")
        if not options["no_verify"]:
            say(f"verification: {checked - len(failures)} opened, {len(failures)} failed")
        if seen:
            raise CommandError(
                f"{len(seen)} could not be opened"
                + (f"; verification: {len(failures)} of {checked} failed" if failures else "")
            )
