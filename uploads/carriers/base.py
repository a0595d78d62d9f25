"""The carrier interface: what the portal asks of any carrier it hands customs records to.

An API carrier (CDEK is the first) takes one ready request's customs record and sends it, and
reports its own view of whether the order's passport requirements are met. A second API carrier
is one new module implementing ``ApiCarrier`` and one line in ``uploads.carriers.registry``.

Outcomes are values, not exceptions, so the sending service decides in one place what is retried
(``RETRY_LATER``), what is shown to the seller (``REFUSED`` with the carrier's own messages) and
what is final.
"""

import enum
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CarrierMessage:
    """One of the carrier's ``{code, message}`` errors or warnings (values we sent cut out)."""

    code: str
    message: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class CustomsRecordOut:
    """What is handed over for one request: the fields by the carrier's names, and how the
    carrier's order is found. The values are personal data: never logged, never stored."""

    order_number: str
    carrier_number: str  # the carrier's own order number when the seller gave one
    carrier_order_id: str  # the carrier's id once found (CDEK's order uuid)
    values: dict[str, object]

    def __repr__(self) -> str:  # a traceback or a debugger must not print the passport
        return f"CustomsRecordOut(order={self.order_number!r}, fields={sorted(self.values)})"

    def field_names(self) -> list[str]:
        return sorted(self.values)

    def secret_strings(self) -> list[str]:
        """Every value sent, as text, so that a message quoting one can have it cut out."""
        found: list[str] = []

        def collect(value: object) -> None:
            if isinstance(value, dict):
                for each in value.values():
                    collect(each)
            elif isinstance(value, list):
                for each in value:
                    collect(each)
            elif value not in (None, ""):
                found.append(str(value))

        collect(self.values)
        return sorted(set(found), key=len, reverse=True)


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"  # taken for processing (CDEK answers asynchronously)
    SUCCESSFUL = "successful"  # processed (a synchronous carrier, or a request read back)
    REFUSED = "refused"  # the carrier refused the data: the seller must fix something
    NOT_FOUND = "not_found"  # the carrier does not know the order
    RETRY_LATER = "retry_later"  # 429, 5xx, timeout, unreachable: try again after a while
    AUTH_FAILED = "auth_failed"  # the shop's credentials are wrong: nothing to retry


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    messages: list[CarrierMessage] = field(default_factory=list)
    http_status: int | None = None
    carrier_order_id: str = ""
    carrier_number: str = ""
    request_id: str = ""
    retry_after: int | None = None


class Readiness(enum.StrEnum):
    SATISFIED = "satisfied"
    MISSING = "missing"
    ERROR = "error"


@dataclass(frozen=True)
class ReadinessResult:
    readiness: Readiness
    messages: list[CarrierMessage] = field(default_factory=list)
    retry_later: bool = False


class ConnectionProblem(enum.StrEnum):
    """What "check the connection" found, as a code the admin translates."""

    OK = "ok"
    WRONG_CREDENTIALS = "wrong_credentials"
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    UNEXPECTED = "unexpected"


class ApiCarrier(Protocol):
    """A carrier that takes customs records through its API."""

    key: str  # stored on CarrierOrder / CarrierSend ("cdek")
    name: str  # shown to sellers and customers ("CDEK")
    country: str  # where it receives the data, ISO 3166 alpha-2 (the transfer register)

    def check_connection(self) -> ConnectionProblem:
        """Get a token (or the carrier's equivalent) and say what, if anything, is wrong."""
        ...

    def find_order(self, *, order_number: str, carrier_number: str) -> SendResult:
        """Find the carrier's order: ``SUCCESSFUL`` with its id, ``NOT_FOUND`` or a failure."""
        ...

    def send(self, record: CustomsRecordOut) -> SendResult:
        """Hand the record over. Sending the same record twice must change nothing the carrier
        keeps (an update with the same data), so a retried send is harmless."""
        ...

    def request_state(self, *, carrier_order_id: str, request_id: str) -> SendResult:
        """Where an ``ACCEPTED`` send stands now: still ``ACCEPTED``, ``SUCCESSFUL`` or
        ``REFUSED`` (with the carrier's messages)."""
        ...

    def readiness(self, *, carrier_order_id: str) -> ReadinessResult:
        """The carrier's own view: are the order's passport requirements met?"""
        ...
