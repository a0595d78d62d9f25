"""The EXIF orientation is applied before reading, the mirrored ones (2, 4, 5, 7) too: a phone
stores the sensor's pixels and the way to show them, and mirrored text never reads."""

import io
from datetime import date

import pytest
from PIL import ExifTags, Image, ImageChops, ImageOps, ImageStat

from uploads.documents import specimens
from uploads.mrz import read_mrz

TODAY = date(2026, 11, 26)

# What a viewer does to the stored pixels for each orientation, and so what a camera stores for
# an upright page: the inverse (2, 3, 4, 5 and 7 are their own inverses; 6 and 8 are each other's).
_STORED = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _photo(page: Image.Image, orientation: int) -> bytes:
    """``page`` stored as a camera would with ``orientation`` in its EXIF."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    out = io.BytesIO()
    page.transpose(_STORED[orientation]).save(out, format="JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def test_the_stored_photos_show_the_page_upright():
    # The test's own photos: a viewer applying the orientation gets the page back.
    page = specimens.render_page(specimens.ERIKSSON, width=600).convert("L")
    for orientation in _STORED:
        stored = Image.open(io.BytesIO(_photo(page, orientation)))
        assert stored.getexif()[ExifTags.Base.Orientation] == orientation
        shown = ImageOps.exif_transpose(stored).convert("L")
        assert shown.size == page.size
        difference = ImageChops.difference(shown, page)
        assert ImageStat.Stat(difference).mean[0] < 3  # JPEG noise only


@pytest.mark.ocr
@pytest.mark.parametrize("orientation", [2, 4, 5, 7, 3, 6, 8])
@pytest.mark.parametrize("given_as", ["bytes", "pillow"])
def test_a_photo_with_an_exif_orientation_reads(orientation, given_as):
    page = specimens.render_page(specimens.ERIKSSON, width=1600)
    photo = _photo(page, orientation)
    image = photo if given_as == "bytes" else Image.open(io.BytesIO(photo))
    result = read_mrz(image, today=TODAY)
    assert result.valid
    assert result.fields["number"] == "L898902C3" and result.fields["surname"] == "ERIKSSON"
    # Where it was found, in the page as shown: across its lower part.
    left, top, right, _bottom = result.box
    assert top > page.height * 0.5 and right - left > page.width * 0.6


@pytest.mark.ocr
@pytest.mark.parametrize("orientation", [2, 5])
def test_a_large_mirrored_photo_reads_from_its_reduced_decode(orientation):
    # Over 2800 px: decoded at a reduced scale first (JPEG draft), then turned.
    page = specimens.render_page(specimens.ERIKSSON, width=3000)
    result = read_mrz(_photo(page, orientation), today=TODAY)
    assert result.valid and result.fields["number"] == "L898902C3"
    left, top, right, _bottom = result.box
    assert top > page.height * 0.5 and right - left > page.width * 0.6


@pytest.mark.ocr
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_a_broken_exif_block_only_costs_the_orientation():
    page = specimens.render_page(specimens.ERIKSSON, width=1600)
    out = io.BytesIO()
    page.save(out, format="JPEG", quality=90, exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff")
    result = read_mrz(out.getvalue(), today=TODAY)
    assert result.valid
