"""``make bench-load``: the production configuration on loopback under simulated customers and staff.

Starts a PostgreSQL database of its own, SeaweedFS (S3), gunicorn with portal/gunicorn.conf.py and
one django-tasks-db worker; then BENCH_CUSTOMERS customers at once (default 20) open their links
and upload 3-4 MB phone photos (BENCH_UPLOADS in all), each waiting on the "being read" page as a
browser would (a reload every 2 s), while BENCH_STAFF staff members browse the admin list. Prints
requests per second, p50/p95 per endpoint and the errors, checks that every acknowledged upload is
in storage and decrypts to the photo's normalised JPEG, and stops everything it started.

    make bench-load
    BENCH_CUSTOMERS=10 BENCH_UPLOADS=30 make bench-load
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DATABASE=wt7_bench make bench-load
    BENCH_REDIS_URL=redis://127.0.0.1:6379/3 make bench-load
    BENCH_WORKERS=2 BENCH_LOGS=/tmp/bench-logs make bench-load
"""

import http.client
import json
import os
import queue
import random
import re
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import stack

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20"))
UPLOADS = int(os.environ.get("BENCH_UPLOADS", "60"))
STAFF = int(os.environ.get("BENCH_STAFF", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))  # db_worker processes reading MRZs
FILLER = int(os.environ.get("BENCH_FILLER", "2000"))  # other requests in the admin list
# Seconds a customer spends on the upload page (reading it, taking the photo) before sending:
# uniform between these two. BENCH_THINK_S=0,0 sends at once (a burst no real crowd makes).
THINK_S = tuple(float(part) for part in os.environ.get("BENCH_THINK_S", "3,8").split(","))
PHOTOS = 4
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench")
LOGS = os.environ.get("BENCH_LOGS", "")  # a folder to keep gunicorn's and the worker's logs in
READING_WAIT_S = 90
# Before the crowd, one customer uploads this many photos alone: the baseline the crowd's
# latencies are compared with, measured on the same machine in the same run.
BASELINE_UPLOADS = 5
UPLOAD_P95_TARGET_MS = 1000


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    acknowledged: list[dict] = field(default_factory=list)
    time_to_fields: list[float] = field(default_factory=list)
    gave_up_waiting: int = 0

    def add(self, endpoint: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.times[endpoint].append(seconds)
            if error:
                self.errors[endpoint].append(error)


class Browser:
    """One visitor: a keep-alive connection and a cookie jar, speaking as the TLS proxy would.

    ``address`` is the visitor's own address, which the proxy appends to X-Forwarded-For: every
    customer comes from their own phone, so the per-address rate limits count each one apart.
    """

    def __init__(self, url: str, stats: Stats, *, address: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.address = address
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self._reconnect()

    def _reconnect(self) -> None:
        if getattr(self, "connection", None) is not None:
            self.connection.close()
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.reused = False

    def _send(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        self.connection.request(method, path, body=body or None, headers=headers)
        return self.connection.getresponse()

    def request(
        self, endpoint: str, method: str, path: str, *, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Accept-Language": "ru",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method == "POST":
            headers["Origin"] = f"https://{self.host}"
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        try:
            try:
                response = self._send(method, path, body, headers)
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                if not self.reused:
                    raise
                # The server closed the idle keep-alive connection while the customer was taking
                # the photo: a browser sends the request again on a new one, and so do we.
                self._reconnect()
                response = self._send(method, path, body, headers)
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._reconnect()
            self.stats.add(endpoint, time.perf_counter() - started, type(error).__name__)
            return 0, {}, b""
        self.reused = True
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), content

    def expect(self, endpoint: str, method: str, path: str, status: int, **kwargs) -> bytes | None:
        started = time.perf_counter()
        code, _headers, content = self.request(endpoint, method, path, **kwargs)
        if code == 0:
            return None
        error = None if code == status else f"HTTP {code}"
        self.stats.add(endpoint, time.perf_counter() - started, error)
        return None if error else content


def _hidden(page: bytes, name: str) -> str:
    found = re.search(rb'name="%s" value="([^"]+)"' % name.encode(), page)
    return found.group(1).decode() if found else ""


def _multipart(fields: dict[str, str], file_bytes: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + file_bytes
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def customer(
    url: str,
    links: queue.Queue,
    photos: list[bytes],
    stats: Stats,
    think_s: tuple[float, ...] = THINK_S,
) -> None:
    while True:
        try:
            index, token = links.get_nowait()
        except queue.Empty:
            return
        # Addresses from 198.18.0.0/15, the range set aside for benchmarks (RFC 2544).
        browser = Browser(url, stats, address=f"198.18.{index // 250}.{index % 250 + 1}")
        if browser.expect("GET /u/<token>/", "GET", f"/u/{token}/", 302) is None:
            continue
        page = browser.expect("GET /upload/", "GET", "/upload/", 200)
        if page is None:
            continue
        photo = index % len(photos)
        time.sleep(random.Random(index).uniform(*think_s))  # noqa: S311 - not a secret
        body, content_type = _multipart(
            {
                "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
                "consent_document_id": _hidden(page, "consent_document_id"),
                "consent": "on",
            },
            photos[photo],
        )
        uploaded = browser.expect(
            UPLOAD, "POST", "/upload/", 302, body=body, content_type=content_type
        )
        if uploaded is None:
            continue
        acknowledged_at = time.perf_counter()
        with stats.lock:
            stats.acknowledged.append({"token": token, "photo": photo})
        while True:  # the "being read" page reloads itself every 2 s
            review = browser.expect("GET /upload/review/", "GET", "/upload/review/", 200)
            if review is not None and b'name="surname"' in review:
                with stats.lock:
                    stats.time_to_fields.append(time.perf_counter() - acknowledged_at)
                break
            if review is None or time.perf_counter() - acknowledged_at > READING_WAIT_S:
                with stats.lock:
                    stats.gave_up_waiting += 1
                break
            time.sleep(2)
        browser.connection.close()


def _post_form(browser: Browser, endpoint: str, path: str, page: bytes, fields: dict) -> bool:
    form = urlencode({"csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"), **fields})
    answer = browser.expect(
        endpoint, "POST", path, 302, body=form.encode(),
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    return answer is not None


def staff_member(
    url: str, staff: dict, code: str, index: int, stats: Stats, done: threading.Event
) -> None:
    """Sign in (password, then a backup code as the second factor) and browse the request list."""
    browser = Browser(url, stats, address=f"198.19.0.{index + 1}")
    page = browser.expect("GET /admin/login/", "GET", "/admin/login/", 200)
    credentials = {"username": staff["username"], "password": staff["password"], "next": "/admin/"}
    if page is None or not _post_form(
        browser, "POST /admin/login/", "/admin/login/", page, credentials
    ):
        return
    two_factor = "/admin/two-factor/?next=/admin/"
    page = browser.expect("GET /admin/two-factor/", "GET", two_factor, 200)
    if page is None or not _post_form(
        browser, "POST /admin/two-factor/", two_factor, page, {"token": code, "next": "/admin/"}
    ):
        return
    pages = ["/admin/uploads/uploadrequest/", "/admin/uploads/uploadrequest/?status__exact=waiting"]
    turn = 0
    while not done.is_set():
        browser.expect("GET admin list", "GET", pages[turn % len(pages)], 200)
        turn += 1
        done.wait(1.0)  # a person reads the list before the next click


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


UPLOAD = "POST /upload/ (3-4 MB)"


def report(stats: Stats, alone: Stats, wall_s: float, verified: dict) -> bool:
    total = sum(len(times) for times in stats.times.values())
    print()
    print(
        f"{CUSTOMERS} customers at once ({THINK_S[0]:g}-{THINK_S[1]:g} s on the upload page before "
        f"sending), {UPLOADS} uploads, {STAFF} staff browsing the admin list"
    )
    print(
        f"machine load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{total} requests in {wall_s:.1f} s: {total / wall_s:.1f} requests/s")
    print()
    print(f"{'endpoint':<26}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for endpoint, times in stats.times.items():
        print(
            f"{endpoint:<26}{len(times):>9}{len(stats.errors[endpoint]):>8}"
            f"{_percentile(times, 0.5) * 1000:>9.0f}{_percentile(times, 0.95) * 1000:>9.0f}"
            f"{max(times) * 1000:>9.0f}"
        )
    for endpoint, errors in stats.errors.items():
        if errors:
            print(f"  errors on {endpoint}: {sorted(set(errors))}")
    if stats.time_to_fields:
        print(
            f"\nupload acknowledged -> fields on the page (worker reading, 2 s reloads): "
            f"p50 {statistics.median(stats.time_to_fields):.1f} s, "
            f"p95 {_percentile(stats.time_to_fields, 0.95):.1f} s; "
            f"gave up waiting: {stats.gave_up_waiting}"
        )
    print(
        f"stored uploads: {verified['checked']} acknowledged, {verified['missing']} missing, "
        f"{verified['mismatch']} not decrypting to the photo sent; MRZ: {verified['mrz']}"
    )
    upload_times = stats.times[UPLOAD]
    upload_p95 = _percentile(upload_times, 0.95) * 1000 if upload_times else float("inf")
    alone_times = alone.times[UPLOAD]
    if alone_times:
        alone_p50 = _percentile(alone_times, 0.5) * 1000
        print(
            f"\nupload request, one customer alone (same run, {len(alone_times)} uploads): "
            f"p50 {alone_p50:.0f} ms; with the crowd p95 {upload_p95:.0f} ms = "
            f"{upload_p95 / alone_p50:.1f}x alone"
        )
    errors = sum(len(errors) for errors in stats.errors.values())
    checks = [
        (
            f"upload p95 {upload_p95:.0f} ms < {UPLOAD_P95_TARGET_MS} ms",
            upload_p95 < UPLOAD_P95_TARGET_MS,
        ),
        (f"errors {errors} = 0", errors == 0),
        (
            f"acknowledged uploads {len(stats.acknowledged)} = {UPLOADS}",
            len(stats.acknowledged) == UPLOADS,
        ),
        (
            f"baseline uploads {len(alone.acknowledged)} = {BASELINE_UPLOADS}",
            len(alone.acknowledged) == BASELINE_UPLOADS,
        ),
        (
            "every acknowledged upload stored and intact",
            verified["missing"] == 0 and verified["mismatch"] == 0,
        ),
        (
            f"no link token, name or passport number in {verified['log_lines']} log lines "
            f"(found {verified['log_leaks']})",
            verified["log_leaks"] == 0 and verified["log_lines"] > 0,
        ),
    ]
    print(f"\ntarget (the issue: 20 customers at once on 2 cores; this run: {CUSTOMERS}):")
    for text, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {text}")
    return all(passed for _text, passed in checks)


def _leaks(logs: list[Path], secrets_sent: list[str]) -> dict[str, int]:
    """How many lines of the web and worker logs quote a link token or a passport's data."""
    lines = [line for log in logs for line in log.read_text(errors="replace").splitlines()]
    leaks = sum(1 for line in lines if any(secret in line for secret in secrets_sent))
    return {"log_lines": len(lines), "log_leaks": leaks}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        root = Path(folder)
        print(
            f"starting PostgreSQL database {DATABASE!r}, SeaweedFS, gunicorn and a worker "
            f"(cache: Redis at {REDIS_URL})..."
        )
        with (
            stack.postgres_database(POSTGRES_URL, DATABASE) as database_url,
            stack.seaweedfs(root / "seaweedfs") as s3,
            stack.redis_cache(REDIS_URL) as cache,
        ):
            env = stack.production_env(
                data_dir=root / "data",
                database_url=database_url,
                s3_endpoint=s3.endpoint,
                cache=cache,
            )
            stack.manage(env, "migrate", "--noinput")
            stack.manage(env, "collectstatic", "--noinput")
            orders = BASELINE_UPLOADS + UPLOADS
            print(f"seeding {orders} orders, {FILLER} other requests, {PHOTOS} photos...")
            seeded = stack.run_python(
                env, "bench.load_site", "seed", str(orders), str(FILLER), str(PHOTOS),
                str(STAFF), folder,
            )  # fmt: skip
            baseline_tokens = seeded["tokens"][:BASELINE_UPLOADS]
            crowd_tokens = seeded["tokens"][BASELINE_UPLOADS:]
            photos = [Path(photo["path"]).read_bytes() for photo in seeded["photos"]]
            sizes = ", ".join(f"{len(photo) / 1e6:.1f}" for photo in photos)
            print(f"photos: 3000x2250 JPEG, {sizes} MB")
            with stack.web_and_worker(env, root, workers=WORKERS) as web:
                alone = Stats()
                alone_links: queue.Queue = queue.Queue()
                for index, token in enumerate(baseline_tokens, start=len(crowd_tokens)):
                    alone_links.put((index, token))
                print(f"baseline: one customer uploads {BASELINE_UPLOADS} photos alone...")
                customer(web.url, alone_links, photos, alone, think_s=(0.5, 0.5))
                print(f"the crowd: {CUSTOMERS} customers, {UPLOADS} uploads...")
                stats = Stats()
                links: queue.Queue = queue.Queue()
                for index, token in enumerate(crowd_tokens):
                    links.put((index, token))
                done = threading.Event()
                staff = [
                    threading.Thread(
                        target=staff_member,
                        args=(web.url, seeded["staff"], code, index, stats, done),
                    )
                    for index, code in enumerate(seeded["staff"]["codes"])
                ]
                customers = [
                    threading.Thread(target=customer, args=(web.url, links, photos, stats))
                    for _ in range(CUSTOMERS)
                ]
                started = time.perf_counter()
                for thread in staff + customers:
                    thread.start()
                for thread in customers:
                    thread.join()
                wall_s = time.perf_counter() - started
                done.set()
                for thread in staff:
                    thread.join()
            if LOGS:
                Path(LOGS).mkdir(parents=True, exist_ok=True)
                for log in ("gunicorn.log", "worker.log"):
                    shutil.copy(root / log, Path(LOGS) / log)
            acknowledged_file = root / "acknowledged.json"
            acknowledged_file.write_text(json.dumps(alone.acknowledged + stats.acknowledged))
            photos_file = root / "photos.json"
            photos_file.write_text(json.dumps(seeded["photos"]))
            verified = stack.run_python(
                env, "bench.load_site", "verify", str(acknowledged_file), str(photos_file)
            )
            secrets_sent = seeded["tokens"] + [
                text for photo in seeded["photos"] for text in (photo["surname"], photo["number"])
            ]
            verified.update(_leaks([root / "gunicorn.log", root / "worker.log"], secrets_sent))
        passed = report(stats, alone, wall_s, verified)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
