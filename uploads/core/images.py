"""Validation and normalisation of an uploaded passport file.

The type is decided from the content (Pillow's and pdfium's own parsers), never from the name or the
browser's Content-Type. What comes out is always a baseline RGB JPEG with the EXIF orientation applied
and every piece of metadata (EXIF, GPS, XMP, ICC, comments) left behind.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

import pypdfium2
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from uploads.core.errors import Refusal

register_heif_opener()

# Formats Pillow may open. (Phones' MPO files open through the JPEG plugin and report "MPO".)
IMAGE_FORMATS = ("JPEG", "PNG", "HEIF")
PDF_MAGIC = b"%PDF-"
# The stored copy is large enough to read every character of a passport page, and no larger.
STORED_LONG_SIDE = 4096
MIN_LONG_SIDE = 400
JPEG_QUALITY = 90
PDF_RENDER_DPI = 300


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


def _too_many_pixels() -> RejectedFile:
    return RejectedFile(
        "too_many_pixels",
        _(
            "The picture is too large (more than %(megapixels)d megapixels). Please send a smaller photo."
        )
        % {"megapixels": settings.PASSPORT_MAX_PIXELS // 1_000_000},
    )


def _damaged() -> RejectedFile:
    return RejectedFile(
        "damaged", _("The file is damaged or incomplete. Please take the photo again.")
    )


def normalise_upload(data: bytes) -> NormalisedImage:
    """Check an uploaded file and turn it into the JPEG we store; raise RejectedFile if unusable."""
    if not data:
        raise RejectedFile("empty", _("The file is empty. Please choose the photo again."))
    if len(data) > settings.PASSPORT_MAX_UPLOAD_BYTES:
        raise too_large()
    if data.startswith(PDF_MAGIC):
        image, original_format = _render_pdf_first_page(data), "PDF"
    else:
        image, original_format = _open_image(data)
    image = _to_upright_rgb(image)
    if max(image.size) < MIN_LONG_SIDE:
        raise RejectedFile(
            "too_small",
            _(
                "The picture is too small to read. Please take the photo closer, with the whole page in the frame."
            ),
        )
    if max(image.size) > STORED_LONG_SIDE:
        image.thumbnail(
            (STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    out = io.BytesIO()
    # No exif=, icc_profile= or comment=, and no info carried over: Pillow's JPEG writer copies
    # a source's comment (COM segment) from image.info by default (a hostile-file test found it).
    image.info.clear()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return NormalisedImage(
        jpeg=out.getvalue(), width=image.width, height=image.height, original_format=original_format
    )


def too_large() -> RejectedFile:
    return RejectedFile(
        "too_large",
        _("The file is larger than %(megabytes)d MB. Please send a smaller photo.")
        % {"megabytes": settings.PASSPORT_MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


def _open_image(data: bytes) -> tuple[Image.Image, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as error:
        if isinstance(error, UnidentifiedImageError):
            raise _unsupported() from None
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise _damaged() from None
    original_format = "JPEG" if image.format == "MPO" else str(image.format)
    width, height = image.size
    if width * height > settings.PASSPORT_MAX_PIXELS or width <= 0 or height <= 0:
        raise _too_many_pixels()
    if original_format == "JPEG" and max(width, height) > STORED_LONG_SIDE:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: a 50-megapixel photo then never occupies
        # 150 MB of memory as full-size pixels.
        scale = STORED_LONG_SIDE / max(width, height)
        image.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        RuntimeError,
        MemoryError,
        TypeError,
        IndexError,
    ):
        raise _damaged() from None
    return image, original_format


def _unsupported() -> RejectedFile:
    return RejectedFile(
        "unsupported",
        _("This file type is not supported. Please send a photo (JPEG, PNG, HEIC) or a PDF."),
    )


def _render_pdf_first_page(data: bytes) -> Image.Image:
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise RejectedFile(
                "pdf_password",
                _("The PDF is protected by a password. Please send it without a password."),
            ) from None
        raise _damaged() from None
    try:
        if len(pdf) < 1:
            raise _damaged()
        page = pdf[0]
        width_pt, height_pt = page.get_size()
        if width_pt <= 0 or height_pt <= 0:
            raise _damaged()
        # Render at up to 300 dpi but never more pixels than we would accept from a camera, and no
        # larger than the size we store.
        scale = min(
            PDF_RENDER_DPI / 72,
            STORED_LONG_SIDE / max(width_pt, height_pt),
            (settings.PASSPORT_MAX_PIXELS / (width_pt * height_pt)) ** 0.5,
        )
        bitmap = page.render(scale=scale)
        return bitmap.to_pil()
    except pypdfium2.PdfiumError:
        raise _damaged() from None
    finally:
        pdf.close()


def _to_upright_rgb(image: Image.Image) -> Image.Image:
    # In place: an upright photo (most) is then not copied, 20 MB and ~13 ms saved per upload.
    # A broken EXIF block only costs us the orientation hint.
    with contextlib.suppress(OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
        ImageOps.exif_transpose(image, in_place=True)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image
