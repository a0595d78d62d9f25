"""Key rotation: re-wrap every data key (and sealed link token) under the first master key, bound
to its place.

Each row is re-wrapped in its own small UPDATE that only applies if the row still holds the value
that was read (so a passport erased meanwhile stays erased). A run can be stopped at any moment
(Ctrl-C, a killed process, a lost connection): every row is then wrapped either by the old key or
by the new one, both are in PASSPORT_ENCRYPTION_KEYS, so every document still opens, and the next
run carries on with the rows still under an old key. Files are never rewritten: a data key does
not change, only the key wrapping it.

A row sealed before ciphertext was bound to its shop, request and document (a constant
authenticated data) counts as old too: it is re-sealed bound, its fields with it. A row that does
not open (its master key is not configured, or it was damaged) is skipped and reported with its
key id at the end; the run goes on. Once nothing is left under a registered key, the key is
retired in the register (processes may then drop it).
"""

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet

from uploads.audit import services as audit
from uploads.carriers.credentials import credential_context
from uploads.core import crypto, storage
from uploads.documents import selectors as document_selectors
from uploads.models import (
    AuditEvent,
    CdekAccount,
    EncryptedFileModel,
    PassportDocument,
    StaffTOTPDevice,
    SupportingDocument,
    UploadRequest,
)
from uploads.models.two_factor import totp_seed_context
from uploads.requests import links
from uploads.retention.services import master_keys

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Unopened:
    """A row that did not open: what, which, under which master key, and the error's kind."""

    what: str
    pk: int
    key_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what} {self.pk}: {self.reason} (master key {self.key_id})"


@dataclass
class RotationReport:
    documents: int = 0
    tokens: int = 0
    others: int = 0
    unopened: list[Unopened] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.documents + self.tokens + self.others


@dataclass
class VerificationReport:
    checked: int = 0
    failures: list[Unopened] = field(default_factory=list)


def _key_id_of(value: bytes, *, sealed: bool) -> str:
    try:
        return crypto.sealed_key_id(value) if sealed else crypto.wrapped_key_id(value)
    except crypto.DecryptionError:
        return "unknown"


@dataclass(frozen=True)
class Column:
    """A column of wrapped secrets: which rows hold one, how to tell it is current (under the
    first master key and bound), and the new values of a row that is not (``{column: value}``,
    possibly several columns, all changed in one conditional UPDATE)."""

    what: str  # for the progress lines and reports
    rows: Callable[[], QuerySet]
    name: str
    sealed: bool  # a ``crypto.seal`` value (else a wrapped data key)
    rewrapped: Callable[[Model], dict[str, object]]

    def value(self, row: Model) -> bytes:
        return bytes(getattr(row, self.name))

    def is_current(self, value: bytes) -> bool:
        return (
            crypto.is_sealed_by_primary_key(value)
            if self.sealed
            else crypto.is_wrapped_by_primary_key(value)
        )

    def key_id(self, value: bytes) -> str:
        return _key_id_of(value, sealed=self.sealed)


def _documents() -> QuerySet[PassportDocument]:
    return (
        PassportDocument.objects.exclude(wrapped_key=b"")
        .select_related("upload_request__order")
        .order_by("pk")
    )


def _second_documents() -> QuerySet[SupportingDocument]:
    return (
        SupportingDocument.objects.exclude(wrapped_key=b"")
        .select_related("upload_request__order")
        .order_by("pk")
    )


def _requests() -> QuerySet[UploadRequest]:
    return UploadRequest.objects.exclude(token_sealed=b"").select_related("order").order_by("pk")


