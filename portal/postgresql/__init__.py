"""Django's PostgreSQL backend with a deadline the client keeps: nothing waits on the database for
longer than DATABASE_STATEMENT_TIMEOUT_S plus a few seconds, even when the server does not answer.

The server's own ``statement_timeout`` (set in the connection's options, see settings) cancels a
slow statement; it cannot help when the server, or the network to it, stops answering altogether
(a paused server, a stalled proxy): the kernel still accepts our bytes and the driver waits on the
socket for good. Here every statement, commit and rollback is watched by one thread per process;
one that is still waiting past its deadline has its socket shut down, so the driver fails at once
(``OperationalError``: a 503 page, see ``uploads.web.outages``) and Django drops the connection.
Connecting has its own bound, libpq's ``connect_timeout`` (psycopg applies it to the whole
connection, start-up included).
"""

import contextlib
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

# Past the server's statement timeout, how long the client still waits for the cancel's answer.
CLIENT_GRACE_SECONDS = 5.0
# How long the check of a kept connection (is_usable, below) waits for its SELECT 1.
USABLE_CHECK_SECONDS = 2.0
_CHECK_INTERVAL_SECONDS = 0.25


class _Watchdog:
    """Deadlines of the database calls in progress in this process, and one daemon thread that
    shuts down the socket of any call past its deadline."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[int, tuple[float, int]] = {}  # call id -> (deadline, socket fd)
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watching(self, fd: int, seconds: float) -> Iterator[None]:
        call = next(self._ids)
        with self._lock:
            self._calls[call] = (time.monotonic() + seconds, fd)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="database-deadline", daemon=True
                )
                self._thread.start()
        try:
            yield
        finally:
            with self._lock:
                self._calls.pop(call, None)

    def _run(self) -> None:
        while True:
            time.sleep(_CHECK_INTERVAL_SECONDS)
            now = time.monotonic()
            with self._lock:
                overdue = [(call, fd) for call, (due, fd) in self._calls.items() if due <= now]
                for call, _fd in overdue:
                    del self._calls[call]
                for _call, fd in overdue:
                    # Under the lock: the call cannot end and its connection's fd be reused
                    # meanwhile (ending a call takes the lock first).
                    _shut_down(fd)
            for _call, _fd in overdue:
                logger.warning("A database call outlived its deadline: its connection was closed")


def _shut_down(fd: int) -> None:
    with contextlib.suppress(OSError):
        duplicate = socket.socket(fileno=os.dup(fd))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)  # wakes the driver waiting on the original
        finally:
            duplicate.close()


_watchdog = _Watchdog()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(self._execute_within_deadline)

    def _deadline_seconds(self) -> float | None:
        seconds = settings.DATABASE_STATEMENT_TIMEOUT_S
        return seconds + CLIENT_GRACE_SECONDS if seconds else None

    @contextlib.contextmanager
    def _within_deadline(self, seconds: float | None = None) -> Iterator[None]:
        seconds = seconds or self._deadline_seconds()
        fd = self._socket_fd()
        if seconds is None or fd is None:
            yield
            return
        with _watchdog.watching(fd, seconds):
            yield

    def _socket_fd(self) -> int | None:
        try:
            return self.connection.pgconn.socket if self.connection is not None else None
        except Exception:  # a connection already closed: nothing to watch
            return None

    def _execute_within_deadline(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict
    ) -> Any:
        with self._within_deadline():
            return execute(sql, params, many, context)

    def is_usable(self) -> bool:
        # Django's check of a kept connection before a request reuses it (CONN_HEALTH_CHECKS) runs
        # its SELECT 1 past the execute wrappers: it gets a short deadline of its own. A healthy
        # server answers in milliseconds, and a check that fails only means a new connection
        # (bounded by connect_timeout), so a silent server costs a request a few seconds, not all.
        with self._within_deadline(USABLE_CHECK_SECONDS):
            return super().is_usable()

    def _commit(self) -> None:
        with self._within_deadline():
            return super()._commit()

    def _rollback(self) -> None:
        with self._within_deadline():
            return super()._rollback()
