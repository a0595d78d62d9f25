"""The customs export at batch sizes a seller selects: `make bench-customs` (BENCH_N=100,1000).

Builds ready requests in a throw-away SQLite database (fields sealed as the portal seals them, no
OCR), then exports each batch as CSV and XLSX with the built-in FCS 1861 mapping and prints, per
batch and format: seconds, milliseconds per record, database queries, peak Python memory; and how
the time per record at the largest batch compares with the smallest (1.0 = linear).
"""

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date

from uploads.core import crypto
from uploads.customs import selectors as customs_selectors
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import Consent, PassportDocument
from uploads.requests import services as request_services


def main() -> None:
    sizes = [int(part) for part in os.environ.get("BENCH_N", "100,1000").split(",")]
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["DATA_DIR"] = data_dir
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        rows = run(sizes)
    print(
        f"{'records':>8} {'format':>6} {'seconds':>8} {'ms/rec':>7} {'queries':>8} {'peak MB':>8}"
    )
    for row in rows:
        print(
            f"{row['n']:>8} {row['format']:>6} {row['seconds']:>8.2f} {row['ms']:>7.2f} "
            f"{row['queries']:>8} {row['peak_mb']:>8.1f}"
        )
    for file_format in ("csv", "xlsx"):
        same = [row for row in rows if row["format"] == file_format]
        first, last = same[0], same[-1]
        if last is not first:
            print(
                f"{file_format}: {last['ms'] / first['ms']:.2f}x the time per record at "
                f"{last['n']} records as at {first['n']} (1.00 = linear)"
            )


def run(sizes: list[int]) -> list[dict]:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from uploads.customs.exports import FCS_1861
    from uploads.models import ConsentText, Shop, UploadRequest
    from uploads.papers.operator import DEMO_OPERATOR

    actor = User.objects.create_superuser("bench", password="bench-password")  # noqa: S106
    consent_text = ConsentText.objects.first() or ConsentText.objects.create(
        version="bench", body="bench"
    )
    rows = []
    for n in sizes:
        shop = Shop.objects.create(name=f"Bench {n}", **DEMO_OPERATOR)
        for index in range(n):
            link = request_services.order_create(
                shop_id=shop.pk, number=f"B-{n}-{index}", customer_name="Bench"
            )
            _ready(link.upload_request, consent_text)
        batch = UploadRequest.objects.filter(order__shop=shop)
        assert customs_selectors.customs_ready_count(queryset=batch) == n
        for file_format in ("csv", "xlsx"):
            reset_queries()
            tracemalloc.start()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = customs_decisions.customs_export(
                    upload_requests=batch, mapping=FCS_1861, file_format=file_format, actor=actor
                )
                seconds = time.perf_counter() - started
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert len(result.exported) == n, len(result.exported)
            rows.append(
                {
                    "n": n,
                    "format": file_format,
                    "seconds": seconds,
                    "ms": seconds * 1000 / n,
                    "queries": len(queries),
                    "peak_mb": peak / 2**20,
                }
            )
    return rows


def _ready(upload_request, consent_text) -> None:  # type: ignore[no-untyped-def]
    key = crypto.new_data_key(
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        shop_id=upload_request.order.shop_id,
        request_id=upload_request.pk,
    )
    consent = Consent.objects.create(
        upload_request=upload_request, consent_text=consent_text, language="ru"
    )
    fields = {
        "surname": "IVANOV",
        "given_names": "IVAN IVANOVICH",
        "surname_cyrillic": "ИВАНОВ",
        "given_names_cyrillic": "ИВАН ИВАНОВИЧ",
        "number": "123456",
        "series": "4510",
        "nationality": "RUS",
        "date_of_birth": date(1965, 5, 23).isoformat(),
        "sex": "M",
        "issue_date": "2015-07-14",
        "department_code": "770-093",
        "issuing_authority": "ОУФМС России по г. Москве",  # noqa: RUF001
        "inn": "500100732259",
        "expiry_date": "",
    }
    document = PassportDocument.objects.create(
        upload_request=upload_request,
        consent=consent,
        blob_name="bench",
        wrapped_key=b"",
        original_format="JPEG",
        width=1,
        height=1,
        stored_bytes=1,
        mrz_status=PassportDocument.MrzStatus.FOUND,
    )
    document.wrapped_key = crypto.wrap_data_key(
        key,
        context=document_selectors.PASSPORT_FILE_CONTEXT,
        **document_selectors.document_place(document),
    )
    document.fields_sealed = document_services.fields_seal(key, document=document, fields=fields)
    document.save(update_fields=["wrapped_key", "fields_sealed"])
    customs_decisions.customs_document_confirm(
        document=document, fields=fields, situation="ru_internal"
    )


if __name__ == "__main__":
    sys.exit(main())
