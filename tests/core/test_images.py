import io
import struct
import zlib

import pytest
from PIL import Image

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
