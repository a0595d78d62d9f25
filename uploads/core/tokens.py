"""Upload-link tokens: 256 random bits in the URL, only their SHA-256 in the database."""

import hashlib
import re
import secrets

TOKEN_BYTES = 32
# What a token looks like in a URL; anything else is rejected before touching the database.
TOKEN_PATTERN = r"[A-Za-z0-9_\-]{43}"  # noqa: S105 - a pattern, not a secret
_TOKEN_RE = re.compile(TOKEN_PATTERN)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(_TOKEN_RE.fullmatch(text))
