"""CDEK as an API carrier (``uploads.carriers.base.ApiCarrier``).

- The order is found by the seller's number (``GET /v2/orders?im_number=``) or CDEK's own
  (``?cdek_number=``); an unknown one is answered 400 with ``v2_entity_not_found…``.
- The recipient's passport data goes with ``PATCH /v2/orders`` (``uuid`` and ``recipient``):
  CDEK answers 202 with the request ``ACCEPTED`` and processes it later; the request's state
  (``SUCCESSFUL`` or ``INVALID`` with errors) is read back from ``GET /v2/orders/{uuid}``.
- ``GET /v2/passport?order_uuid=…&client=recipient`` says whether customs' passport requirements
  are met for the recipient.
"""

from django.conf import settings

from uploads.carriers import http
from uploads.carriers.base import (
    CarrierMessage,
    ConnectionProblem,
    CustomsRecordOut,
    Outcome,
    Readiness,
    ReadinessResult,
    SendResult,
)
from uploads.carriers.cdek.client import (
    CdekAuthFailed,
    CdekClient,
    CdekTokenRefused,
    CdekUnexpectedAnswer,
    messages_of,
)
from uploads.models import CdekAccount

# The recipient's fields this carrier is given (CDEK's names), in the order they are listed.
RECIPIENT_FIELDS = (
    "name",
    "passport_series",
    "passport_number",
    "passport_date_of_issue",
    "passport_organization",
    "passport_date_of_birth",
    "tin",
    "email",
    "phones",
)

_NOT_FOUND_PREFIX = "v2_entity_not_found"


def base_url(environment: str) -> str:
    if environment == CdekAccount.Environment.PRODUCTION:
        return settings.CDEK_API_URL_PRODUCTION
    return settings.CDEK_API_URL_TEST


