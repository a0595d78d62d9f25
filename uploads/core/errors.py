"""The one root of the refusals a person is shown: a file we cannot take, a step not allowed now.

Each carries a ``message`` (often lazily translated) for the person who asked, in their language;
views and admin catch ``Refusal`` and show it, never a 500. Anything else is a bug.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Refusal(Exception):
    def __init__(self, message: Promise | str) -> None:
        super().__init__(str(message))
        self.message = message


class ServiceError(Refusal):
    """A state change that is not allowed now (an expired link, a decision already made...)."""


class Unavailable(Refusal):
    """A service the portal stands on (the passport storage, the database) does not answer.

    Nothing was stored by the step that met it; the person is asked to try again in a few minutes
    (HTTP 503 with ``Retry-After``, see ``portal.outages``). The message is fixed: the underlying
    error's text (a host name, a bucket) is never shown."""

    def __init__(self, message: Promise | str | None = None) -> None:
        super().__init__(message if message is not None else self.default_message)

    default_message: Promise | str = _("The service is temporarily unavailable.")


class StorageUnavailable(Unavailable):
    default_message = _("The passport storage cannot be reached right now.")


class DatabaseUnavailable(Unavailable):
    default_message = _("The service's database cannot be reached right now.")
