"""Read the MRZ of passport or ID-card images: `manage.py read_mrz [--json] FILE...`.

A file that cannot be read (missing, no image, or one the reader fails on) is reported on stderr
with the reason and the batch goes on; the exit status is then 1 ("N of M files could not be read")
so that a script sees that not every file got an answer. A file read without an MRZ in it is an
answer ("not found"), not a failure.
"""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uploads.mrz import MrzResult, read_mrz
from uploads.mrz.reader import failure_reason

# The fields every JSON line has (null where the document has none), then any others.
JSON_FIELDS = (
    "surname",
    "given_names",
    "number",
    "nationality",
    "country",
    "date_of_birth",
    "sex",
    "expiry_date",
    "personal_number",
    "document_code",
)


def as_json(name: str, result: MrzResult) -> dict:
    fields = {key: result.fields.get(key) for key in JSON_FIELDS}
    fields.update(result.fields)
    return {
        "file": name,
        "found": result.found,
        "valid": result.valid,
        "type": result.type or None,
        "fields": {key: _plain(value) for key, value in fields.items()},
        "field_valid": dict(result.field_valid),
        "mrz": list(result.mrz),
        "elapsed_ms": round(result.elapsed_ms, 1),
    }


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if value == "":
        return None
    return value


def as_text(name: str, result: MrzResult) -> str:
    if not result.found:
        return f"{name}: not found ({result.elapsed_ms:.0f} ms)"
    fields = result.fields
    state = "valid" if result.valid else "NOT SURE"
    parts = [
        result.type,
        state,
        f"{fields.get('surname') or ''}, {fields.get('given_names') or ''}",
        str(fields.get("number") or ""),
        str(fields.get("nationality") or ""),
        str(_plain(fields.get("date_of_birth")) or ""),
        str(fields.get("sex") or ""),
        str(_plain(fields.get("expiry_date")) or "-"),
    ]
    if result.type == "PN":
        parts.append(
            f"{fields.get('surname_cyrillic')} {fields.get('given_names_cyrillic')} "
            f"issued {_plain(fields.get('issue_date'))} by {fields.get('department_code')}"
        )
    invalid = [
        key
        for key, ok in result.field_valid.items()
        if not ok and key not in ("surname", "given_names")
    ]
    if invalid:
        parts.append("failed: " + ",".join(invalid))
    return f"{name}: " + " | ".join(parts) + f" ({result.elapsed_ms:.0f} ms)"


class Command(BaseCommand):
    help = "Read the machine readable zone of images (JPEG, PNG, PDF...): one line per file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: object, **options: object) -> None:
        failed = 0
        for name in options["files"]:  # type: ignore[union-attr]
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                self.stderr.write(f"{name}: cannot read the file ({error.strerror or error})")
                failed += 1
                continue
            try:
                result = read_mrz(data)
            except Exception as error:  # it never should: still, one file must not end the batch
                result = MrzResult(found=False, error=failure_reason(error))
            if result.error:
                self.stderr.write(f"{name}: {result.error}")
                failed += 1
                continue
            if options["json"]:
                self.stdout.write(json.dumps(as_json(name, result), ensure_ascii=False))
            else:
                self.stdout.write(as_text(name, result))
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} files could not be read")  # type: ignore[arg-type]
