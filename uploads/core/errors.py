"""The one root of the refusals a person is shown: a file we cannot take, a step not allowed now.

Each carries a ``message`` (often lazily translated) for the person who asked, in their language;
views and admin catch ``Refusal`` and show it, never a 500. Anything else is a bug.
"""

from django.utils.functional import Promise


class Refusal(Exception):
    def __init__(self, message: Promise | str) -> None:
        super().__init__(str(message))
        self.message = message


class ServiceError(Refusal):
    """A state change that is not allowed now (an expired link, a decision already made...)."""
