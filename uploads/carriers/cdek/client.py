"""A small client of CDEK's API v2: OAuth 2 client credentials with a cached bearer token.

- ``POST /v2/oauth/token`` (``grant_type=client_credentials``, ``client_id``, ``client_secret``,
  form-encoded) answers ``access_token``, ``token_type``, ``expires_in`` (seconds).
- The token is kept in this process until a minute before it runs out; a call answered 401 (the
  token expired early, or CDEK's ``v2_token_expired``) gets one new token and is made once more.
- Errors come back as lists of ``{code, message}``, at the top (``errors``) or per request
  (``requests[].errors``); ``messages_of`` reads both.

The token and the credentials are never logged, stored or put in an exception's message.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from uploads.carriers import http
from uploads.carriers.base import CarrierMessage

# A token is used until this long before CDEK says it expires.
_TOKEN_MARGIN_SECONDS = 60

_MAX_MESSAGES = 20


class CdekAuthFailed(Exception):
    """CDEK refused the client id and secret."""


class CdekUnexpectedAnswer(http.CarrierUnreachable):
    """CDEK answered the token request with something that is not a token."""


class CdekTokenRefused(Exception):
    """A fresh token was refused too: the account cannot use this method."""


@dataclass
class _Token:
    value: str
    expires_at: float

    def __repr__(self) -> str:
        return "_Token(<hidden>)"


_tokens: dict[str, _Token] = {}
_tokens_lock = threading.Lock()


def tokens_forget() -> None:
    """Drop every cached token (tests; after an account's credentials change)."""
    with _tokens_lock:
        _tokens.clear()


class CdekClient:
    def __init__(self, *, base_url: str, client_id: str, client_secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        # The cache is per environment and credentials: a changed secret gets a new token.
        self._cache_key = hashlib.sha256(
            f"{self.base_url}\0{client_id}\0{client_secret}".encode()
        ).hexdigest()

    def __repr__(self) -> str:
        return f"CdekClient({self.base_url!r})"

    def token(self, *, fresh: bool = False) -> str:
        """A bearer token: the cached one, or a new one from ``POST /v2/oauth/token``. Raises
        ``CdekAuthFailed`` or ``http.CarrierUnreachable``."""
        now = time.monotonic()
        with _tokens_lock:
            cached = _tokens.get(self._cache_key)
            if cached is not None and not fresh and cached.expires_at > now:
                return cached.value
        answer = http.call(
            "POST",
            f"{self.base_url}/v2/oauth/token",
            form={
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
            },
        )
        payload = answer.json()
        if answer.status in (400, 401, 403):
            raise CdekAuthFailed(f"HTTP {answer.status}")
        if answer.status >= 500 or answer.status == 429:
            raise http.CarrierUnreachable(f"HTTP {answer.status}")
        if (
            answer.status != 200
            or not isinstance(payload, dict)
            or not isinstance(payload.get("access_token"), str)
            or not payload["access_token"]
        ):
            raise CdekUnexpectedAnswer(f"unexpected token answer (HTTP {answer.status})")
        expires_in = payload.get("expires_in")
        lifetime = expires_in if isinstance(expires_in, int) and expires_in > 0 else 0
        token = _Token(payload["access_token"], now + max(lifetime - _TOKEN_MARGIN_SECONDS, 0))
        with _tokens_lock:
            _tokens[self._cache_key] = token
        return token.value

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        json_body: object = None,
    ) -> http.Answer:
        """An authorised call; a 401 gets one new token and one more try (then
        ``CdekTokenRefused``)."""
        for attempt in range(2):
            token = self.token(fresh=attempt > 0)
            answer = http.call(
                method,
                f"{self.base_url}{path}",
                headers={"Authorization": f"Bearer {token}"},
                query=query,
                json_body=json_body,
            )
            if answer.status != 401:
                return answer
        raise CdekTokenRefused("HTTP 401 with a fresh token")


def messages_of(payload: object) -> list[CarrierMessage]:
    """Every ``{code, message}`` of an answer: its ``errors`` and each request's ``errors``
    (warnings are not refusals and are left out)."""
    found: list[CarrierMessage] = []
    if not isinstance(payload, dict):
        return found
    lists = [payload.get("errors")]
    requests = payload.get("requests")
    if isinstance(requests, list):
        lists += [each.get("errors") for each in requests if isinstance(each, dict)]
    for errors in lists:
        if not isinstance(errors, list):
            continue
        for error in errors:
            if isinstance(error, dict) and isinstance(error.get("code"), str):
                message = error.get("message")
                found.append(
                    CarrierMessage(
                        code=error["code"][:100],
                        message=message[:500] if isinstance(message, str) else "",
                    )
                )
    return found[:_MAX_MESSAGES]
