"""Sessions stored in the database under a hash of their key: a copy of the database gives no
session that works (#20 item 9).

The cookie carries the session key; the ``django_session`` row is stored under the first 40 hex
digits of its SHA-256 (160 bits, the column's width). A request's cookie is hashed before every
look-up, so a key read from a database copy (a hash) opens nothing, and finding a key with a
given hash is out of reach (the key has about 165 random bits).

Why not signed-cookie sessions with a revocation list: the session's content (the customer's
upload request, the staff member's verified device) would travel in the cookie, readable by
whoever holds it, and signing out would need the list on the server anyway. With hashed keys
everything stays on the server and signing out deletes the row.
"""

import hashlib

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import SuspiciousOperation
from django.utils import timezone


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(b"passport-portal session " + session_key.encode()).hexdigest()[:40]


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, each row under the hash of its key."""

    def _stored_key(self) -> str:
        return session_key_hash(self.session_key or "")

    def _get_session_from_db(self):  # type: ignore[no-untyped-def]
        if self.session_key is None:
            return None
        try:
            return self.model.objects.get(
                session_key=self._stored_key(), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    async def _aget_session_from_db(self):  # type: ignore[no-untyped-def]
        if self.session_key is None:
            return None
        try:
            return await self.model.objects.aget(
                session_key=self._stored_key(), expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation):
            self._session_key = None
            return None

    def exists(self, session_key: str) -> bool:
        return self.model.objects.filter(session_key=session_key_hash(session_key)).exists()

    async def aexists(self, session_key: str) -> bool:
        return await self.model.objects.filter(session_key=session_key_hash(session_key)).aexists()

    def create_model_instance(self, data):  # type: ignore[no-untyped-def]
        return self.model(
            session_key=session_key_hash(self._get_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=self.get_expiry_date(),
        )

    async def acreate_model_instance(self, data):  # type: ignore[no-untyped-def]
        return self.model(
            session_key=session_key_hash(await self._aget_or_create_session_key()),
            session_data=self.encode(data),
            expire_date=await self.aget_expiry_date(),
        )

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=session_key_hash(session_key)).delete()

    async def adelete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self.model.objects.filter(session_key=session_key_hash(session_key)).adelete()
