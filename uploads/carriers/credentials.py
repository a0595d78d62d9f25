"""A carrier account's client id and secret, sealed like passport fields.

``credential_seal`` is the one place a carrier credential is sealed, so a change to how the
crypto binds its authenticated data is made here once.
"""

from uploads.core import crypto

_CONTEXT = b"carrier credential v1:"


def credential_seal(value: str, *, purpose: str) -> bytes:
    """Seal ``value`` under a fresh data key; ``purpose`` ("client_id", "client_secret") is bound
    into the authenticated data, so a sealed id cannot be swapped in for the secret."""
    return crypto.seal(value.encode(), context=_CONTEXT + purpose.encode())


def credential_unseal(sealed: bytes, *, purpose: str) -> str:
    return crypto.unseal(bytes(sealed), context=_CONTEXT + purpose.encode()).decode()
