"""Order import at scale: `make bench-import` (python -m bench.import_bench).

For 1,000 and 10,000 rows, as CSV and as XLSX: the time and peak Python memory (tracemalloc) of
reading and checking the file (the preview) and of the all-or-nothing import, on a throw-away
SQLite database. Prints one table and how 10,000 rows compare with 1,000.
"""

import io
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta


def _setup_django(data_dir: str) -> None:
    os.environ["DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _csv(rows: int, deadline: str) -> bytes:
    lines = ["Номер заказа;ФИО;Электронная почта;Телефон;Язык;Срок"]
    lines += [
        f"B-{n};Покупатель {n};buyer{n}@example.com;+7900{n:07d};ru;{deadline}" for n in range(rows)
    ]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def _xlsx(rows: int, deadline: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["order number", "customer name", "email", "phone", "language", "deadline"])
    for n in range(rows):
        sheet.append([f"B-{n}", f"Buyer {n}", f"buyer{n}@example.com", "", "en", deadline])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _measure(function):  # type: ignore[no-untyped-def]
    tracemalloc.start()
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak / 1024 / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        _setup_django(data_dir)
        from django.utils import timezone

        from uploads.models import Shop
        from uploads.papers.operator import DEMO_OPERATOR
        from uploads.requests import order_import as imports

        deadline = (timezone.localdate() + timedelta(days=30)).isoformat()
        results = {}
        print(
            f"{'file':<14}{'rows':>8}{'check s':>10}{'check MB':>10}{'import s':>10}{'import MB':>11}"
        )
        for kind, make in (("CSV", _csv), ("XLSX", _xlsx)):
            for rows in (1_000, 10_000):
                shop = Shop.objects.create(name=f"bench {kind} {rows}", **DEMO_OPERATOR)
                data = make(rows, deadline)

                def check(data=data, shop=shop):  # type: ignore[no-untyped-def]
                    read = imports.orders_file_read(name="bench", data=data)
                    return imports.orders_import_check(shop_id=shop.pk, rows=read)

                checked, check_s, check_mb = _measure(check)
                assert checked.error_count == 0, checked.rows[0].errors
                links, import_s, import_mb = _measure(
                    lambda checked=checked, shop=shop: imports.orders_import(
                        shop_id=shop.pk, rows=checked.rows
                    )
                )
                assert len(links) == rows
                results[(kind, rows)] = (check_s, import_s)
                print(
                    f"{kind + f' {len(data) // 1024} KB':<14}{rows:>8}{check_s:>10.2f}"
                    f"{check_mb:>10.1f}{import_s:>10.2f}{import_mb:>11.1f}"
                )
        for kind in ("CSV", "XLSX"):
            small, large = results[(kind, 1_000)], results[(kind, 10_000)]
            print(
                f"{kind}: 10,000 rows take {large[0] / small[0]:.1f}x the check time and "
                f"{large[1] / small[1]:.1f}x the import time of 1,000 (10x is linear)"
            )


if __name__ == "__main__":
    sys.exit(main())
