"""Reading the master keys that wrap every passport's data key."""

import base64
import binascii
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MASTER_KEY_BYTES = 32  # AES-256


def decode_master_key(text: str) -> bytes:
    """Decode one url-safe base64 key; raise ImproperlyConfigured naming the problem, never the key."""
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            "a PASSPORT_ENCRYPTION_KEYS entry is not url-safe base64"
        ) from None
    if len(key) != MASTER_KEY_BYTES:
        raise ImproperlyConfigured(
            f"a PASSPORT_ENCRYPTION_KEYS entry decodes to {len(key)} bytes; AES-256 needs {MASTER_KEY_BYTES}"
        )
    return key


def new_master_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(MASTER_KEY_BYTES)).decode().rstrip("=")


def load_master_keys(raw: str, *, dev_key_file: Path | None) -> list[bytes]:
    """Parse the comma-separated key list: the first key encrypts, every key decrypts.

    Without a list, development (``dev_key_file`` given) uses a random key kept in the data folder;
    production (no ``dev_key_file``) refuses to start.
    """
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if entries:
        keys = [decode_master_key(entry) for entry in entries]
        if len(set(keys)) != len(keys):
            raise ImproperlyConfigured("PASSPORT_ENCRYPTION_KEYS lists the same key twice")
        return keys
    if dev_key_file is None:
        raise ImproperlyConfigured(
            "PASSPORT_ENCRYPTION_KEYS must be set when DEBUG is off; "
            "generate one with: python manage.py generate_encryption_key"
        )
    if not dev_key_file.exists():
        dev_key_file.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not overwrite each other's key.
        try:
            fd = os.open(dev_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_master_key_text() + "\n")
    return [decode_master_key(dev_key_file.read_text().strip())]
