"""Where the points of a band's crop are in the image it was cut from."""

import io
import math

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from bench import synth
from uploads.documents import specimens
from uploads.mrz import locate, read_mrz, render, tesseract

from .test_parse import TODAY


@pytest.mark.parametrize(("angle", "flip"), [(0.0, False), (0.3, False), (-0.2, True)])
def test_a_point_of_a_crop_maps_back_to_the_image(angle, flip):
    image = Image.new("L", (600, 400), 255)
    mark = (330.0, 215.0)
    ImageDraw.Draw(image).ellipse((mark[0] - 3, mark[1] - 3, mark[0] + 3, mark[1] + 3), fill=0)
    band = locate.Band(150.0, 100.0, angle, 200.0, 30.0, 10.0, 1.0)  # searched at half size
    crop, _ = locate.cut_band(image, band, 0.5, flip=flip)
    pixels = np.asarray(crop)
    ys, xs = np.nonzero(pixels < 128)
    assert xs.size
    found = locate.crop_point(
        band, 0.5, crop.size, (float(xs.mean()) + 0.5, float(ys.mean()) + 0.5), flip=flip
    )
    assert math.dist(found, mark) < 3


def _mrz_strip(specimen=specimens.ERIKSSON, *, width: int = 1600) -> Image.Image:
    """The bottom of a rendered page, where its MRZ lines are, in grayscale."""
    page = specimens.render_page(specimen, width=width).convert("L")
    return page.crop((0, round(page.height * 0.8), page.width, page.height))


def _shadowed(strip: Image.Image, *, left: float) -> Image.Image:
    """``strip`` with a hard shadow (a quarter of the light) over its left ``left`` share."""
    array = np.asarray(strip, dtype=np.float32).copy()
    array[:, : round(array.shape[1] * left)] *= 0.25
    return Image.fromarray(array.astype(np.uint8))


def test_a_crops_paper_grey_is_its_median_as_numpy_takes_it():
    # From Pillow's histogram, for speed: numpy's median truncated, odd and even counts alike,
    # and an image of another mode as numpy reads it.
    rng = np.random.default_rng(11)
    for height, width in ((1, 1), (2, 1), (7, 9), (8, 10), (131, 1217)):
        for values in (
            rng.integers(0, 256, (height, width), dtype=np.uint8),
            np.where(rng.random((height, width)) < 0.5, 10, 241).astype(np.uint8),
        ):
            assert locate.median_grey(Image.fromarray(values, "L")) == int(np.median(values))
    rgb = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    assert locate.median_grey(Image.fromarray(rgb, "RGB")) == int(np.median(rgb))


def test_the_fillers_shape_tells_upright_from_turned():
    strip = _mrz_strip()
    assert locate.filler_orientation(strip) is True
    assert locate.filler_orientation(strip.rotate(180)) is False


def test_the_fillers_shape_holds_under_a_shadow_that_fools_the_ink_measure():
    # Turned 180 degrees with a hard shadow over what is now the left (the names' fillers): the
    # shadowed paper counts as ink there, so the ink measure calls it upright; the chevrons still
    # point right.
    turned = _shadowed(_mrz_strip().rotate(180), left=0.3)
    assert locate.right_side_is_lighter(turned)  # fooled
    assert locate.filler_orientation(turned) is False
    assert locate.filler_orientation(turned.rotate(180)) is True


def test_print_without_fillers_gives_no_orientation():
    image = Image.new("L", (1400, 120), 235)
    draw = ImageDraw.Draw(image)
    font = render._font(render.OCR_B, 40)
    draw.text((20, 10), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", font=font, fill=20)
    draw.text((20, 60), "IJKLMNOPQRSTUV0123456789ABCDEFGH", font=font, fill=20)
    assert locate.filler_orientation(image) is None
    assert locate.filler_orientation(image.rotate(180)) is None


# A TD1 whose check digits pass (number D23145890, born 1974-08-12, expiring 2012-04-15).
TD1_LINES = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
]


def _touching_td1() -> Image.Image:
    """A card's TD1 lines set close, tilted and blurred, so that their print touches: the locator
    joins the three lines into one blob."""
    image = Image.new("L", (1400, 700), 230)
    draw = ImageDraw.Draw(image)
    draw.text((60, 60), "IDENTITY CARD", font=render._font(render.DEJAVU, 60), fill=40)
    font = render._font(render.OCR_B, 40)
    for index, line in enumerate(TD1_LINES):
        draw.text((100, 420 + index * 40), line, font=font, fill=20)
    image = image.rotate(12, resample=Image.Resampling.BICUBIC, fillcolor=230)
    return image.filter(ImageFilter.GaussianBlur(2))


def test_touching_lines_are_one_band_of_three_rows_with_their_own_character_height():
    gray, _ = locate.working_image(_touching_td1())
    merged = [band for band in locate.find_bands(gray) if band.rows > 1]
    assert len(merged) == 1
    band = merged[0]
    assert band.rows == 3
    # The character height is a row's, not the blob's (which would shrink the cut band to a
    # third: three lines of print in one line's height).
    assert 3 * band.char < 1.2 * band.width
    assert band.length > 10 * band.char


