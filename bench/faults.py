"""``make bench-faults`` and the fault test (tests/portal/test_faults.py): the production stack
on loopback, broken on purpose, one fault at a time, while a customer uploads and the seller looks
at a passport. For each fault: what the customer saw, what the seller saw, acknowledged uploads
lost, stored files no row refers to (orphans), and whether everything worked again afterwards.

The stack: a PostgreSQL database of its own and SeaweedFS (S3), each behind a TCP proxy this
module controls (``bench/tcp_proxy.py``), so "the database is paused" or "S3 is stopped" touches
nothing else on the machine; gunicorn with portal/gunicorn.conf.py; one db_worker, killed and
restarted here as systemd would. Short timeouts keep a run to a few minutes (the values below);
production's defaults are longer but bounded the same way.

    make bench-faults
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_DATABASE=faults make bench-faults
"""

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench import stack
from bench.load import Browser, Stats, _hidden, _multipart, _post_form
from bench.tcp_proxy import TcpProxy, tcp_proxy

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_DATABASE", "portal_faults")
ORDERS = 12
PHOTOS = 2
# Shorter than production's defaults, so that a run takes minutes; each is a setting.
FAULT_SETTINGS = {
    "MRZ_READING_RETRY_AFTER_S": "4",
    "MRZ_READING_MAX_ATTEMPTS": "3",
    "DATABASE_CONNECT_TIMEOUT_S": "2",
    "DATABASE_STATEMENT_TIMEOUT_S": "3",  # the client gives up 5 s later on a silent server
    "S3_CONNECT_TIMEOUT_S": "1",
    "S3_READ_TIMEOUT_S": "3",
    "S3_MAX_ATTEMPTS": "1",
}
FIELDS_WAIT_S = 75  # past MRZ_READING_TIMEOUT_S (60): the customer then types the fields


@dataclass
class Fault:
    name: str
    customer_saw: str = ""
    seller_saw: str = ""
    health: str = ""
    lost: int = 0
    orphans: int = 0
    recovered: bool = False
    details: dict = field(default_factory=dict)


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    direct_env: dict[str, str]  # straight to PostgreSQL and S3, for checking
    database_url: str
    root: Path
    db_proxy: TcpProxy
    s3_proxy: TcpProxy
    seeded: dict
    worker: subprocess.Popen | None = None
    acknowledged: list[dict] = field(default_factory=list)
    next_token: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    worker_restarts: int = 0

    # -- processes --

    def worker_start(self) -> None:
        self.worker = stack.start(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "0.1"],
            env={**self.env, "OMP_THREAD_LIMIT": "1"}, log=self.root / "worker.log",
        )  # fmt: skip

    def worker_kill(self) -> None:
        """SIGKILL, then a new worker a second later (systemd's RestartSec)."""
        with self.lock:
            assert self.worker is not None
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
            self.worker = None
        time.sleep(1)
        with self.lock:
            self.worker_start()

    def worker_supervise(self, stop: threading.Event) -> None:
        """Start the worker again whenever it exits, as systemd's ``Restart=always`` would (the
        worker exits when its database connection fails, sometimes only after its own retries)."""
        while not stop.wait(0.5):
            with self.lock:
                if self.worker is not None and self.worker.poll() is not None:
                    self.worker_restarts += 1
                    self.worker_start()

    def worker_signal(self, sig: int) -> None:
        with self.lock:
            assert self.worker is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.worker.pid, sig)

    # -- the people --

    def token(self) -> tuple[int, str]:
        index = self.next_token
        self.next_token += 1
        return index, self.seeded["tokens"][index]

    def customer(self) -> "Customer":
        index, token = self.token()
        return Customer(self, index, token)

    def seller(self) -> Browser:
        code = self.seeded["staff"]["codes"].pop()
        browser = Browser(
            self.url, Stats(), address=f"198.19.0.{len(self.seeded['staff']['codes'])}"
        )
        page = browser.expect("login", "GET", "/admin/login/", 200)
        staff = self.seeded["staff"]
        credentials = {
            "username": staff["username"],
            "password": staff["password"],
            "next": "/admin/",
        }
        assert page is not None and _post_form(browser, "login", "/admin/login/", page, credentials)
        two_factor = "/admin/two-factor/?next=/admin/"
        page = browser.expect("2fa", "GET", two_factor, 200)
        assert page is not None and _post_form(
            browser, "2fa", two_factor, page, {"token": code, "next": "/admin/"}
        )
        return browser

    def seller_image(self, seller: Browser) -> tuple[int, float, bytes]:
        path = f"/admin/uploads/uploadrequest/{self.seeded['confirmed_request']}/image/"
        started = time.monotonic()
        status, _headers, body = seller.request("image", "GET", path)
        return status, time.monotonic() - started, body

    def health(self) -> tuple[int, float]:
        status, seconds, _checks = self.health_checks()
        return status, seconds

    def health_checks(self) -> tuple[int, float, dict[str, str]]:
        browser = Browser(self.url, Stats(), address="10.0.0.1")
        started = time.monotonic()
        status, _headers, body = browser.request("health", "GET", "/health")
        try:
            checks = json.loads(body)["checks"]
        except (ValueError, KeyError):
            checks = {}
        return status, time.monotonic() - started, checks

    # -- what the database says (straight, not through the proxy) --

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def document_of(self, token: str) -> tuple | None:
        rows = self.query(
            "SELECT d.id, d.mrz_status, d.mrz_attempts, d.mrz_failure, d.mrz_started_at "
            "FROM uploads_passportdocument d JOIN uploads_uploadrequest r "
            "ON r.id = d.upload_request_id WHERE r.token_hash = %s ORDER BY d.id DESC LIMIT 1",
            hashlib.sha256(token.encode()).hexdigest(),
        )
        return rows[0] if rows else None

    def image_views(self) -> int:
        return self.query("SELECT count(*) FROM uploads_auditevent WHERE action = 'view_image'")[0][
            0
        ]

    def verify(self) -> dict:
        acknowledged = self.root / "acknowledged.json"
        acknowledged.write_text(json.dumps(self.acknowledged))
        photos = self.root / "photos.json"
        photos.write_text(json.dumps(self.seeded["photos"]))
        return stack.run_python(self.direct_env, "bench.faults_site", "verify", str(acknowledged),
                                str(photos))  # fmt: skip


