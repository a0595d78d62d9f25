"""A request's link: the token sealed with the request, the link's address and how long it lasts."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from uploads.core import crypto
from uploads.models import UploadRequest

TOKEN_CONTEXT = b"upload link token v1"


@dataclass(frozen=True)
class IssuedLink:
    upload_request: UploadRequest
    token: str

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}/u/{self.token}/"

    def __repr__(self) -> str:
        return f"IssuedLink({self.upload_request.pk}, <token hidden>)"


def token_place(upload_request: UploadRequest) -> dict[str, int]:
    """The ids a sealed link token is bound to: its shop and its request."""
    return {"shop_id": upload_request.order.shop_id, "request_id": upload_request.pk}


def token_seal(token: str, *, upload_request: UploadRequest) -> bytes:
    """The token sealed for this (saved) request: copied to another request it does not open."""
    return crypto.seal(token.encode(), context=TOKEN_CONTEXT, **token_place(upload_request))


def upload_link_current(*, upload_request: UploadRequest) -> IssuedLink:
    """The request's working link, to show to its seller or send to the customer again."""
    token = crypto.unseal(
        bytes(upload_request.token_sealed), context=TOKEN_CONTEXT, **token_place(upload_request)
    ).decode()
    return IssuedLink(upload_request=upload_request, token=token)


def link_expiry(*, deadline: date | None = None) -> datetime:
    """The link's life: UPLOAD_LINK_TTL_DAYS, but never ending before the order's deadline day."""
    expiry = timezone.now() + timedelta(days=settings.UPLOAD_LINK_TTL_DAYS)
    if deadline is not None:
        end_of_deadline = timezone.make_aware(
            datetime.combine(deadline + timedelta(days=1), time.min)
        )
        expiry = max(expiry, end_of_deadline)
    return expiry