def _file_rewrapped(document: EncryptedFileModel) -> dict[str, object]:
    place = document_selectors.document_place(document)
    context = document_selectors.file_context(document)
    wrapped = bytes(document.wrapped_key)
    changes: dict[str, object] = {
        "wrapped_key": crypto.rewrap_data_key(wrapped, context=context, **place)
    }
    fields_sealed = getattr(document, "fields_sealed", None)
    if fields_sealed and not crypto.is_bound(wrapped):
        # Sealed before the binding: the fields get it with their key.
        key = document_selectors.document_key(document, legacy=True)
        fields = crypto.decrypt_value(
            key,
            bytes(fields_sealed),
            context=document_selectors.FIELDS_CONTEXT,
            legacy=True,
            **place,
        )
        changes["fields_sealed"] = crypto.encrypt_value(
            key, fields, context=document_selectors.FIELDS_CONTEXT, **place
        )
    return changes


def _token_rewrapped(upload_request: UploadRequest) -> dict[str, object]:
    return {
        "token_sealed": crypto.reseal(
            bytes(upload_request.token_sealed),
            context=links.TOKEN_CONTEXT,
            **links.token_place(upload_request),
        )
    }


DATA_KEYS = [
    Column("document", _documents, "wrapped_key", False, _file_rewrapped),
    Column("second document", _second_documents, "wrapped_key", False, _file_rewrapped),
]
LINK_TOKENS = Column("link token of request", _requests, "token_sealed", True, _token_rewrapped)


def _seeds() -> QuerySet[StaffTOTPDevice]:
    return StaffTOTPDevice.objects.exclude(seed_sealed=b"").order_by("pk")


def _seed_resealed(device: StaffTOTPDevice) -> dict[str, object]:
    return {
        "seed_sealed": crypto.reseal(
            bytes(device.seed_sealed), context=totp_seed_context(device.user_id)
        )
    }


def _cdek_accounts() -> QuerySet[CdekAccount]:
    return CdekAccount.objects.order_by("pk")


def _credential_resealed(name: str, purpose: str) -> Callable[[Model], dict[str, object]]:
    def resealed(account: Model) -> dict[str, object]:
        return {
            name: crypto.reseal(
                bytes(getattr(account, name)),
                context=credential_context(purpose),
                shop_id=account.shop_id,  # type: ignore[attr-defined]
            )
        }

    return resealed


# Other sealed columns (each room adds its own ``Column`` here) are rotated and verified alike.
OTHER_SEALED: list[Column] = [
    Column("authenticator seed of device", _seeds, "seed_sealed", True, _seed_resealed),
    Column(
        "CDEK client id of account",
        _cdek_accounts,
        "client_id_sealed",
        True,
        _credential_resealed("client_id_sealed", "client_id"),
    ),
    Column(
        "CDEK client secret of account",
        _cdek_accounts,
        "client_secret_sealed",
        True,
        _credential_resealed("client_secret_sealed", "client_secret"),
    ),
]


def _columns() -> list[Column]:
    return [*DATA_KEYS, LINK_TOKENS, *OTHER_SEALED]


_PLURALS = {
    "document": "documents",
    "second document": "second documents",
    "authenticator seed of device": "authenticator seeds",
    "CDEK client id of account": "CDEK client ids",
    "CDEK client secret of account": "CDEK client secrets",
}


def _plural(column: Column) -> str:
    return _PLURALS.get(column.what, "link tokens" if column is LINK_TOKENS else column.what)


def keys_rotate(
    *, progress: Progress | None = None, batch_size: int = 100, pause: float = 0.0
) -> RotationReport:
    """Re-wrap everything not yet under the first master key (or not yet bound to its place);
    report how many rows changed and every row that did not open.

    Refused (``KeyRegistrationRefused``) while the first key is not registered: rotating to a
    stray key would seal everything under a key the other processes lack.
    ``pause`` seconds between batches go easy on a busy database.
    """
    problems = master_keys.master_keys_problems(sealing_only=True)
    if problems:
        raise master_keys.KeyRegistrationRefused("; ".join(problems))
    say = progress or (lambda _line: None)
    report = RotationReport()
    for column in _columns():
        changed = _rewrap(column, batch_size=batch_size, pause=pause, say=say, report=report)
        if column in DATA_KEYS:
            report.documents += changed
        elif column is LINK_TOKENS:
            report.tokens += changed
        else:
            report.others += changed
    if report.total:
        audit.audit_record(
            actor=None,
            action=AuditEvent.Action.KEY_ROTATION,
            upload_request=None,
            detail=f"{report.documents} data keys, {report.tokens} link tokens re-wrapped"
            + (f", {report.others} other secrets" if report.others else ""),
        )
    if not report.unopened:
        report.retired = master_keys.master_keys_retire(in_use=set(keys_in_use()))
    return report


def _rewrap(
    column: Column, *, batch_size: int, pause: float, say: Progress, report: RotationReport
) -> int:
    rows = column.rows()
    model = rows.model
    total = rows.count()
    changed = seen = 0
    for batch in _batches(rows, batch_size):
        for row in batch:
            value = column.value(row)
            if column.is_current(value):
                continue
            try:
                changes = column.rewrapped(row)
            except crypto.DecryptionError as error:
                report.unopened.append(
                    Unopened(column.what, row.pk, column.key_id(value), type(error).__name__)
                )
                continue
            # Conditional: a row changed meanwhile (erased, replaced) is left as it now is.
            changed += model.objects.filter(pk=row.pk, **{column.name: value}).update(**changes)
        seen += len(batch)
        say(f"{_plural(column)} {seen}/{total} checked, {changed} re-wrapped")
        if pause:
            time.sleep(pause)
    return changed


def _batches(queryset: QuerySet, size: int) -> Iterator[list[Model]]:
    """Batches by primary key, so rows updated meanwhile never shift the next page."""
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:size])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def keys_in_use() -> Counter[str]:
    """How many rows each master key (by id) still wraps."""
    counts: Counter[str] = Counter()
    for column in _columns():
        for value in column.rows().values_list(column.name, flat=True).iterator():
            counts[column.key_id(bytes(value))] += 1
    return counts


def keys_still_old() -> int:
    """Rows still wrapped by a master key other than the first one, or not bound to their place."""
    return sum(
        not column.is_current(bytes(value))
        for column in _columns()
        for value in column.rows().values_list(column.name, flat=True).iterator()
    )


def _open_file(document: EncryptedFileModel) -> None:
    key = document_selectors.document_key(document)
    if isinstance(document, PassportDocument):
        document_selectors.document_fields(document=document)
    if document.blob_name:
        for _chunk in storage.blob_open(key=key, name=document.blob_name):
            pass


def _open_token(upload_request: UploadRequest) -> None:
    links.upload_link_current(upload_request=upload_request)


def _opener(column: Column) -> Callable[[Model], None]:
    if column in DATA_KEYS:
        return _open_file  # type: ignore[return-value]
    if column is LINK_TOKENS:
        return _open_token  # type: ignore[return-value]
    return lambda row: column.rewrapped(row) and None  # opening is what re-sealing needs


def keys_verify(*, sample: int | None, progress: Progress | None = None) -> VerificationReport:
    """Open rows end to end, changing nothing: unwrap the key, decrypt the fields and the whole
    file (each chunk's tag is checked), unseal link tokens. ``sample=None`` checks every one; a
    sample is drawn from passports and from tokens, while second documents (a few per shop) are
    all checked. A row that does not open is reported with its master key id; the check goes on."""
    report = VerificationReport()
    say = progress or (lambda _line: None)
    chooser = random.SystemRandom()
    for column in _columns():
        ids = list(column.rows().values_list("pk", flat=True))
        if sample is not None and column is not DATA_KEYS[1]:
            ids = chooser.sample(ids, min(sample, len(ids)))
        opener = _opener(column)
        for count, pk in enumerate(sorted(ids), start=1):
            row = column.rows().filter(pk=pk).first()
            if row is None:  # erased meanwhile
                continue
            try:
                opener(row)
            except Exception as error:  # any failure is reported, by id and kind only
                report.failures.append(
                    Unopened(
                        column.what, pk, column.key_id(column.value(row)), type(error).__name__
                    )
                )
            report.checked += 1
            if count % 100 == 0:
                say(f"verified {count}/{len(ids)} {_plural(column)}")
    return report