class Customer:
    def __init__(self, site: Stack, index: int, token: str) -> None:
        self.site, self.token, self.photo = site, token, index % PHOTOS
        self.surname = site.seeded["photos"][self.photo]["surname"]
        self.browser = Browser(site.url, Stats(), address=f"198.18.0.{index + 1}")
        assert self.browser.expect("open", "GET", f"/u/{token}/", 302) is not None
        page = self.browser.expect("start", "GET", "/upload/", 200)
        assert page is not None
        self.page = page

    def upload(self) -> tuple[int, dict[str, str], str, float]:
        body, content_type = _multipart(
            {
                "csrfmiddlewaretoken": _hidden(self.page, "csrfmiddlewaretoken"),
                "consent_document_id": _hidden(self.page, "consent_document_id"),
                "consent": "on",
            },
            Path(self.site.seeded["photos"][self.photo]["path"]).read_bytes(),
        )
        started = time.monotonic()
        status, headers, content = self.browser.request(
            "upload", "POST", "/upload/", body=body, content_type=content_type
        )
        waited = time.monotonic() - started
        if status == 302:
            self.site.acknowledged.append({"token": self.token, "photo": self.photo})
        return status, headers, content.decode(errors="replace"), waited

    def wait_for_fields(self, timeout_s: float = FIELDS_WAIT_S) -> tuple[str, float]:
        """Reload the review page every 2 s as the "being read" page does: "fields" when the MRZ
        was read into the form, "typing" when the page gave up and asks to type them."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            status, _headers, page = self.browser.request("review", "GET", "/upload/review/")
            text = page.decode(errors="replace")
            if status == 200 and 'name="surname"' in text:
                outcome = "fields" if f'value="{self.surname}"' in text else "typing"
                return outcome, time.monotonic() - started
            time.sleep(2)
        return "still reading", time.monotonic() - started


def _tail(text: str) -> str:
    return " ".join(text.split())[:200]


def _outage_page(status: int, headers: dict[str, str], page: str) -> str:
    if status != 503:
        return f"HTTP {status}"
    said = []
    if "Ничего не сохранено." in page:
        said.append("nothing stored")
    if "Попробуйте ещё раз через несколько минут." in page:
        said.append("try again in a few minutes")
    return f"503 ({', '.join(said)}; Retry-After {headers.get('Retry-After', '-')})"


# --- the faults --------------------------------------------------------------------------------


def fault_none(site: Stack) -> Fault:
    fault = Fault("none (baseline)")
    customer = site.customer()
    status, _h, _p, waited = customer.upload()
    outcome, read_s = customer.wait_for_fields()
    fault.customer_saw = f"upload {status} in {waited:.1f} s, {outcome} after {read_s:.0f} s"
    seller = site.seller()
    image, seconds, _body = site.seller_image(seller)
    fault.seller_saw = f"image {image} in {seconds:.1f} s"
    fault.recovered = status == 302 and outcome == "fields" and image == 200
    return fault


def fault_worker_killed(site: Stack) -> Fault:
    """SIGKILL the worker while it reads a customer's upload; systemd starts a new one."""
    fault = Fault("worker SIGKILL mid-reading")
    for _try in range(4):
        customer = site.customer()
        # Stopped before the upload, let go once the upload is in: it then claims the reading
        # within a tenth of a second, and is killed while it reads (a reading takes ~1 s).
        site.worker_signal(signal.SIGSTOP)
        status, _h, _p, _w = customer.upload()
        document = site.document_of(customer.token)
        site.worker_signal(signal.SIGCONT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            document = site.document_of(customer.token)
            if document is None or document[4] is not None or document[1] != "pending":
                break
            time.sleep(0.01)
        if document is not None and document[1] == "pending" and document[4] is not None:
            site.worker_kill()
            break
    else:
        fault.customer_saw = "the worker finished every reading before it could be killed"
        return fault
    outcome, read_s = customer.wait_for_fields()
    document = site.document_of(customer.token)
    fault.customer_saw = f"upload {status}; 'being read', then {outcome} after {read_s:.0f} s"
    fault.seller_saw = f"MRZ {document[1]} on attempt {document[2]}" if document else "no row"
    stuck = site.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    )[0][0]
    fault.details = {"outcome": outcome, "mrz": document[1] if document else None,
                     "attempts": document[2] if document else None, "stuck_task_rows": stuck}  # fmt: skip
    fault.recovered = outcome == "fields" and document is not None and document[1] == "found"
    return fault


