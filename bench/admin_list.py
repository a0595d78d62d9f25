"""``make bench-admin``: the seller's upload request list with 100,000 requests on PostgreSQL.

Creates a PostgreSQL database of its own (BENCH_POSTGRES_URL, BENCH_DATABASE), fills one shop with
BENCH_ADMIN_ROWS requests (default 100,000), and renders the admin list as a staff member of the
shop and as a superuser, at two page sizes, BENCH_ADMIN_RUNS times each (default 15). Prints the
median and p95 render time and the number of queries, next to the list as it was before (DISTINCT
over the shop members join, full result count), then drops the database.

    make bench-admin
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import stack

ROWS = int(os.environ.get("BENCH_ADMIN_ROWS", "100000"))
RUNS = int(os.environ.get("BENCH_ADMIN_RUNS", "15"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench_admin")
TARGET_MS = 300
URLS = [
    ("list", "/admin/uploads/uploadrequest/"),
    ("status filter", "/admin/uploads/uploadrequest/?status__exact=uploaded"),
    # Far into the list (the admin counts pages from 1; ``p`` is zero-based in the URL).
    (f"page {max(1, ROWS // 1000)}", f"/admin/uploads/uploadrequest/?p={max(1, ROWS // 1000)}"),
]


def _measure(client, url: str) -> tuple[float, float, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, secure=True)  # warm: templates, session, permissions
    times, sql = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        sql.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    ordered = sorted(times)
    p95 = ordered[round(0.95 * (len(ordered) - 1))]
    return statistics.median(times), p95, len(queries), statistics.median(sql)


def _signed_in(user):  # type: ignore[no-untyped-def]
    """A client whose session passed the second factor, as the admin requires."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from portal.two_factor_services import totp_device_create

    client = Client()
    client.force_login(user)
    device = totp_device_create(user=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _as_before(model_admin) -> None:  # type: ignore[no-untyped-def]
    """The list as it was: a join on the shop's members with DISTINCT, and the full count."""
    from django.contrib import admin as django_admin

    def get_queryset(request):  # type: ignore[no-untyped-def]
        queryset = django_admin.ModelAdmin.get_queryset(model_admin, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(order__shop__members=request.user).distinct()

    model_admin.get_queryset = get_queryset
    model_admin.show_full_result_count = True


def main() -> int:
    with (
        tempfile.TemporaryDirectory(prefix="bench-admin-") as folder,
        stack.postgres_database(POSTGRES_URL, DATABASE) as database_url,
    ):
        env = stack.production_env(
            data_dir=Path(folder), database_url=database_url, s3_endpoint="http://127.0.0.1:1"
        )
        env.update({"STORAGE_BACKEND": "local", "ALLOWED_HOSTS": "testserver"})
        os.environ.update(env)
        import django

        django.setup()
        from django.contrib import admin
        from django.contrib.auth.models import User
        from django.core.management import call_command

        from bench.load_site import STAFF_PERMISSIONS, filler_requests
        from uploads.models import Shop, UploadRequest
        from uploads.papers.operator import DEMO_OPERATOR

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        print(f"filling one shop with {ROWS:,} upload requests...", flush=True)
        started = time.perf_counter()
        shop = Shop.objects.create(name="Big Shop", **DEMO_OPERATOR)
        filler_requests(shop, ROWS)
        Shop.objects.create(name="Other Shop", **DEMO_OPERATOR)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum keeps up in production
        print(f"  done in {time.perf_counter() - started:.0f} s")
        from django.contrib.auth.models import Permission

        staff = User.objects.create_user(username="staff", password=None, is_staff=True)
        staff.user_permissions.set(
            Permission.objects.filter(
                content_type__app_label="uploads", codename__in=STAFF_PERMISSIONS
            )
        )
        shop.members.add(staff)
        superuser = User.objects.create_superuser(username="root", password=None)
        model_admin = admin.site._registry[UploadRequest]
        rows = []
        for variant in ("now", "before"):
            if variant == "before":
                _as_before(model_admin)
            for who, user in (("staff", staff), ("superuser", superuser)):
                client = _signed_in(user)
                for per_page in (100, 500):
                    model_admin.list_per_page = per_page
                    for name, url in URLS:
                        median, p95, queries, sql = _measure(client, url)
                        rows.append((variant, who, per_page, name, median, p95, queries, sql))
        print(f"\nadmin list, {ROWS:,} requests in one shop, PostgreSQL, {RUNS} renders each")
        print(
            f"{'code':<8}{'user':<11}{'page':>5}  {'view':<15}{'p50 ms':>8}{'p95 ms':>8}{'queries':>9}{'SQL ms':>8}"
        )
        for variant, who, per_page, name, median, p95, queries, sql in rows:
            print(
                f"{variant:<8}{who:<11}{per_page:>5}  {name:<15}{median:>8.0f}{p95:>8.0f}{queries:>9}{sql:>8.0f}"
            )
        now = [row for row in rows if row[0] == "now"]
        worst = max(row[5] for row in now if row[2] == 100)
        same_queries = all(
            small[6] == large[6]
            for small in now
            for large in now
            if small[1] == large[1] and small[3] == large[3]
        )
        print("\ntarget:")
        print(
            f"  {'PASS' if worst < TARGET_MS else 'FAIL'}  p95 at 100 a page {worst:.0f} ms < {TARGET_MS} ms"
        )
        print(
            f"  {'PASS' if same_queries else 'FAIL'}  the same number of queries at 100 and 500 a page"
        )
        return 0 if worst < TARGET_MS and same_queries else 1


if __name__ == "__main__":
    sys.exit(main())
