"""A carrier account's client id and secret, sealed like passport fields.

``credential_seal`` is the one place a carrier credential is sealed, so a change to how the
crypto binds its authenticated data is made here once.
"""

from uploads.core import crypto

_CONTEXT = b"carrier credential v1:"


def credential_context(purpose: str) -> bytes:
    return _CONTEXT + purpose.encode()


def credential_seal(value: str, *, purpose: str, shop_id: int) -> bytes:
    """Seal ``value`` under a fresh data key; ``purpose`` ("client_id", "client_secret") and the
    shop are bound into the authenticated data, so a sealed id cannot be swapped in for the
    secret, nor one shop's credentials copied into another shop's account."""
    return crypto.seal(value.encode(), context=credential_context(purpose), shop_id=shop_id)


def credential_unseal(sealed: bytes, *, purpose: str, shop_id: int) -> str:
    return crypto.unseal(
        bytes(sealed), context=credential_context(purpose), shop_id=shop_id
    ).decode()