@pytest.mark.ocr
def test_touching_td1_lines_read_as_three_lines_of_30(monkeypatch):
    calls = []
    ocr = tesseract.ocr_line_boxes
    monkeypatch.setattr(
        tesseract, "ocr_line_boxes", lambda *a, **k: calls.append(1) or ocr(*a, **k)
    )
    result = read_mrz(_touching_td1(), today=TODAY)
    # Read from the band as found (the title's band is tried first): cut at a third of its size
    # (the blob's width taken for one line's), it took ten OCR calls and a look around it.
    assert len(calls) <= 4
    assert result.valid and result.type == "TD1"
    assert result.mrz == TD1_LINES
    assert result.fields["number"] == "D23145890" and result.fields["surname"] == "ERIKSSON"


def test_rows_blur_joined_above_half_the_peak_are_parted_at_a_higher_share():
    # Two rows' print across a blob (degraded 251/0's, dim at 1 MP and JPEG quality 35): blur
    # filled the gap between them to 0.53 of the peak, and the card's edge below is faint.
    profile = np.array(
        [1, 6, 44, 161, 222, 259, 271, 268, 267, 253, 214, 167, 143, 166, 211, 252, 271, 270,
         268, 267, 264, 240, 195, 136, 86, 42, 31, 29, 35, 20, 8, 11, 25, 31, 21, 10, 4, 1],
        dtype=np.float64,
    )  # fmt: skip
    found = locate._row_runs(profile)
    assert found is not None
    _, count, height = found
    assert count == 2 and 7 <= height <= 11
    # Rows apart at half the peak are found there, as before.
    apart = profile.copy()
    apart[12] = 100.0
    assert locate._row_runs(apart)[1] == 2
    # One row of print whose bars part it above a high share into runs of unlike height (a
    # capital's bars): one row, not two.
    single = np.array([2, 40, 200, 250, 260, 160, 150, 170, 180, 175, 170, 172, 240, 255, 30, 2],
                      dtype=np.float64)  # fmt: skip
    assert locate._row_runs(single) is None
    # One even run: no row parted at any share.
    assert locate._row_runs(np.array([1, 50, 200, 210, 205, 200, 60, 1], dtype=np.float64)) is None


def test_a_dim_tilted_small_mrz_whose_rows_blur_joined_is_found_with_a_rows_character_height():
    # Degraded 251/0: 25 degrees of tilt, dim, 1 MP at JPEG quality 35; measured against its
    # local paper the MRZ's two lines and the card's edge are one blob, its character height
    # had been taken for the blob's (35 px for 9): cut at a quarter of its size, nothing read.
    case = synth.make_case(0, 251, "degraded")
    gray, _ = locate.working_image(Image.open(io.BytesIO(case.data)))
    band = locate.find_bands(gray, relative=True)[0]
    assert band.rows == 2
    assert 6 <= band.char <= 11 and band.length > 25 * band.char


def test_the_darkest_print_is_found_apart_from_security_printing_the_threshold_keeps():
    # Guilloche 310/9: a TD1 turned 70 degrees over security printing that stood out of the
    # paper above the black-hat's threshold: lines, guilloche and the card's print one blob.
    case = synth.make_case(9, 310, "guilloche")
    gray, _ = locate.working_image(Image.open(io.BytesIO(case.data)))

    def mrz(band: locate.Band) -> bool:
        return band.rows == 3 and abs(math.degrees(band.angle) - 70) < 5 and band.length > 200

    assert not any(mrz(band) for band in locate.find_bands(gray))
    assert not any(mrz(band) for band in locate.find_bands(gray, relative=True))
    assert any(mrz(band) for band in locate.find_bands(gray, darkest=True))


@pytest.mark.ocr
def test_a_grainy_photos_darkest_print_makes_no_band_long_enough_to_be_read(monkeypatch):
    # The darker class of pure grain makes short bands (6 to 22 character heights long), each
    # pass over one costing Tesseract 0.2 s: a noise photo's read took 6.9 s, 3.0 before.
    from uploads.mrz import reader

    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (1125, 1500), dtype=np.uint8))
    gray, _ = locate.working_image(noise)
    darkest = locate.find_bands(gray, darkest=True)
    assert darkest, "the grain's darker class makes bands"
    assert all(band.length < reader.DARKEST_BAND_CHARS * band.char for band in darkest)
    taken: list[locate.Band] = []
    take = reader._Reading.take.__func__
    monkeypatch.setattr(
        reader._Reading,
        "take",
        classmethod(
            lambda cls, page, band, *a, **k: taken.append(band) or take(cls, page, band, *a, **k)
        ),
    )
    monkeypatch.setattr(reader, "USE_FALLBACK", False)
    assert not read_mrz(noise, today=TODAY).found
    assert taken == []