def fault_s3_stopped(site: Stack) -> Fault:
    fault = Fault("S3 stopped")
    seller = site.seller()
    before = site.customer()
    # An upload just before the outage, whose reading meets it.
    site.worker_signal(signal.SIGSTOP)
    before_status, _h, _p, _w = before.upload()
    site.s3_proxy.refuse()
    site.worker_signal(signal.SIGCONT)
    during = site.customer()
    status, headers, page, waited = during.upload()
    stored_row = site.document_of(during.token) is not None
    views = site.image_views()
    image, image_s, body = site.seller_image(seller)
    health, health_s = site.health()
    time.sleep(2)  # the worker meets the outage on the earlier upload's reading
    read_during = site.document_of(before.token)
    site.s3_proxy.resume()
    outcome, _read_s = before.wait_for_fields()
    after = site.customer()
    after_status, _h, _p, _w = after.upload()
    after_outcome, _s = after.wait_for_fields()
    fault.customer_saw = f"{_outage_page(status, headers, page)} in {waited:.1f} s"
    storage_named = "Хранилище паспортов сейчас недоступно." in body.decode(errors="replace")
    fault.seller_saw = (
        f"image {image} in {image_s:.1f} s"
        + (" (storage unavailable)" if storage_named else "")
        + f", {site.image_views() - views} views audited; /health {health} in {health_s:.1f} s"
    )
    fault.details = {
        "status": status, "retry_after": headers.get("Retry-After"), "page": _tail(page),
        "stored_row": stored_row, "image": image, "storage_named": storage_named,
        "audited": site.image_views() - views, "health": health, "health_s": health_s,
        "earlier_upload": before_status, "earlier_reading_during": list(read_during[1:4]) if read_during else None,
        "earlier_outcome": outcome, "after": after_status, "after_outcome": after_outcome,
    }  # fmt: skip
    fault.recovered = after_status == 302 and after_outcome == "fields" and outcome == "fields"
    return fault


def _database_fault(site: Stack, name: str, start: Callable[[], None]) -> Fault:
    fault = Fault(name)
    seller = site.seller()
    customer = site.customer()
    start()
    status, headers, page, waited = customer.upload()
    image, image_s, _body = site.seller_image(seller)
    health, health_s = site.health()
    restarts_before = site.worker_restarts
    site.db_proxy.resume()
    time.sleep(1)
    stored_row = site.document_of(customer.token) is not None
    again_status, _h, _p, _w = customer.upload()  # the customer tries again a few minutes later
    outcome, _s = customer.wait_for_fields()
    # The database's and the keys' checks: the storage's probe repeats its last result for a
    # minute (portal/health.py), which may still be the S3 outage's.
    _status, _s, checks_after = site.health_checks()
    health_after = {name: checks_after.get(name) for name in ("database", "keys")}
    fault.customer_saw = f"{_outage_page(status, headers, page)} in {waited:.1f} s"
    fault.seller_saw = f"image {image} in {image_s:.1f} s; /health {health} in {health_s:.1f} s"
    fault.details = {
        "status": status, "retry_after": headers.get("Retry-After"), "page": _tail(page),
        "waited_s": waited, "stored_row": stored_row, "image": image, "health": health,
        "health_s": health_s, "again": again_status, "again_outcome": outcome,
        "health_after": health_after,
        "worker_restarted": site.worker_restarts - restarts_before,
    }  # fmt: skip
    fault.recovered = (
        again_status == 302
        and outcome == "fields"
        and health_after == {"database": "ok", "keys": "ok"}
    )
    return fault


