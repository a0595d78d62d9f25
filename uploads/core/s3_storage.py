"""The S3 storage of the encrypted passport blobs: django-storages' S3Storage, tuned for a web
process that serves requests on several threads.

- One boto3 session per process. django-storages makes a session per thread, and each new session
  parses botocore's S3 model again (~70 ms of CPU under the GIL): a cold gunicorn process paid it
  once per thread, in the middle of the first customers' uploads. A shared session parses it once;
  a thread's own resource then costs ~4 ms. Sessions are not thread-safe while creating clients, so
  creation is serialised; the resources themselves stay one per thread, as boto3 requires.
- No transfer threads: a 2-4 MB photo goes in one PutObject, and a thread pool started for every
  upload would only compete with the web threads.
"""

import threading

import boto3
from boto3.s3.transfer import TransferConfig
from storages.backends.s3 import S3Storage

_creating = threading.RLock()
_sessions: dict[tuple[str | None, ...], boto3.Session] = {}


class PassportS3Storage(S3Storage):
    def get_default_settings(self) -> dict:
        defaults = super().get_default_settings()
        defaults["transfer_config"] = TransferConfig(use_threads=False)
        return defaults

    @property
    def connection(self):  # type: ignore[no-untyped-def]
        connection = getattr(self._connections, "connection", None)
        if connection is None:
            with _creating:
                connection = super().connection
        return connection

    @property
    def unsigned_connection(self):  # type: ignore[no-untyped-def]
        connection = getattr(self._unsigned_connections, "connection", None)
        if connection is None:
            with _creating:
                connection = super().unsigned_connection
        return connection

    def _create_session(self) -> boto3.Session:
        identity = (self.session_profile, self.access_key, self.secret_key, self.security_token)
        with _creating:  # reentrant: the connection properties hold it while they call this
            session = _sessions.get(identity)
            if session is None:
                session = _sessions[identity] = super()._create_session()
            return session
