"""A stand-in for CDEK's API v2, started by the tests (and `make bench-carrier`) on loopback.

It keeps to what CDEK documents (api-docs.cdek.ru) for the calls the portal makes, and refuses
what CDEK would refuse:

- ``POST /v2/oauth/token``: form (or query) ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``; answers ``access_token``, ``token_type``, ``expires_in``, ``scope``, ``jti``;
  wrong credentials 401 ``{"error": "invalid_client", ...}``.
- Every other call needs ``Authorization: Bearer <token>``: a missing or unknown token is 401
  ``v2_unauthorized``, an expired one 401 ``v2_token_expired`` (in ``requests[].errors``).
- ``GET /v2/orders?im_number=`` or ``?cdek_number=``: the order (``entity``) and its requests;
  an unknown one is 400 with ``v2_entity_not_found_im_number`` / ``v2_entity_not_found``.
- ``GET /v2/orders/{uuid}``: the order and its requests; an ``UPDATE`` request accepted earlier
  is processed by then (``SUCCESSFUL``, or ``INVALID`` when told to with ``invalidate_next``).
- ``PATCH /v2/orders``: ``uuid`` (or ``cdek_number``) and ``recipient``; the recipient's fields are
  checked for their documented names, types, lengths and formats (``string(255)``; dates
  ``YYYY-MM-DD``; ``tin`` 10 or 12 digits; ``phones`` at most 10 of ``{number, additional}``);
  refused with 400 and ``{code, message}`` errors; accepted with 202, the request ``ACCEPTED``.
- ``GET /v2/passport?order_uuid=`` (or ``cdek_number``), optional ``client``: per order, per client
  (``sender``, ``recipient``), ``passport_requirements_satisfied``.
- Dates and times in answers: ``yyyy-MM-dd'T'HH:mm:ssZ`` (``2026-12-03T10:00:00+0000``).

Stand-in choices where CDEK's documentation says nothing: a field of the recipient it does not
know is refused (``v2_invalid_field``: it catches our own typos); the recipient's passport
requirements count as met when ``name``, ``passport_number``, ``passport_date_of_issue`` and
``passport_date_of_birth`` are present and the last update was processed.

Told what to do by the tests: ``fail_next(status, count)``, ``fail_ratio(ratio)``, ``slow(s)``,
``expire_tokens()``, ``invalidate_next()``. ``calls`` records every call (method, path, query and
body) so a test can check what was sent.
"""

import json
import random
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

