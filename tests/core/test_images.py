import dataclasses
import io
import os
import struct
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from tests.core import hostile_files
from tests.core.hostile_files import DECODER_BOMBS
from uploads.core import decoding, images
from uploads.core.decoder_process import decode_in_child
from uploads.core.decoding import DecodeRefused
from uploads.core.images import STORED_LONG_SIDE, RejectedFile, normalise_upload


def _jpeg(width=1200, height=800, **save) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height // 4))  # a blue block in the top-left
    image.save(out, format="JPEG", **save)
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims huge dimensions: the classic decompression bomb shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def _rejected_code(data: bytes) -> str:
    with pytest.raises(RejectedFile) as caught:
        normalise_upload(data)
    assert str(caught.value.message)  # always a message for the customer
    return caught.value.code


def test_it_accepts_a_jpeg_and_returns_a_jpeg():
    result = normalise_upload(_jpeg())
    assert result.jpeg.startswith(b"\xff\xd8")
    assert (result.width, result.height, result.original_format) == (1200, 800, "JPEG")


def test_it_turns_the_image_by_its_exif_orientation_and_strips_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS
    source = _jpeg(exif=exif.tobytes())
    result = normalise_upload(source)
    assert (result.width, result.height) == (800, 1200)
    stored = Image.open(io.BytesIO(result.jpeg))
    assert not stored.getexif()
    assert b"SpyCam" not in result.jpeg
    assert "icc_profile" not in stored.info
    # The blue block was top-left; after turning clockwise it is top-right.
    assert stored.getpixel((790, 10))[2] > 150


def test_it_accepts_png_with_transparency_on_white():
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, format="PNG")
    result = normalise_upload(out.getvalue())
    assert result.original_format == "PNG"
    assert Image.open(io.BytesIO(result.jpeg)).getpixel((10, 10)) > (250, 250, 250)


def test_it_accepts_heic():
    from pillow_heif import from_pillow

    out = io.BytesIO()
    from_pillow(Image.new("RGB", (900, 600), (10, 120, 10))).save(out, quality=80)
    result = normalise_upload(out.getvalue())
    assert result.original_format == "HEIF"
    assert (result.width, result.height) == (900, 600)


def test_it_renders_the_first_page_of_a_pdf():
    out = io.BytesIO()
    pages = [Image.new("RGB", (1000, 700), (0, 0, 200)), Image.new("RGB", (500, 500), (0, 200, 0))]
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=100)
    result = normalise_upload(out.getvalue())
    assert result.original_format == "PDF"
    assert result.width > result.height  # the landscape first page, not the square second one
    assert Image.open(io.BytesIO(result.jpeg)).getpixel((50, 50))[2] > 150


def test_it_scales_huge_photos_down_to_the_stored_size():
    result = normalise_upload(_jpeg(6000, 4000, quality=60))
    assert max(result.width, result.height) == STORED_LONG_SIDE


def test_it_decides_the_type_from_content_not_name():
    # A GIF is refused even though Pillow could open it; nothing here looks at a file name.
    out = io.BytesIO()
    Image.new("RGB", (800, 600)).save(out, format="GIF")
    assert _rejected_code(out.getvalue()) == "unsupported"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 this is a windows program", "unsupported"),
        (b"<html><script>alert(1)</script></html>", "unsupported"),
        (b"%PDF-1.7\n garbage that is not a pdf", "damaged"),
    ],
)
def test_it_refuses_what_is_not_a_passport_photo(data, code):
    assert _rejected_code(data) == code


