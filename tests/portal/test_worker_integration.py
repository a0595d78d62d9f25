"""A real django-tasks-db worker process takes the portal's tasks from a real database.

Each case arranges its data with a short script run by ``manage.py shell`` against a SQLite file
shared with the worker (the suite's own test database lives in memory, out of the worker's reach),
then waits in one more script until the worker has done its part: reading an upload's MRZ, and
sending a reminder that a ``send_reminders`` run queued. A new case is an arrange script and a wait
script.
"""

import email
import email.policy
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import stack
from tests.conftest import TEST_MASTER_KEY, key_text

pytestmark = pytest.mark.server  # gunicorn and a worker keep the real clock

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 90  # the worker reads a full-size photo on a busy 2-core machine


@dataclass(frozen=True)
class Site:
    env: dict[str, str]

    def run(self, code: str, *, timeout: float = 120) -> dict:
        """Run ``code`` with Django set up on the shared database; it prints one JSON object."""
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", textwrap.dedent(code)],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A migrated SQLite file database, passport folder and key, configured for a worker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TASKS_BACKEND": "database",
        "PASSPORT_ENCRYPTION_KEYS": key_text(TEST_MASTER_KEY),
        "LOG_LEVEL": "INFO",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    return Site(env=env)


@pytest.fixture
def worker(site: Site, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """``manage.py db_worker`` as production runs it, stopped (gracefully) after the test."""
    process = stack.start(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
         "--interval", "0.2"],
        env=site.env, log=tmp_path / "worker.log",
    )  # fmt: skip
    try:
        yield process
    finally:
        stack.stop(process, grace_s=30)


ARRANGE_UPLOAD = """
    import json
    from uploads.documents import selectors, services, specimens, tasks
    from uploads.models import Shop
    from uploads.papers import services as papers_services
    from uploads.papers.operator import DEMO_OPERATOR
    from uploads.requests import services as request_services
    shop = Shop.objects.create(name="Alice's Goods", **DEMO_OPERATOR)
    link = request_services.order_create(
        shop_id=shop.pk, number="A-100", customer_name="Anna Eriksson"
    )
    document = services.document_submit(
        upload_request=link.upload_request,
        data=specimens.render_jpeg(specimens.ERIKSSON, width=3000),
        consent_document_id=papers_services.consent_document_shown(shop=shop, language="ru").pk,
    )
    result = tasks.read_document_mrz.enqueue(document_id=document.pk)
    document.refresh_from_db()
    print(json.dumps({"document": document.pk, "task": str(result.id),
                      "status_after_enqueue": document.mrz_status}))
"""

WAIT_FOR_READING = """
    import json, time
    from django_tasks_db.models import DBTaskResult
    from uploads.documents import selectors
    from uploads.models import PassportDocument
    deadline = time.monotonic() + {wait}
    while True:
        task = DBTaskResult.objects.get(pk="{task}")
        if task.status in ("SUCCESSFUL", "FAILED") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    document = PassportDocument.objects.get(pk={document})
    print(json.dumps({{
        "task_status": task.status,
        "worker_ids": task.worker_ids,
        "mrz_status": document.mrz_status,
        "fields": selectors.document_fields(document=document),
        "valid": document.field_validity,
    }}))
"""


def test_it_reads_an_uploads_mrz_in_the_worker(site, worker, tmp_path):
    arranged = site.run(ARRANGE_UPLOAD)
    # Enqueued, not run: the upload returned before any reading.
    assert arranged["status_after_enqueue"] == "pending"

    done = site.run(WAIT_FOR_READING.format(wait=WAIT_S, **arranged), timeout=WAIT_S + 60)

    assert done["task_status"] == "SUCCESSFUL", done
    assert len(done["worker_ids"]) == 1  # claimed by the worker process
    assert done["mrz_status"] == "found"
    assert done["fields"]["surname"] == "ERIKSSON"
    assert done["fields"]["number"] == "L898902C3"
    assert done["valid"]["number"] is True
    assert worker.poll() is None  # still serving
    log = (tmp_path / "worker.log").read_text()
    assert "state=SUCCESSFUL" in log
    assert "ERIKSSON" not in log and "L898902C3" not in log


ARRANGE_REMINDER = """
    import io, json
    from datetime import timedelta
    from django.core.management import call_command
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult
    from uploads.models import ContactLogEntry, Shop, UploadRequest
    from uploads.papers.operator import DEMO_OPERATOR
    from uploads.requests import services
    shop = Shop.objects.create(name="Alice's Goods", **DEMO_OPERATOR)
    link = services.order_create(
        shop_id=shop.pk, number="A-200", customer_name="Anna Eriksson",
        email="anna@example.com", language="ru", send_invitation=False,
    )
    # Invited two days ago: the day-1 reminder is due.
    UploadRequest.objects.filter(pk=link.upload_request.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    out = io.StringIO()
    call_command("send_reminders", stdout=out, stderr=io.StringIO())
    entry = ContactLogEntry.objects.get(upload_request=link.upload_request)
    print(json.dumps({"entry": entry.pk, "token": link.token, "summary": out.getvalue(),
                      "outcome_after_run": entry.outcome,
                      "tasks": [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)]}))
"""

WAIT_FOR_REMINDER = """
    import json, time
    from django_tasks_db.models import DBTaskResult
    from uploads.models import ContactLogEntry
    deadline = time.monotonic() + {wait}
    while True:
        entry = ContactLogEntry.objects.get(pk={entry})
        if entry.outcome != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    task = DBTaskResult.objects.get()
    print(json.dumps({{"outcome": entry.outcome, "step": entry.step, "kind": entry.kind,
                      "task_status": task.status, "worker_ids": task.worker_ids}}))
"""


def test_it_sends_a_due_reminder_from_the_worker(site, worker, tmp_path):
    arranged = site.run(ARRANGE_REMINDER)
    # The cron run only claimed the step and queued the email: nothing was sent in it.
    assert arranged["outcome_after_run"] == "pending"
    assert "1 reminder(s) claimed (queued 1)" in arranged["summary"]
    assert len(arranged["tasks"]) == 1

    done = site.run(WAIT_FOR_REMINDER.format(wait=WAIT_S, **arranged), timeout=WAIT_S + 60)

    assert done["task_status"] == "SUCCESSFUL", done
    assert len(done["worker_ids"]) == 1  # claimed by the worker process
    assert (done["outcome"], done["kind"], done["step"]) == ("sent", "reminder", "day-1")
    # DEBUG writes each email to a file in the data folder: the one the worker sent.
    sent = [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in (tmp_path / "sent-emails").iterdir()
    ]
    assert len(sent) == 1
    assert sent[0]["To"] == "anna@example.com"
    text = sent[0].get_body(preferencelist=("plain",)).get_content()
    assert f"/u/{arranged['token']}/" in text
    log = (tmp_path / "worker.log").read_text()
    assert "state=SUCCESSFUL" in log
    assert arranged["token"] not in log and "anna@example.com" not in log