RECIPIENT_STRINGS = ("name", "passport_series", "passport_number", "passport_organization", "email")
RECIPIENT_DATES = ("passport_date_of_issue", "passport_date_of_birth")
RECIPIENT_KNOWN = {
    *RECIPIENT_STRINGS,
    *RECIPIENT_DATES,
    "tin",
    "phones",
    "company",
    "contragent_type",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class StandinOrder:
    uuid: str
    cdek_number: int
    im_number: str
    recipient: dict[str, Any] = field(default_factory=lambda: {"name": "Покупатель"})
    requests: list[dict[str, Any]] = field(default_factory=list)
    patches: int = 0  # PATCH calls accepted
    changes: int = 0  # accepted PATCH calls that changed what CDEK keeps

    def entity(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "type": 1,
            "number": self.im_number,
            "cdek_number": self.cdek_number,
            "recipient": {
                **self.recipient,
                "passport_requirements_satisfied": self.recipient_satisfied(),
            },
            "sender": {"name": "Seller Ltd", "passport_requirements_satisfied": True},
        }

    def recipient_satisfied(self) -> bool:
        processed = all(request["state"] != "ACCEPTED" for request in self.requests)
        needed = ("name", "passport_number", "passport_date_of_issue", "passport_date_of_birth")
        return processed and all(self.recipient.get(name) for name in needed)


class CdekStandin:
    def __init__(
        self,
        *,
        client_id: str = "portal-test",
        client_secret: str = "secret-test",  # noqa: S107
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.tokens: dict[str, bool] = {}  # token -> still valid
        self.orders: dict[str, StandinOrder] = {}
        self.calls: list[Call] = []
        self._fail_next: list[tuple[int, dict | None] | None] = []
        self._fail_ratio = 0.0
        self._random = random.Random(2026)
        self._slow = 0.0
        self._invalidate_next = 0
        self.injected = 0  # answers replaced by a failure (fail_next, fail_ratio)
        self._next_cdek_number = 1_100_000_000
        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "CdekStandin":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- what the tests tell it --

    def add_order(self, im_number: str, *, cdek_number: int | None = None) -> StandinOrder:
        with self.lock:
            if cdek_number is None:
                self._next_cdek_number += 1
                cdek_number = self._next_cdek_number
            order = StandinOrder(str(uuid.uuid4()), cdek_number, im_number)
            self.orders[order.uuid] = order
            return order

    def order_by_number(self, im_number: str) -> StandinOrder:
        return next(order for order in self.orders.values() if order.im_number == im_number)

    def fail_next(
        self, status: int, count: int = 1, *, payload: dict | None = None, after: int = 0
    ) -> None:
        """After ``after`` calls other than the token's, the next ``count`` answer ``status``
        (with ``payload``, or a generic ``{code, message}`` error)."""
        with self.lock:
            self._fail_next += [None] * after + [(status, payload)] * count

    def fail_ratio(self, ratio: float, *, seed: int = 2026) -> None:
        """This share of calls other than the token's answer 429 or 500 (half each)."""
        with self.lock:
            self._fail_ratio = ratio
            self._random = random.Random(seed)

    def slow(self, seconds: float) -> None:
        self._slow = seconds

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.tokens:
                self.tokens[token] = False

    def invalidate_next(self, count: int = 1) -> None:
        """The next ``count`` updates are accepted, then processed as INVALID."""
        with self.lock:
            self._invalidate_next += count

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [call for call in self.calls if call.method == method and call.path == path]

    # -- the endpoints --

    def handle(self, method: str, path: str, query: dict, body: Any, headers: dict) -> tuple:
        with self.lock:
            self.calls.append(Call(method, path, query, body, headers))
        if self._slow:
            time.sleep(self._slow)
        if path == "/v2/oauth/token" and method == "POST":
            return self._token(query, body)
        denied = self._authorised(headers)
        if denied is not None:
            return denied
        with self.lock:
            injected = self._fail_next.pop(0) if self._fail_next else None
            if injected is None and self._fail_ratio and self._random.random() < self._fail_ratio:
                injected = (self._random.choice((429, 500)), None)
        if injected is not None:
            with self.lock:
                self.injected += 1
            status, payload = injected
            return status, payload or {
                "errors": [{"code": "v2_internal_error", "message": "try later"}]
            }
        with self.lock:
            if path == "/v2/orders" and method == "GET":
                return self._order_find(query)
            if path == "/v2/orders" and method == "PATCH":
                return self._order_update(body)
            if path.startswith("/v2/orders/") and method == "GET":
                return self._order_get(path.removeprefix("/v2/orders/"))
            if path == "/v2/passport" and method == "GET":
                return self._passport(query)
        return 404, {"errors": [{"code": "v2_not_found", "message": "no such method"}]}

    def _token(self, query: dict, body: Any) -> tuple:
        form = {**{k: v[0] for k, v in query.items()}, **(body if isinstance(body, dict) else {})}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "grant_type"}
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "Bad credentials"}
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = True
        return 200, {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 3599,
            "scope": "order:all payment:all",
            "jti": secrets.token_hex(8),
        }

    def _authorised(self, headers: dict) -> tuple | None:
        value = headers.get("authorization", "")
        token = value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""
        with self.lock:
            valid = self.tokens.get(token)
        if valid is None:
            return 401, _invalid("AUTH", "v2_unauthorized", "Unauthorized")
        if not valid:
            return 401, _invalid("AUTH", "v2_token_expired", "Token expired")
        return None

    def _find(
        self, *, im_number: str = "", cdek_number: str = "", uuid_: str = ""
    ) -> StandinOrder | None:
        for order in self.orders.values():
            if (
                (im_number and order.im_number == im_number)
                or (cdek_number and str(order.cdek_number) == cdek_number)
                or (uuid_ and order.uuid == uuid_)
            ):
                return order
        return None

    def _order_find(self, query: dict) -> tuple:
        im_number = query.get("im_number", [""])[0]
        cdek_number = query.get("cdek_number", [""])[0]
        if not im_number and not cdek_number:
            return 400, _invalid("GET", "v2_parameters_empty", "im_number or cdek_number")
        if cdek_number and not cdek_number.isdigit():
            return 400, _invalid("GET", "v2_invalid_format", "cdek_number is a long")
        order = self._find(im_number=im_number, cdek_number=cdek_number)
        if order is None:
            code = "v2_entity_not_found_im_number" if im_number else "v2_entity_not_found"
            return 400, _invalid("GET", code, "Entity is not found")
        return 200, {"entity": order.entity(), "requests": order.requests}

    def _order_get(self, order_uuid: str) -> tuple:
        order = self._find(uuid_=order_uuid) if _UUID.match(order_uuid) else None
        if order is None:
            return 400, _invalid("GET", "v2_entity_not_found", "Entity is not found")
        for request in order.requests:  # processed asynchronously: done by the next read
            if request["state"] == "ACCEPTED":
                if request.pop("_invalid", False):
                    request["state"] = "INVALID"
                    request["errors"] = [
                        {"code": "v2_recipient_passport_invalid", "message": "Passport not valid"}
                    ]
                else:
                    request["state"] = "SUCCESSFUL"
                request["date_time"] = now_text()
        return 200, {"entity": order.entity(), "requests": order.requests}

    def _order_update(self, body: Any) -> tuple:
        if not isinstance(body, dict):
            return 400, _invalid("UPDATE", "v2_bad_request", "JSON object expected")
        errors = []
        order_uuid, cdek_number = body.get("uuid"), body.get("cdek_number")
        if order_uuid is None and cdek_number is None:
            errors.append(("v2_field_is_empty", "uuid or cdek_number"))
        elif order_uuid is not None and (
            not isinstance(order_uuid, str) or not _UUID.match(order_uuid)
        ):
            errors.append(("v2_invalid_format", "uuid"))
        recipient = body.get("recipient")
        if not isinstance(recipient, dict):
            errors.append(("v2_field_is_empty", "recipient"))
        else:
            errors += recipient_errors(recipient)
        unknown = set(body) - {"uuid", "cdek_number", "recipient", "comment", "tariff_code"}
        errors += [("v2_invalid_field", name) for name in sorted(unknown)]
        if errors:
            return 400, {
                "requests": [
                    {
                        "type": "UPDATE",
                        "date_time": now_text(),
                        "state": "INVALID",
                        "errors": [{"code": c, "message": m} for c, m in errors],
                    }
                ]
            }
        order = self._find(uuid_=order_uuid or "", cdek_number=str(cdek_number or ""))
        if order is None:
            return 400, _invalid("UPDATE", "v2_entity_not_found", "Entity is not found")
        before = dict(order.recipient)
        order.recipient.update(recipient)
        order.patches += 1
        order.changes += order.recipient != before
        request = {
            "request_uuid": str(uuid.uuid4()),
            "type": "UPDATE",
            "date_time": now_text(),
            "state": "ACCEPTED",
        }
        if self._invalidate_next:
            self._invalidate_next -= 1
            request["_invalid"] = True
        order.requests.append(request)
        visible = {key: value for key, value in request.items() if not key.startswith("_")}
        return 202, {"entity": {"uuid": order.uuid}, "requests": [visible]}

    def _passport(self, query: dict) -> tuple:
        order_uuid = query.get("order_uuid", [""])[0]
        cdek_number = query.get("cdek_number", [""])[0]
        client = query.get("client", [""])[0]
        if not order_uuid and not cdek_number:
            return 400, {"errors": [{"code": "v2_parameters_empty", "message": "order"}]}
        if client and client not in ("sender", "recipient"):
            return 400, {"errors": [{"code": "v2_invalid_format", "message": "client"}]}
        order = self._find(uuid_=order_uuid, cdek_number=cdek_number)
        if order is None:
            return 400, {
                "errors": [{"code": "v2_entity_not_found", "message": "Entity is not found"}]
            }
        passports = [
            {"client": "sender", "passport_requirements_satisfied": True},
            {"client": "recipient", "passport_requirements_satisfied": order.recipient_satisfied()},
        ]
        return 200, {
            "orders": [
                {
                    "order_uuid": order.uuid,
                    "cdek_number": order.cdek_number,
                    "passport": [p for p in passports if not client or p["client"] == client],
                }
            ]
        }