def test_it_refuses_a_truncated_jpeg():
    data = _jpeg(2000, 1500)
    assert _rejected_code(data[: len(data) // 2]) == "damaged"


def test_it_refuses_a_decompression_bomb_before_decoding_it():
    assert _rejected_code(_png_header_only(100_000, 100_000)) == "too_many_pixels"


def test_it_refuses_more_than_the_pixel_limit(settings):
    settings.PASSPORT_MAX_PIXELS = 1_000_000
    assert _rejected_code(_jpeg(1500, 1000)) == "too_many_pixels"


def test_it_refuses_more_than_the_size_limit(settings):
    settings.PASSPORT_MAX_UPLOAD_BYTES = 1000
    assert _rejected_code(_jpeg()) == "too_large"


def test_it_refuses_a_picture_too_small_to_read():
    assert _rejected_code(_jpeg(120, 80)) == "too_small"


def test_it_refuses_a_pdf_page_claiming_absurd_size_without_rendering_it_huge():
    # A hand-written PDF whose only page is 200 inches wide: rendered within the pixel limit.
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 14400 9000]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    result = normalise_upload(body)
    assert max(result.width, result.height) <= STORED_LONG_SIDE


# --- decoders under limits (issue #20) ---------------------------------------------------------


@pytest.mark.parametrize(("name", "build"), DECODER_BOMBS, ids=[name for name, _ in DECODER_BOMBS])
def test_it_refuses_each_file_built_to_burn_a_decoder(name, build):
    code = _rejected_code(build())
    expected = "too_complex" if name.endswith(".pdf") else "too_much_memory"
    assert code == expected


def test_it_refuses_the_strokes_pdf_by_what_it_inflates_to_before_pdfium_reads_it():
    limits = images.decode_limits()
    assert decoding.pdf_inflates_beyond(
        hostile_files.pdf_strokes_500kb(), limits.max_pdf_inflated_bytes
    )
    assert not decoding.pdf_inflates_beyond(
        hostile_files.pdf_strokes_1kb(), limits.max_pdf_inflated_bytes
    )
    # The small ones inflate to little: the count of objects on the page refuses them.
    with pytest.raises(DecodeRefused, match="too_complex"):
        decoding.normalise(hostile_files.pdf_strokes_1kb(), limits)
    roomy = dataclasses.replace(limits, max_pdf_page_objects=10**9)
    assert decoding.normalise(hostile_files.pdf_strokes_1kb(), roomy).original_format == "PDF"


@pytest.mark.parametrize(
    ("size", "mode", "transparent", "heif", "fits"),
    [
        ((6000, 4000), "RGB", False, False, True),  # a 24-megapixel photo
        ((8000, 6000), "RGB", False, False, True),  # a 48-megapixel photo (JPEG or PNG)
        ((5712, 4284), "RGB", False, True, True),  # an iPhone's 24-megapixel HEIC
        ((4000, 3000), "RGBA", True, False, True),  # a 12-megapixel screenshot
        ((7000, 7000), "RGBA", True, False, False),  # 196 MB of pixels, 440 MB converted
        ((7000, 7000), "P", True, False, False),  # a palette expands to 4 bytes a pixel
        ((7000, 7000), "RGBA", True, True, False),
        ((7000, 7000), "I;16", False, False, False),  # 16-bit goes through 32-bit integers
    ],
)
def test_it_counts_the_bytes_each_pixel_takes(size, mode, transparent, heif, fits):
    cost = decoding.working_bytes(*size, mode, transparent=transparent, heif=heif)
    assert (cost <= images.decode_limits().max_working_bytes) is fits


def test_it_kills_a_decoder_at_its_deadline():
    # Without the content caps, pdfium would parse the 500 KB page for minutes.
    limits = dataclasses.replace(
        images.decode_limits(), max_pdf_inflated_bytes=10**12, max_pdf_page_objects=10**12
    )
    started = time.monotonic()
    with pytest.raises(DecodeRefused, match="too_complex"):
        decode_in_child(hostile_files.pdf_strokes_500kb(), limits, timeout_seconds=1)
    assert time.monotonic() - started < 4
    assert _children_of_this_process() == []


def test_it_ends_a_decoder_at_its_cpu_limit():
    limits = dataclasses.replace(
        images.decode_limits(),
        max_pdf_inflated_bytes=10**12,
        max_pdf_page_objects=10**12,
        cpu_seconds=1,
    )
    with pytest.raises(DecodeRefused, match="too_complex"):
        decode_in_child(hostile_files.pdf_strokes_500kb(), limits, timeout_seconds=60)
    assert _children_of_this_process() == []


def test_it_ends_a_decoder_at_its_memory_limit():
    # The estimate from the header is switched off: the address-space limit alone stops it.
    limits = dataclasses.replace(
        images.decode_limits(), max_working_bytes=10**12, memory_bytes=64 * decoding.MiB
    )
    with pytest.raises(DecodeRefused) as refused:
        decode_in_child(hostile_files.rgba_png_7000(), limits, timeout_seconds=60)
    assert refused.value.code in ("too_much_memory", "too_complex")


def test_it_gives_the_decoder_no_secret_of_the_web_process(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        started.append(kwargs)
        return real_popen(*args, **kwargs)

    monkeypatch.setenv("PASSPORT_ENCRYPTION_KEYS", "a-secret")
    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    normalise_upload(_jpeg())
    (child,) = started
    assert "PASSPORT_ENCRYPTION_KEYS" not in child["env"]
    assert child["stdin"] == subprocess.PIPE  # the file goes through a pipe, never a file


def test_it_asks_to_try_again_when_every_decode_slot_is_taken(settings):
    settings.PASSPORT_DECODES_PER_PROCESS = 1
    settings.PASSPORT_DECODE_SECONDS = 1
    slots = images._decode_slots()
    assert slots.acquire(timeout=1)
    try:
        assert _rejected_code(_jpeg()) == "busy"
    finally:
        slots.release()
    # A refused file gives its slot back.
    assert _rejected_code(hostile_files.rgba_png_7000()) == "too_much_memory"
    assert normalise_upload(_jpeg()).original_format == "JPEG"


def test_it_bounds_the_decodes_running_at_once(settings, monkeypatch):
    settings.PASSPORT_DECODES_PER_PROCESS = 2
    running, most = 0, 0
    lock = threading.Lock()
    real_decode = images.decode_in_child

    def counting_decode(*args, **kwargs):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real_decode(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(images, "decode_in_child", counting_decode)
    outcomes = []
    workers = [
        threading.Thread(target=lambda: outcomes.append(_outcome(_jpeg()))) for _ in range(5)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert most == 2
    assert len(outcomes) == 5 and set(outcomes) <= {"JPEG", "busy"}


def test_it_refuses_an_answer_that_is_not_a_jpeg_of_ours(monkeypatch):
    def rogue_decode(*args, **kwargs):
        return decoding.Decoded(jpeg=b"<html>", width=1200, height=800, original_format="JPEG")

    monkeypatch.setattr(images, "decode_in_child", rogue_decode)
    assert _rejected_code(_jpeg()) == "too_complex"


@pytest.mark.parametrize(
    "answer", [b"", b"OK", b"NO", b"NO" + b"x" * 100, b"OK" + b"\0" * 8 + b"\x09"]
)
def test_it_reads_no_malformed_answer_from_a_decoder(answer):
    with pytest.raises(ValueError):
        decoding.decode_answer(answer)


def test_it_refuses_what_no_decoder_takes_without_starting_one(monkeypatch):
    monkeypatch.setattr(images, "decode_in_child", None)  # would raise if called
    assert _rejected_code(b"GIF89a" + b"\0" * 100) == "unsupported"


def _outcome(data: bytes) -> str:
    try:
        return normalise_upload(data).original_format
    except RejectedFile as rejected:
        return rejected.code


def _children_of_this_process() -> list[str]:
    children = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children += (task / "children").read_text().split()
    return children