class CdekCarrier:
    key = "cdek"
    name = "CDEK"
    country = "RU"  # CDEK LLC, Moscow: a hand-over inside Russia

    def __init__(self, *, environment: str, client_id: str, client_secret: str) -> None:
        self.client = CdekClient(
            base_url=base_url(environment), client_id=client_id, client_secret=client_secret
        )

    def __repr__(self) -> str:
        return f"CdekCarrier({self.client.base_url!r})"

    # -- the connection --

    def check_connection(self) -> ConnectionProblem:
        try:
            self.client.token(fresh=True)
        except CdekAuthFailed:
            return ConnectionProblem.WRONG_CREDENTIALS
        except http.CarrierTimeout:
            return ConnectionProblem.TIMEOUT
        except CdekUnexpectedAnswer:
            return ConnectionProblem.UNEXPECTED
        except http.CarrierUnreachable:
            return ConnectionProblem.UNREACHABLE
        return ConnectionProblem.OK

    # -- the order --

    def find_order(self, *, order_number: str, carrier_number: str) -> SendResult:
        query = {"cdek_number": carrier_number} if carrier_number else {"im_number": order_number}
        result = self._call("GET", "/v2/orders", query=query)
        if isinstance(result, SendResult):
            return result
        payload = result.json()
        entity = payload.get("entity") if isinstance(payload, dict) else None
        if (
            result.status == 200
            and isinstance(entity, dict)
            and isinstance(entity.get("uuid"), str)
        ):
            number = entity.get("cdek_number")
            return SendResult(
                Outcome.SUCCESSFUL,
                http_status=200,
                carrier_order_id=entity["uuid"][:36],
                carrier_number=str(number)[:20] if isinstance(number, int | str) else "",
            )
        return self._failure(result)

    def send(self, record: CustomsRecordOut) -> SendResult:
        body = {"uuid": record.carrier_order_id, "recipient": record.values}
        result = self._call("PATCH", "/v2/orders", json_body=body)
        if isinstance(result, SendResult):
            return result
        payload = result.json()
        if result.status in (200, 202) and isinstance(payload, dict):
            state, request_id = _request_state(payload, request_id="")
            if state == "INVALID":
                return SendResult(
                    Outcome.REFUSED, messages_of(payload), result.status, request_id=request_id
                )
            if state in ("ACCEPTED", "WAITING", "SUCCESSFUL"):
                return SendResult(
                    Outcome.SUCCESSFUL if state == "SUCCESSFUL" else Outcome.ACCEPTED,
                    messages_of(payload),
                    result.status,
                    carrier_order_id=record.carrier_order_id,
                    request_id=request_id,
                )
        return self._failure(result)

    def request_state(self, *, carrier_order_id: str, request_id: str) -> SendResult:
        result = self._call("GET", f"/v2/orders/{carrier_order_id}")
        if isinstance(result, SendResult):
            return result
        payload = result.json()
        if result.status != 200 or not isinstance(payload, dict):
            return self._failure(result)
        state, _found = _request_state(payload, request_id=request_id)
        if state == "SUCCESSFUL":
            return SendResult(Outcome.SUCCESSFUL, http_status=200, request_id=request_id)
        if state == "INVALID":
            return SendResult(
                Outcome.REFUSED, _request_errors(payload, request_id), 200, request_id=request_id
            )
        return SendResult(Outcome.ACCEPTED, http_status=200, request_id=request_id)

    def readiness(self, *, carrier_order_id: str) -> ReadinessResult:
        result = self._call(
            "GET", "/v2/passport", query={"order_uuid": carrier_order_id, "client": "recipient"}
        )
        if isinstance(result, SendResult):
            return ReadinessResult(
                Readiness.ERROR,
                result.messages,
                retry_later=result.outcome == Outcome.RETRY_LATER,
            )
        payload = result.json()
        if result.status == 200 and isinstance(payload, dict):
            for order in payload.get("orders") or []:
                if not isinstance(order, dict):
                    continue
                for passport in order.get("passport") or []:
                    if (
                        isinstance(passport, dict)
                        and passport.get("client") == "recipient"
                        and isinstance(passport.get("passport_requirements_satisfied"), bool)
                    ):
                        satisfied = passport["passport_requirements_satisfied"]
                        return ReadinessResult(
                            Readiness.SATISFIED if satisfied else Readiness.MISSING
                        )
        failure = self._failure(result)
        return ReadinessResult(
            Readiness.ERROR,
            failure.messages or [CarrierMessage(f"HTTP {result.status}")],
            retry_later=failure.outcome == Outcome.RETRY_LATER,
        )

    # -- shared --

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        json_body: object = None,
    ) -> http.Answer | SendResult:
        """The answer, or the outcome of a call that got none worth reading."""
        try:
            answer = self.client.request(method, path, query=query, json_body=json_body)
        except (CdekAuthFailed, CdekTokenRefused):
            return SendResult(Outcome.AUTH_FAILED, [CarrierMessage("auth_failed")])
        except http.CarrierTimeout:
            return SendResult(Outcome.RETRY_LATER, [CarrierMessage("timeout")])
        except http.CarrierUnreachable as error:
            return SendResult(Outcome.RETRY_LATER, [CarrierMessage("unreachable", str(error))])
        if answer.status == 429 or answer.status >= 500:
            return SendResult(
                Outcome.RETRY_LATER,
                messages_of(answer.json()) or [CarrierMessage(f"HTTP {answer.status}")],
                answer.status,
                retry_after=answer.retry_after,
            )
        return answer

    def _failure(self, answer: http.Answer) -> SendResult:
        messages = messages_of(answer.json())
        if any(message.code.startswith(_NOT_FOUND_PREFIX) for message in messages) or (
            answer.status == 404
        ):
            return SendResult(Outcome.NOT_FOUND, messages, answer.status)
        if 400 <= answer.status < 500:
            return SendResult(
                Outcome.REFUSED,
                messages or [CarrierMessage(f"HTTP {answer.status}")],
                answer.status,
            )
        # A 2xx or 3xx that does not say what it should: CDEK or a proxy in between misbehaves.
        return SendResult(
            Outcome.RETRY_LATER,
            [CarrierMessage(f"unexpected answer HTTP {answer.status}")],
            answer.status,
        )


def _request_state(payload: dict, *, request_id: str) -> tuple[str, str]:
    """The state of our request in an answer's ``requests`` (the first one, or the one with
    ``request_id``), and its id."""
    for request in payload.get("requests") or []:
        if not isinstance(request, dict):
            continue
        uuid = request.get("request_uuid") if isinstance(request.get("request_uuid"), str) else ""
        if request_id and uuid != request_id:
            continue
        state = request.get("state")
        return (state if isinstance(state, str) else ""), (uuid or "")[:36]
    return "", ""


def _request_errors(payload: dict, request_id: str) -> list[CarrierMessage]:
    for request in payload.get("requests") or []:
        if isinstance(request, dict) and request.get("request_uuid") == request_id:
            return messages_of({"errors": request.get("errors")})
    return []
