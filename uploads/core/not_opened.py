"""A passport that can no longer be opened: what each person is told, and what is logged.

A document whose data key does not unwrap (its master key was removed from
``PASSPORT_ENCRYPTION_KEYS``, the wrapped key or the sealed fields are damaged, or the row was
moved to another place) never becomes a 500. The customer is asked to upload again; the seller
reads that it can no longer be opened and that the customer should upload again (and, when it is
a missing master key, which one); an export marks the row. Nothing here carries a passport value:
the log line names ids, the error's type and the key id (a public fingerprint) only.
"""

import logging

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from uploads.core import crypto

logger = logging.getLogger("uploads.not_opened")

# The customer's pages (and the rejection reason the seller can send them).
CUSTOMER_MESSAGE = _("We can no longer open the photo you sent. Please upload it again.")
# The same for details the customer typed (no photo was sent: none to speak of).
CUSTOMER_TYPED_MESSAGE = _(
    "We can no longer open the passport details you typed. Please type them again."
)


def customer_message(*, typed: bool) -> str:
    """What the customer reads when their passport does not open, photo or typed."""
    return str(CUSTOMER_TYPED_MESSAGE if typed else CUSTOMER_MESSAGE)


# A cell of an export whose passport does not open.
UNREADABLE_CELL = _("unreadable: ask the customer to upload again")

# The code a carrier send or a customs record keeps for it.
UNREADABLE = "unreadable"


def seller_message(error: crypto.DecryptionError) -> str:
    """What the seller reads about a passport that does not open, in the active language."""
    if isinstance(error, crypto.MasterKeyMissing):
        return gettext(
            "This passport can no longer be opened here: it was sealed under key %(key_id)s, "
            "which is not loaded. Ask the customer to upload it again."
        ) % {"key_id": error.key_id}
    return gettext(
        "This passport can no longer be opened (its key or data is damaged). Ask the customer "
        "to upload it again."
    )


def key_id_of(error: crypto.DecryptionError) -> str:
    return error.key_id if isinstance(error, crypto.MasterKeyMissing) else ""


def audit_detail(error: crypto.DecryptionError, *, where: str) -> str:
    """The audit event's detail: where it was met and why, never a value."""
    key_id = key_id_of(error)
    reason = f"key {key_id} not loaded" if key_id else type(error).__name__
    return f"{where}: {reason}"[:200]


def log_not_opened(
    error: crypto.DecryptionError, *, where: str, request_id: int | None, document_id: int | None
) -> None:
    """One warning line: the ids, the error's type and the key id; never content."""
    logger.warning(
        "passport does not open (%s): request %s, document %s, %s%s",
        where,
        request_id,
        document_id,
        type(error).__name__,
        f", key {key_id_of(error)}" if key_id_of(error) else "",
    )
