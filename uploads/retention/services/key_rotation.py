"""Key rotation: re-wrap every data key (and sealed link token) under the newest master key.

Each row is re-wrapped in its own small UPDATE that only applies if the row still holds the value
that was read (so a passport erased meanwhile stays erased). A run can be stopped at any moment
(Ctrl-C, a killed process, a lost connection): every row is then wrapped either by the old key or
by the new one, both are in PASSPORT_ENCRYPTION_KEYS, so every document still opens, and the next
run carries on with the rows still under an old key. Once a run reports nothing left, the old keys
can go. Files are never rewritten: a data key does not change, only the key wrapping it.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from uploads.audit import services as audit
from uploads.core import crypto, storage
from uploads.documents import selectors as document_selectors
from uploads.models import AuditEvent, PassportDocument, SupportingDocument, UploadRequest
from uploads.requests import links

Progress = Callable[[str], None]
_TOKEN_CONTEXT = links.TOKEN_CONTEXT


@dataclass
class RotationReport:
    documents: int = 0
    tokens: int = 0

    @property
    def total(self) -> int:
        return self.documents + self.tokens


@dataclass
class VerificationReport:
    checked: int = 0
    failures: list[str] = field(default_factory=list)  # "document 12: reason", never content


def _due_documents() -> QuerySet[PassportDocument]:
    return PassportDocument.objects.exclude(wrapped_key=b"").order_by("pk")


def _due_second_documents() -> QuerySet[SupportingDocument]:
    return SupportingDocument.objects.exclude(wrapped_key=b"").order_by("pk")


def _due_requests() -> QuerySet[UploadRequest]:
    return UploadRequest.objects.exclude(token_sealed=b"").order_by("pk")


def _token_resealed(sealed: bytes) -> bytes:
    return crypto.seal(crypto.unseal(sealed, context=_TOKEN_CONTEXT), context=_TOKEN_CONTEXT)


@dataclass(frozen=True)
class _Column:
    """A column of wrapped secrets: which rows hold one, how to tell it is under the first
    master key, and how to re-wrap it."""

    what: str  # for the progress lines
    rows: Callable[[], QuerySet]
    name: str
    is_current: Callable[[bytes], bool]
    rewrapped: Callable[[bytes], bytes]


_DATA_KEYS = [
    _Column(
        "documents",
        _due_documents,
        "wrapped_key",
        crypto.is_wrapped_by_primary_key,
        crypto.rewrap_data_key,
    ),
    _Column(
        "second documents",
        _due_second_documents,
        "wrapped_key",
        crypto.is_wrapped_by_primary_key,
        crypto.rewrap_data_key,
    ),
]
_LINK_TOKENS = _Column(
    "link tokens", _due_requests, "token_sealed", crypto.is_sealed_by_primary_key, _token_resealed
)


def keys_rotate(
    *, progress: Progress | None = None, batch_size: int = 100, pause: float = 0.0
) -> RotationReport:
    """Re-wrap everything not yet under the first master key; report how many rows changed.

    ``pause`` seconds between batches go easy on a busy database.
    """
    say = progress or (lambda _line: None)
    report = RotationReport()
    for column in _DATA_KEYS:
        report.documents += _rewrap(column, batch_size=batch_size, pause=pause, say=say)
    report.tokens = _rewrap(_LINK_TOKENS, batch_size=batch_size, pause=pause, say=say)
    if report.total:
        audit.audit_record(
            actor=None,
            action=AuditEvent.Action.KEY_ROTATION,
            upload_request=None,
            detail=f"{report.documents} data keys, {report.tokens} link tokens re-wrapped",
        )
    return report


def _rewrap(column: _Column, *, batch_size: int, pause: float, say: Progress) -> int:
    rows = column.rows()
    model = rows.model
    total = rows.count()
    changed = seen = 0
    for batch in _batches(rows.only("pk", column.name), batch_size):
        for row in batch:
            value = bytes(getattr(row, column.name))
            if not column.is_current(value):
                # Conditional: a row changed meanwhile (erased, replaced) is left as it now is.
                changed += model.objects.filter(pk=row.pk, **{column.name: value}).update(
                    **{column.name: column.rewrapped(value)}
                )
        seen += len(batch)
        say(f"{column.what} {seen}/{total} checked, {changed} re-wrapped")
        if pause:
            time.sleep(pause)
    return changed


def _batches(queryset: QuerySet, size: int):  # type: ignore[no-untyped-def]
    """Batches by primary key, so rows updated meanwhile never shift the next page."""
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def keys_still_old() -> int:
    """Rows still wrapped by a master key other than the first one."""
    return sum(
        not column.is_current(bytes(value))
        for column in [*_DATA_KEYS, _LINK_TOKENS]
        for value in column.rows().values_list(column.name, flat=True).iterator()
    )


def keys_verify(*, sample: int | None, progress: Progress | None = None) -> VerificationReport:
    """Open documents end to end: unwrap the key, decrypt the fields and the whole file (each
    chunk's tag is checked), and unseal link tokens. ``sample=None`` checks every one; a sample
    is drawn from passports and from tokens, while second documents (a few per shop) are all
    checked."""
    report = VerificationReport()
    say = progress or (lambda _line: None)
    document_ids = list(_due_documents().values_list("pk", flat=True))
    request_ids = list(_due_requests().values_list("pk", flat=True))
    if sample is not None:
        chooser = random.SystemRandom()
        document_ids = chooser.sample(document_ids, min(sample, len(document_ids)))
        request_ids = chooser.sample(request_ids, min(sample, len(request_ids)))
    for count, pk in enumerate(document_ids, start=1):
        document = PassportDocument.objects.get(pk=pk)
        try:
            key = crypto.unwrap_data_key(bytes(document.wrapped_key))
            document_selectors.document_fields(document=document)
            if document.blob_name:
                for _chunk in storage.blob_open(key=key, name=document.blob_name):
                    pass
        except Exception as error:  # any failure is reported, by id and kind only
            report.failures.append(f"document {pk}: {type(error).__name__}")
        report.checked += 1
        if count % 100 == 0:
            say(f"verified {count}/{len(document_ids)} documents")
    for supporting in _due_second_documents():
        try:
            key = crypto.unwrap_data_key(bytes(supporting.wrapped_key))
            if supporting.blob_name:
                for _chunk in storage.blob_open(key=key, name=supporting.blob_name):
                    pass
        except Exception as error:
            report.failures.append(f"second document {supporting.pk}: {type(error).__name__}")
        report.checked += 1
    for pk in request_ids:
        sealed = bytes(UploadRequest.objects.values_list("token_sealed", flat=True).get(pk=pk))
        try:
            crypto.unseal(sealed, context=_TOKEN_CONTEXT)
        except Exception as error:
            report.failures.append(f"link token of request {pk}: {type(error).__name__}")
        report.checked += 1
    return report
