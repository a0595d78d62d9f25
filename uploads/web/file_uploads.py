"""One way for every customer file upload (passport, second document) to say no: too large, not a
usable file, or a link that takes no uploads; each refusal is a message on the form, never a 500."""

from collections.abc import Callable

from django import forms
from django.http import HttpRequest

from uploads.core.errors import ServiceError
from uploads.core.images import RejectedFile, too_large
from uploads.core.upload_handlers import TOO_LARGE_ATTRIBUTE


def submitted_file[Submitted](
    request: HttpRequest, form: forms.Form, submit: Callable[[bytes], Submitted]
) -> Submitted | None:
    """Validate ``form`` and hand its ``file`` to ``submit``; None (with the reason on the form)
    when the file was refused."""
    if getattr(request, TOO_LARGE_ATTRIBUTE, False):
        # The upload handler stopped reading: the file field is empty, the real reason is size.
        form.is_valid()
        form.add_error(None, too_large().message)
        return None
    if not form.is_valid():
        return None
    try:
        return submit(form.cleaned_data["file"].read())
    except RejectedFile as rejected:
        form.add_error("file", rejected.message)
    except ServiceError as error:
        form.add_error(None, error.message)
    return None
