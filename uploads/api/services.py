"""API tokens for a shop's own systems: created (shown once), checked on each call, revoked.

A token is ``pp_`` and 256 random bits; only its SHA-256 is stored (a fast hash is enough for a
random secret of this length, and keeps each API call cheap).
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from uploads.models import ApiToken

TOKEN_PREFIX = "pp_"  # noqa: S105 - a marker, not a secret
_MAX_TOKEN_LENGTH = 100
# last_used_at is written at most this often per token, not on every call.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(
    *,
    shop_id: int,
    name: str,
    actor: AbstractBaseUser | None = None,
    reads_links: bool = False,
) -> tuple[ApiToken, str]:
    """Create a token; the plaintext is returned once and never stored.

    ``reads_links``: the token's answers carry customers' links (the caller checks that whoever
    asks may see links themselves).
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(
        shop_id=shop_id,
        name=name,
        reads_links=reads_links,
        prefix=token[:10],
        token_hash=_hash(token),
        created_by=actor,
    )
    return api_token, token


def api_token_revoke(*, api_token: ApiToken) -> None:
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, token: str) -> ApiToken | None:
    """The live token a caller presented, or None (unknown, malformed or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        return None
    api_token = (
        ApiToken.objects.select_related("shop")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if api_token is None:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or api_token.last_used_at < now - _LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    return api_token