def recipient_errors(recipient: dict) -> list[tuple[str, str]]:
    """What CDEK would refuse in a recipient (documented names, types, lengths, formats)."""
    errors: list[tuple[str, str]] = []
    for name in sorted(set(recipient) - RECIPIENT_KNOWN):
        errors.append(("v2_invalid_field", f"recipient.{name}"))
    if not recipient.get("name"):
        errors.append(("v2_field_is_empty", "recipient.name"))
    for name in RECIPIENT_STRINGS:
        if name in recipient and (
            not isinstance(recipient[name], str) or len(recipient[name]) > 255
        ):
            errors.append(("v2_invalid_value_type", f"recipient.{name}: string(255)"))
    for name in RECIPIENT_DATES:
        if name in recipient:
            value = recipient[name]
            if not isinstance(value, str) or not _DATE.match(value) or not _real_date(value):
                errors.append(("v2_invalid_format", f"recipient.{name}: date yyyy-MM-dd"))
    if "tin" in recipient:
        tin = recipient["tin"]
        if not isinstance(tin, str) or not tin.isdigit() or len(tin) not in (10, 12):
            errors.append(("v2_invalid_format", "recipient.tin: 10 or 12 digits"))
    if "phones" in recipient:
        phones = recipient["phones"]
        if not isinstance(phones, list) or len(phones) > 10:
            errors.append(("v2_invalid_value_type", "recipient.phones: at most 10"))
        else:
            for phone in phones:
                if (
                    not isinstance(phone, dict)
                    or not isinstance(phone.get("number"), str)
                    or not phone["number"]
                    or len(phone["number"]) > 255
                    or set(phone) - {"number", "additional"}
                ):
                    errors.append(("v2_invalid_format", "recipient.phones[].number"))
    return errors


def _real_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _invalid(request_type: str, code: str, message: str) -> dict:
    return {
        "requests": [
            {
                "type": request_type,
                "date_time": now_text(),
                "state": "INVALID",
                "errors": [{"code": code, "message": message}],
            }
        ]
    }


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that gave up (a timeout test) is not the stand-in's error


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every call on loopback.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        body: Any = None
        if raw and content_type.startswith("application/json"):
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        elif raw and content_type.startswith("application/x-www-form-urlencoded"):
            body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        headers = {key.lower(): value for key, value in self.headers.items()}
        status, payload = self.server.standin.handle(  # type: ignore[attr-defined]
            self.command, parts.path, parse_qs(parts.query), body, headers
        )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve
