"""The installation's register of master keys: which keys seal and open its data.

``PASSPORT_ENCRYPTION_KEYS`` is per process; the register is per installation (in the database).
A process checks its own list against it at start (``master_keys_problems``, run by the system
check, ``portal/wsgi.py`` and the worker) and in ``/health``:

- its first key (the one that seals new uploads) must be registered and not retired, with a
  matching check value: a replica started with a stray list refuses to start instead of sealing
  uploads under a key the other replicas lack;
- every registered key still in use (not retired) must be in its list: otherwise it would fail
  to show what was sealed under it.

A key is registered only on purpose (``manage.py register_encryption_key``, or the migration
that creates the register, which registers the list it runs with) and retired by ``rotate_keys``
once nothing is sealed under it.
"""

import hmac

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from uploads.core import crypto
from uploads.models import MasterKey


class KeyRegistrationRefused(Exception):
    """The key list cannot be registered (the message says why; it names key ids only)."""


def master_keys_problems(*, sealing_only: bool = False) -> list[str]:
    """What is wrong with this process's keys for this installation (empty: all is well). Each
    line names key ids only, never a key. ``sealing_only``: only what concerns the first key
    (the one that seals), as for rotating to it."""
    configured = crypto.configured_master_keys()
    by_id = {crypto.master_key_id(key): key for key in configured}
    first_id = crypto.master_key_id(configured[0])
    registered = {row.key_id: row for row in MasterKey.objects.all()}
    if not registered:
        return [
            "no master key is registered for this installation: run "
            "`python manage.py register_encryption_key` with the production key list"
        ]
    problems: list[str] = []
    first = registered.get(first_id)
    if first is None:
        problems.append(
            f"the first key of PASSPORT_ENCRYPTION_KEYS (id {first_id}) is not registered for "
            "this installation, so this process would seal uploads under a key the others "
            "lack; check the key list, or register a new key on purpose with "
            "`python manage.py register_encryption_key`"
        )
    elif first.retired_at is not None:
        problems.append(
            f"the first key of PASSPORT_ENCRYPTION_KEYS (id {first_id}) was retired by "
            "rotate_keys; put the current key first"
        )
    for key_id, row in registered.items():
        if sealing_only and key_id != first_id:
            continue
        key = by_id.get(key_id)
        if key is None:
            if row.retired_at is None:
                problems.append(
                    f"master key {key_id} is still in use here but missing from "
                    "PASSPORT_ENCRYPTION_KEYS"
                )
        elif not hmac.compare_digest(crypto.master_key_check_value(key), bytes(row.check_value)):
            problems.append(f"the key given for id {key_id} does not match its check value")
    return problems


def master_keys_require() -> None:
    """Refuse to go on (``ImproperlyConfigured``) when this process's keys do not fit this
    installation. A database not yet migrated (no register) or out of reach is let through:
    the first migrate registers the keys, and ``/health`` repeats the check."""
    try:
        if MasterKey._meta.db_table not in connection.introspection.table_names():
            return
        problems = master_keys_problems()
    except DatabaseError:
        return
    if problems:
        raise ImproperlyConfigured("Master keys: " + "; ".join(problems))


def master_key_register(*, keys: list[bytes] | None = None) -> list[str]:
    """Register the first configured key (and any other listed key the register lacks); return
    the ids newly registered.

    Refused when the list lacks a registered key still in use: a list that cannot open what is
    already sealed is not this installation's (a stray list), and registering it would let a
    process seal under a key the others lack.
    """
    keys = keys if keys is not None else crypto.configured_master_keys()
    by_id = {crypto.master_key_id(key): key for key in keys}
    with transaction.atomic():
        registered = {row.key_id: row for row in MasterKey.objects.select_for_update()}
        missing = [
            key_id
            for key_id, row in registered.items()
            if row.retired_at is None and key_id not in by_id
        ]
        if missing:
            raise KeyRegistrationRefused(
                "the key list lacks master key(s) still in use: "
                + ", ".join(missing)
                + "; keep them after the new key until rotate_keys has retired them"
            )
        for key_id, row in registered.items():
            key = by_id.get(key_id)
            if key is not None and not hmac.compare_digest(
                crypto.master_key_check_value(key), bytes(row.check_value)
            ):
                raise KeyRegistrationRefused(f"the key given for id {key_id} does not match")
        added = []
        for key_id, key in by_id.items():
            row = registered.get(key_id)
            if row is None:
                MasterKey.objects.create(
                    key_id=key_id, check_value=crypto.master_key_check_value(key)
                )
                added.append(key_id)
            elif row.retired_at is not None and key_id == crypto.master_key_id(keys[0]):
                # Put back first on purpose: it seals again.
                row.retired_at = None
                row.save(update_fields=["retired_at"])
                added.append(key_id)
    return added


def master_keys_retire(*, in_use: set[str]) -> list[str]:
    """Retire registered keys that nothing is sealed under (``in_use`` holds the ids still
    referenced) and that are not the first configured key; return their ids."""
    first_id = crypto.master_key_id(crypto.configured_master_keys()[0])
    retiring = MasterKey.objects.filter(retired_at__isnull=True).exclude(
        key_id__in=[*in_use, first_id]
    )
    retired = list(retiring.values_list("key_id", flat=True))
    retiring.update(retired_at=timezone.now())
    return retired