def fault_database_unreachable(site: Stack) -> Fault:
    return _database_fault(site, "PostgreSQL unreachable", site.db_proxy.refuse)


def fault_database_paused(site: Stack) -> Fault:
    return _database_fault(site, "PostgreSQL paused", site.db_proxy.pause)


FAULTS = [
    fault_none,
    fault_worker_killed,
    fault_s3_stopped,
    fault_database_unreachable,
    fault_database_paused,
]


@contextlib.contextmanager
def started(
    root: Path, *, postgres_url: str = POSTGRES_URL, database: str = DATABASE
) -> Iterator[Stack]:
    with (
        stack.postgres_database(postgres_url, database) as database_url,
        stack.seaweedfs(root / "seaweedfs") as s3,
    ):
        direct_env = {
            **stack.production_env(data_dir=root / "data", database_url=database_url,
                                   s3_endpoint=s3.endpoint),
            **FAULT_SETTINGS,
        }  # fmt: skip
        stack.manage(direct_env, "migrate", "--noinput")
        stack.manage(direct_env, "collectstatic", "--noinput")
        seeded = stack.run_python(direct_env, "bench.faults_site", "seed", str(ORDERS),
                                  str(PHOTOS), str(root))  # fmt: skip
        database = urlsplit(database_url)
        s3_address = urlsplit(s3.endpoint)
        with (
            tcp_proxy(database.hostname or stack.HOST, database.port or 5432) as db_proxy,
            tcp_proxy(s3_address.hostname or stack.HOST, s3_address.port or 80) as s3_proxy,
        ):
            env = {
                **direct_env,
                "DATABASE_URL": database_url.replace(
                    f"{database.hostname}:{database.port}", f"{stack.HOST}:{db_proxy.port}"
                ),
                "S3_ENDPOINT_URL": f"http://{stack.HOST}:{s3_proxy.port}",
            }
            port = stack.free_ports(1)[0]
            web_log = root / "gunicorn.log"
            web = stack.start(
                [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py",
                 "-b", f"{stack.HOST}:{port}", "-w", "1", "--threads", "4", "portal.wsgi"],
                env=env, log=web_log,
            )  # fmt: skip
            site = Stack(
                url=f"http://{stack.HOST}:{port}", env=env, direct_env=direct_env,
                database_url=database_url, root=root, db_proxy=db_proxy, s3_proxy=s3_proxy,
                seeded=seeded,
            )  # fmt: skip
            stop = threading.Event()
            try:
                stack.wait_until(lambda: site.health()[0] == 200, what="gunicorn",
                                 timeout_s=60, process=web, log=web_log)  # fmt: skip
                site.worker_start()
                threading.Thread(target=site.worker_supervise, args=(stop,), daemon=True).start()
                yield site
            finally:
                stop.set()
                for process in (web, site.worker):
                    if process is not None:
                        stack.stop(process, grace_s=5)


def run(site: Stack) -> list[Fault]:
    faults = []
    for scenario in FAULTS:
        before = len(site.acknowledged)
        started_at = time.monotonic()
        fault = scenario(site)
        fault.details["seconds"] = round(time.monotonic() - started_at)
        verified = site.verify()
        fault.lost = verified["missing"] + verified["mismatch"]
        fault.orphans = verified["orphans"]
        fault.details["acknowledged"] = len(site.acknowledged) - before
        faults.append(fault)
    return faults


def table(faults: list[Fault]) -> str:
    lines = [
        "| fault | customer saw | seller saw | lost | orphans | recovered |",
        "|---|---|---|---|---|---|",
    ]
    for fault in faults:
        lines.append(
            f"| {fault.name} | {fault.customer_saw} | {fault.seller_saw} | {fault.lost} | "
            f"{fault.orphans} | {'yes' if fault.recovered else 'NO'} |"
        )
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as folder:
        print("starting PostgreSQL database, SeaweedFS, proxies, gunicorn and a worker...")
        started_at = time.monotonic()
        with started(Path(folder)) as site:
            print(f"started in {time.monotonic() - started_at:.0f} s")
            faults = run(site)
        print(table(faults))
        print(
            f"\n{len(site.acknowledged)} uploads acknowledged in all; {time.monotonic() - started_at:.0f} s"
        )
        for fault in faults:
            print(f"{fault.name}: {json.dumps(fault.details, ensure_ascii=False, default=str)}")
    return 0 if all(fault.recovered and not fault.lost for fault in faults) else 1


if __name__ == "__main__":
    raise SystemExit(main())
