"""The decoding of an uploaded file into the JPEG we store: plain Python, no Django.

This module runs in a child process (``uploads.core.decoder_process`` starts a fresh interpreter
that calls ``child_main``) under a CPU-time and an address-space limit, so a file
built to burn CPU or memory in a decoder (a PDF page of millions of strokes, a 23 KB HEIC that
decodes to 7000x7000 RGBA) costs the child, never the web process. It reads the limits (JSON, one
line) and then the file on stdin, and answers on stdout: ``OK`` + a header + the JPEG, or ``NO``
+ a refusal code. The parent turns a code into the customer's message.

The type is decided from the content (Pillow's and pdfium's own parsers), never from the name. What
comes out is always a baseline RGB JPEG with the EXIF orientation applied and every piece of
metadata (EXIF, GPS, XMP, ICC, comments) left behind.
"""

import contextlib
import dataclasses
import io
import json
import os
import re
import resource
import struct
import sys
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

PDF_MAGIC = b"%PDF-"
ISO_MEDIA_MAGIC = b"ftyp"  # HEIF is an ISO media file: its first box is "ftyp"
JPEG_QUALITY = 90
PDF_RENDER_DPI = 300
MiB = 1024 * 1024

# Bytes Pillow holds per pixel in each mode (RGB is stored as 4 bytes, like RGBA).
_PILLOW_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
_TRANSPARENT_MODES = ("RGBA", "LA", "PA", "La", "RGBa")

# The answer's header after "OK": width, height, and the original format's index.
_FORMATS = ("JPEG", "PNG", "HEIF", "PDF")
_OK_HEADER = struct.Struct(">II B")


@dataclass(frozen=True)
class DecodeLimits:
    """What one decode may cost. The parent fills it from the settings."""

    max_pixels: int  # width x height of a picture (or a rendered PDF page)
    max_working_bytes: (
        int  # the pixel buffers our pipeline holds at once, estimated before decoding
    )
    stored_long_side: int = 4096  # the stored copy is large enough to read every character
    min_long_side: int = 400
    max_pdf_page_objects: int = 10_000  # paths, text runs, images on the first page
    max_pdf_inflated_bytes: int = 32 * MiB  # Flate streams other than images, all together
    # Enforced on the child process itself (``child_main``), not by ``normalise``:
    memory_bytes: int = 400 * MiB  # address space the child may add to what its imports take
    cpu_seconds: int = 5


@dataclass(frozen=True)
class Decoded:
    jpeg: bytes
    width: int
    height: int
    original_format: str  # "JPEG", "PNG", "HEIF" or "PDF"


