"""The webhook task a worker takes (arguments are ids only), and how a delivery is handed to it.

Never on a web thread. With a worker backend (``TASKS_BACKEND=database``) a delivery is a queued
task like any other. The default immediate backend runs a task inside the request that enqueued
it: a seller's Accept or a customer's confirmation would wait for the shop's receiver (up to
``WEBHOOK_TIMEOUT_SECONDS`` per attempt), and a slow receiver would hold shared web threads. So
with a backend that runs tasks inline, the first attempt goes to a small pool of background
threads in the process instead (``WEBHOOK_BACKGROUND_THREADS``, default 2) with a bounded queue:
the request returns at once, at most that many threads ever wait on receivers, and nothing is lost
when the queue is full or the process stops, because the outbox row is the truth: ``send_webhooks``
(cron, needed anyway for retries with this backend) sends whatever is still due. A pool rather
than "after the response" on the same thread: a WSGI thread that has sent its response is still
the web server's thread until the call ends, and would still be tied up by a slow receiver.
"""

import logging
import queue
import threading
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections
from django.tasks import task
from django.tasks.backends.immediate import ImmediateBackend

from uploads.models import WebhookDelivery
from uploads.webhooks.services import delivery

logger = logging.getLogger(__name__)

# Deliveries waiting for a background thread, per process; past it, cron sends them.
BACKGROUND_QUEUE_SIZE = 100


@task
def deliver_webhook(*, delivery_id: int) -> None:
    """One attempt; a failed one comes back at its back-off time where the backend can defer."""
    attempted = delivery.delivery_attempt(delivery_id=delivery_id)
    if attempted is not None and attempted.state == WebhookDelivery.State.PENDING:
        delivery_enqueue(delivery_id=attempted.pk, run_after=attempted.next_attempt_at)


def delivery_enqueue(*, delivery_id: int, run_after: datetime | None = None) -> None:
    """Hand a delivery to the task backend; without deferral a later attempt waits for the
    ``send_webhooks`` command (cron), which picks up what is due. A backend that would run it
    inline (on the caller's thread, a web request's) hands it to the background threads."""
    deliver = deliver_webhook
    backend = deliver.get_backend()
    if run_after is not None:
        if not backend.supports_defer:
            return
        deliver = deliver.using(run_after=run_after)
    if isinstance(backend, ImmediateBackend) and settings.WEBHOOK_BACKGROUND_THREADS:
        _background.submit(delivery_id)
        return
    deliver.enqueue(delivery_id=delivery_id)


class _BackgroundDeliveries:
    """A bounded queue and at most WEBHOOK_BACKGROUND_THREADS daemon threads, started on first use."""

    def __init__(self) -> None:
        self._queue: queue.Queue[int] = queue.Queue(maxsize=BACKGROUND_QUEUE_SIZE)
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def submit(self, delivery_id: int) -> None:
        try:
            self._queue.put_nowait(delivery_id)
        except queue.Full:
            logger.warning("Webhook delivery %s left for send_webhooks: queue full", delivery_id)
            return
        with self._lock:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            if len(self._threads) < settings.WEBHOOK_BACKGROUND_THREADS:
                thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                thread.start()
                self._threads.append(thread)

    def join(self) -> None:
        """Wait until every submitted delivery was attempted (for tests and benchmarks)."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            delivery_id = self._queue.get()
            # A thread of our own: Django's per-request connection handling is done here.
            close_old_connections()
            try:
                deliver_webhook.call(delivery_id=delivery_id)
            except Exception:
                # Recorded on the delivery where it could be; cron tries it again when due.
                logger.exception("Webhook delivery %s failed in the background", delivery_id)
            finally:
                close_old_connections()
                self._queue.task_done()


_background = _BackgroundDeliveries()


def background_deliveries_join() -> None:
    _background.join()
