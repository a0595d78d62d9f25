"""Validation and normalisation of an uploaded passport file, under limits.

Every decoder (Pillow's JPEG, PNG and HEIF plugins, pdfium) runs in a child process
(``uploads.core.decoder_process``) with an address-space limit, a CPU-time limit and a wall-clock
deadline, and only after the file's header showed that the pixels it needs fit the budget
(``uploads.core.decoding``). At most ``PASSPORT_DECODES_PER_PROCESS`` decodes run at once in a web
process; a request beyond them waits for a slot as long as one decode may take, then is asked to
try again. What comes out is always a baseline RGB JPEG without any metadata.
"""

import math
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from uploads.core import decoding
from uploads.core.decoder_process import decode_in_child
from uploads.core.decoding import DecodeLimits, DecodeRefused, MiB
from uploads.core.errors import Refusal

# The stored copy is large enough to read every character of a passport page, and no larger.
STORED_LONG_SIDE = 4096
MIN_LONG_SIDE = 400
# Of a decode's memory budget, what the pixel buffers may take (estimated from the header before
# decoding); the rest is for the resized copy, the JPEG encoder and the libraries' own allocations.
WORKING_SHARE = 0.625
WALL_CLOCK_PER_CPU_SECOND = 2


class RejectedFile(Refusal):
    """The upload cannot be used. ``message`` is for the customer, in their language; ``code``
    says which check refused it (for tests and logs: never the file's content)."""

    def __init__(self, code: str, message: Promise | str) -> None:
        super().__init__(message)
        self.args = (code,)  # str(error) is the code: what logs may say about a refused file
        self.code = code


@dataclass(frozen=True)
class NormalisedImage:
    jpeg: bytes
    width: int
    height: int
    original_format: str  # "JPEG", "PNG", "HEIF" or "PDF"

    def __repr__(self) -> str:
        return f"NormalisedImage({self.original_format}, {self.width}x{self.height}, {len(self.jpeg)} bytes)"


def decode_limits() -> DecodeLimits:
    """The limits of one decode, from the settings."""
    memory = settings.PASSPORT_DECODE_MEMORY_MB * MiB
    return DecodeLimits(
        max_pixels=settings.PASSPORT_MAX_PIXELS,
        max_working_bytes=int(memory * WORKING_SHARE),
        stored_long_side=STORED_LONG_SIDE,
        min_long_side=MIN_LONG_SIDE,
        memory_bytes=memory,
        cpu_seconds=math.ceil(settings.PASSPORT_DECODE_SECONDS),
    )


def normalise_upload(data: bytes) -> NormalisedImage:
    """Check an uploaded file and turn it into the JPEG we store; raise RejectedFile if unusable."""
    if len(data) > settings.PASSPORT_MAX_UPLOAD_BYTES:
        raise too_large()
    try:
        decoding.file_kind(data)  # no process started for a file no decoder would take
    except DecodeRefused as refused:
        raise rejection(refused.code) from None
    # The CPU limit stops a file that burns CPU; the wall clock, twice as long, a decode that is
    # stuck, while leaving room for a busy machine sharing its cores between decodes.
    timeout = WALL_CLOCK_PER_CPU_SECOND * settings.PASSPORT_DECODE_SECONDS
    slots = _decode_slots()
    # A slot frees within one decode's deadline; waiting longer would mean decodes are stuck.
    if not slots.acquire(timeout=timeout):
        raise rejection("busy")
    try:
        decoded = decode_in_child(data, decode_limits(), timeout_seconds=timeout)
    except DecodeRefused as refused:
        raise rejection(refused.code) from None
    finally:
        slots.release()
    _check_answer(decoded.jpeg, decoded.width, decoded.height)
    return NormalisedImage(
        jpeg=decoded.jpeg,
        width=decoded.width,
        height=decoded.height,
        original_format=decoded.original_format,
    )


def _check_answer(jpeg: bytes, width: int, height: int) -> None:
    # The child decoded hostile bytes: what it answers is checked before it is stored (a JPEG of a
    # size we could have made), though never decoded here.
    sane = (
        jpeg.startswith(b"\xff\xd8\xff")
        and MIN_LONG_SIDE <= max(width, height) <= STORED_LONG_SIDE
        and min(width, height) > 0
    )
    if not sane:
        raise rejection("too_complex")


_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _decode_slots() -> threading.BoundedSemaphore:
    """The semaphore bounding this process's concurrent decodes (made again if the setting changed,
    as tests do)."""
    global _slots
    size = settings.PASSPORT_DECODES_PER_PROCESS
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


def too_large() -> RejectedFile:
    return rejection("too_large")


def rejection(code: str) -> RejectedFile:
    """The refusal for a decoder's ``code``, with the message the customer is shown."""
    return RejectedFile(code, _message(code))


def _message(code: str) -> Promise | str:
    if code == "too_large":
        return _("The file is larger than %(megabytes)d MB. Please send a smaller photo.") % {
            "megabytes": settings.PASSPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    if code == "too_many_pixels":
        return _(
            "The picture is too large (more than %(megapixels)d megapixels). Please send a smaller photo."
        ) % {"megapixels": settings.PASSPORT_MAX_PIXELS // 1_000_000}
    messages = {
        "empty": _("The file is empty. Please choose the photo again."),
        "unsupported": _(
            "This file type is not supported. Please send a photo (JPEG, PNG, HEIC) or a PDF."
        ),
        "damaged": _("The file is damaged or incomplete. Please take the photo again."),
        "too_small": _(
            "The picture is too small to read. Please take the photo closer, with the whole page in the frame."
        ),
        "pdf_password": _("The PDF is protected by a password. Please send it without a password."),
        "too_much_memory": _(
            "The picture is too big to process (very large, or with a transparent layer). "
            "Please send an ordinary photo of the passport page (JPEG or HEIC)."
        ),
        "too_complex": _(
            "The file is too complex to process. "
            "Please send an ordinary photo of the passport page (JPEG or HEIC)."
        ),
        "busy": _("Many photos are being checked right now. Please try again in a minute."),
    }
    return messages.get(code, messages["damaged"])