class DecodeRefused(Exception):
    """The file cannot be used; ``code`` says why (and never anything of its content)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise(data: bytes, limits: DecodeLimits) -> Decoded:
    """Turn an uploaded file into the JPEG we store; raise DecodeRefused if it is unusable.

    Runs in whatever process calls it: the web process must call it through the child process
    (``uploads.core.images.normalise_upload``), tests and benchmarks may call it directly.
    """
    kind = file_kind(data)
    if kind == "PDF":
        image, original_format = _render_pdf_first_page(data, limits), "PDF"
    else:
        image, original_format = _open_image(data, kind, limits)
    try:
        image = _to_upright_rgb(image)
        if max(image.size) < limits.min_long_side:
            raise DecodeRefused("too_small")
        if max(image.size) > limits.stored_long_side:
            side = limits.stored_long_side
            image.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        # No exif=, icc_profile= or comment=, and no info carried over: Pillow's JPEG writer copies
        # a source's comment (COM segment) from image.info by default (a hostile-file test found it).
        image.info.clear()
        image.save(out, format="JPEG", quality=JPEG_QUALITY)
    except MemoryError:
        raise DecodeRefused("too_much_memory") from None
    return Decoded(
        jpeg=out.getvalue(), width=image.width, height=image.height, original_format=original_format
    )


def working_bytes(width: int, height: int, mode: str, *, transparent: bool, heif: bool) -> int:
    """The pixel buffers ``normalise`` holds at once for a picture of this size and mode: the
    decoded picture, the conversions to RGB (through RGBA and its alpha channel when transparent)
    and libheif's own copy of a HEIF picture. A palette expands to 4 bytes a pixel, 16-bit to 4
    (through 32-bit integers): a 190 KB RGBA PNG of 7000x7000 would need 440 MB."""
    pixels = width * height
    decoded = _PILLOW_BYTES_PER_PIXEL.get(mode, 4)
    per_pixel = decoded
    if transparent:
        per_pixel += (0 if mode == "RGBA" else 4) + 4 + 1  # RGBA copy, RGB background, alpha
    elif mode != "RGB":
        per_pixel += 4 + (4 if decoded == 2 else 0)  # the RGB copy (16-bit goes through "I")
    if heif:
        per_pixel += 4 if transparent else 3  # libheif's interleaved buffer
    return pixels * per_pixel


def file_kind(data: bytes) -> str:
    """The kind of file its first bytes say, as the decoders themselves recognise them (Pillow's
    JPEG and PNG plugins, pillow-heif, pdfium): "JPEG", "PNG", "HEIF" or "PDF"; DecodeRefused for
    anything else. Cheap: the parent asks it before starting a child process for a file."""
    if not data:
        raise DecodeRefused("empty")
    if data.startswith(PDF_MAGIC):
        return "PDF"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[4:8] == ISO_MEDIA_MAGIC:
        return "HEIF"
    raise DecodeRefused("unsupported")


def _open_image(data: bytes, kind: str, limits: DecodeLimits) -> tuple[Image.Image, str]:
    if kind == "HEIF":
        _heif_open()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the plugin of the kind the first bytes name (phones' MPO files open through
            # the JPEG plugin and report "MPO").
            image = Image.open(io.BytesIO(data), formats=(kind,))
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as error:
        if isinstance(error, UnidentifiedImageError):
            raise DecodeRefused("unsupported") from None
        raise DecodeRefused("too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError):
        raise DecodeRefused("damaged") from None
    original_format = "JPEG" if image.format == "MPO" else str(image.format)
    width, height = image.size
    if width * height > limits.max_pixels or width <= 0 or height <= 0:
        raise DecodeRefused("too_many_pixels")
    if original_format == "JPEG" and max(width, height) > limits.stored_long_side:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: a 50-megapixel photo then never occupies
        # 200 MB of memory as full-size pixels.
        scale = limits.stored_long_side / max(width, height)
        image.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
    transparent = image.mode in _TRANSPARENT_MODES or (
        image.mode == "P" and "transparency" in image.info
    )
    # Checked before a single pixel is decoded: the header says the size and mode.
    cost = working_bytes(
        *image.size, image.mode, transparent=transparent, heif=original_format == "HEIF"
    )
    if cost > limits.max_working_bytes:
        raise DecodeRefused("too_much_memory")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise DecodeRefused("too_many_pixels") from None
    except MemoryError:
        raise DecodeRefused("too_much_memory") from None
    except (OSError, SyntaxError, ValueError, EOFError, RuntimeError, TypeError, IndexError):
        raise DecodeRefused("damaged") from None
    return image, original_format


# pdfium's and libheif's bindings are imported when a file needs them, not at start-up: the child
# process is a fresh interpreter for each file, and importing them costs ~0.15 s of CPU that a JPEG
# (most uploads) does not need.


def _heif_open() -> None:
    from pillow_heif import options, register_heif_opener

    # libheif decodes on one thread: each extra thread is another stack and malloc arena.
    options.DECODE_THREADS = 1
    register_heif_opener()


# A passport's PDF has a stream or two a page; scanning tens of thousands would itself cost seconds.
MAX_PDF_STREAMS = 10_000
_STREAM_START = re.compile(rb"stream\r?\n")
_IMAGE_SUBTYPE = re.compile(rb"/Subtype\s*/Image")


def pdf_inflates_beyond(data: bytes, limit: int) -> bool:
    """Whether the file's Flate-compressed streams, images aside, inflate to more than ``limit``
    bytes in all: a page's drawing instructions are a few hundred KB, while 1 KB of compressed
    ``0 0 m 595 842 l S`` repeated is 300 KB of them and 500 KB is 200 MB. Each stream is inflated
    at most up to what is left of the limit, so checking costs little whatever the file says."""
    left = limit
    view = memoryview(data)
    for count, start in enumerate(_STREAM_START.finditer(data)):
        if count >= MAX_PDF_STREAMS:
            return True
        dictionary = data[max(0, start.start() - 512) : start.start()]
        if _IMAGE_SUBTYPE.search(dictionary[dictionary.rfind(b"<<") :]):
            continue  # pixels: the pixel limits bound what an image costs
        left -= _inflated_size(view[start.end() :], left + 1)
        if left < 0:
            return True
    return False


def _inflated_size(compressed: memoryview, most: int) -> int:
    """How many bytes the zlib stream at the start of ``compressed`` inflates to, counting no
    further than ``most``; 0 if it is not one. Fed in slices: the rest of the file is never copied."""
    header = bytes(compressed[:2])
    if len(header) < 2 or header[0] & 0x0F != 8 or int.from_bytes(header) % 31:
        return 0  # not a zlib stream (RFC 1950: method 8, check bits)
    inflater = zlib.decompressobj()
    size = 0
    try:
        for offset in range(0, len(compressed), 64 * 1024):
            size += len(inflater.decompress(compressed[offset : offset + 64 * 1024], most - size))
            while inflater.unconsumed_tail and size < most:
                size += len(inflater.decompress(inflater.unconsumed_tail, most - size))
            if inflater.eof or size >= most:
                break
    except zlib.error:
        pass  # not Flate, or damaged: pdfium decides what it is
    return size


def _render_pdf_first_page(data: bytes, limits: DecodeLimits) -> Image.Image:
    import pypdfium2
    import pypdfium2.raw as pdfium_raw

    if pdf_inflates_beyond(data, limits.max_pdf_inflated_bytes):
        raise DecodeRefused("too_complex")
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        if "password" in str(error).lower():
            raise DecodeRefused("pdf_password") from None
        raise DecodeRefused("damaged") from None
    try:
        if len(pdf) < 1:
            raise DecodeRefused("damaged")
        page = pdf[0]
        # Loading the page parsed its content: a scan is one image, a typeset page a few thousand
        # text runs; a page of millions of strokes (a 1 KB file) would take minutes to draw.
        if pdfium_raw.FPDFPage_CountObjects(page.raw) > limits.max_pdf_page_objects:
            raise DecodeRefused("too_complex")
        width_pt, height_pt = page.get_size()
        if width_pt <= 0 or height_pt <= 0:
            raise DecodeRefused("damaged")
        # Render at up to 300 dpi but never more pixels than we would accept from a camera, and no
        # larger than the size we store.
        scale = min(
            PDF_RENDER_DPI / 72,
            limits.stored_long_side / max(width_pt, height_pt),
            (limits.max_pixels / (width_pt * height_pt)) ** 0.5,
        )
        bitmap = page.render(scale=scale)
        return bitmap.to_pil()
    except pypdfium2.PdfiumError:
        raise DecodeRefused("damaged") from None
    except MemoryError:
        raise DecodeRefused("too_much_memory") from None
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


# --- the child process ----------------------------------------------------------------------


def encode_answer(result: Decoded | DecodeRefused) -> bytes:
    if isinstance(result, DecodeRefused):
        return b"NO" + result.code.encode("ascii")
    header = _OK_HEADER.pack(result.width, result.height, _FORMATS.index(result.original_format))
    return b"OK" + header + result.jpeg


def decode_answer(answer: bytes) -> Decoded | DecodeRefused:
    """The child's answer, parsed without trusting it (no pickle: the child read hostile bytes)."""
    if answer.startswith(b"NO") and 2 < len(answer) <= 40 and answer[2:].isascii():
        return DecodeRefused(answer[2:].decode("ascii"))
    if answer.startswith(b"OK") and len(answer) > 2 + _OK_HEADER.size:
        width, height, format_index = _OK_HEADER.unpack_from(answer, 2)
        if format_index < len(_FORMATS):
            return Decoded(
                jpeg=answer[2 + _OK_HEADER.size :],
                width=width,
                height=height,
                original_format=_FORMATS[format_index],
            )
    raise ValueError("malformed answer")


def _limit_this_process(limits: DecodeLimits) -> None:
    # The address space counts from what the interpreter and the decoders' libraries already map.
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = mapped + limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # SIGXCPU at the soft limit ends the process; SIGKILL a second later if it was ignored.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file with a passport in it
    # Decompressed PNG text is capped far below Pillow's defaults (1 MB a chunk, 64 MB in all).
    PngImagePlugin.MAX_TEXT_CHUNK = 256 * 1024
    PngImagePlugin.MAX_TEXT_MEMORY = 1 * MiB


def child_main() -> None:
    """``python -m uploads.core.decoding``: limits as one JSON line, then the file, on stdin."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    limits = DecodeLimits(**json.loads(stdin.readline()))
    _limit_this_process(limits)
    data = stdin.read()
    try:
        answer = encode_answer(normalise(data, limits))
    except DecodeRefused as refused:
        answer = encode_answer(refused)
    except MemoryError:
        answer = encode_answer(DecodeRefused("too_much_memory"))
    stdout.write(answer)
    stdout.flush()


def limits_as_json(limits: DecodeLimits) -> bytes:
    return json.dumps(dataclasses.asdict(limits)).encode() + b"\n"
