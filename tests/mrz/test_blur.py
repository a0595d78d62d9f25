"""Blurred print: a phone out of focus or shaken. After every other pass, a band whose print's
edges are soft is read with its blur undone (``reader.deblurred``); and a reading of blurred
print is sure only when its lookalikes' cells look like what was read, as small print's are
(every pass reads a blurred lookalike alike and wrong)."""

import pytest
from PIL import Image, ImageFilter

from bench import synth
from bench.samples import compare
from uploads.mrz import compose, read_mrz, reader, render, tesseract
from uploads.mrz.parse import parse_ocr

pytestmark = pytest.mark.ocr

TD3 = compose.td3(
    surname="ERIKSSON", given_names="ANNA MARIA", number="L898902C3", country="UTO",
    nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
)  # fmt: skip
CHAR = 24.0  # the print's height in ``_band``'s crop, about


def _band() -> Image.Image:
    """The MRZ of a rendered passport page, its lines and a margin, print about CHAR px tall."""
    page = render.render_page(TD3, "TD3", width=1800)
    strip = page.crop((0, page.height - 280, page.width, page.height)).convert("L")
    return strip.resize((round(strip.width * 0.7), round(strip.height * 0.7)), Image.LANCZOS)


def _read(crop: Image.Image):
    return parse_ocr(
        [(text, confidence) for text, confidence, _ in tesseract.ocr_line_boxes(crop)],
        today=synth.TODAY,
    )


def test_sharp_print_is_not_taken_for_blurred_and_blurred_print_is():
    crop = _band()
    assert reader.edge_width(crop) < reader.BLURRED_EDGE * CHAR
    # A Gaussian of a tenth of the character height: the least the bench's defocus gives.
    soft = crop.filter(ImageFilter.GaussianBlur(0.1 * CHAR))
    assert reader.edge_width(soft) >= reader.BLURRED_EDGE * CHAR


def test_a_blurred_band_is_read_as_printed_with_its_blur_undone():
    expected = parse_ocr([(line, 100.0) for line in TD3], today=synth.TODAY)
    # A Gaussian of 0.13 of the character height: every check passes, but not for sure.
    blurred = _band().filter(ImageFilter.GaussianBlur(3.2))
    plain = _read(blurred)
    assert plain is None or not plain.valid
    sharp = reader.deblurred(blurred, reader.DEBLUR_SHARE * CHAR)
    assert sharp.size == blurred.size
    parsed = _read(sharp)
    assert parsed is not None and parsed.valid and parsed.fields == expected.fields


@pytest.mark.parametrize(
    "index",
    [
        5,  # a TD3 out of focus: its number misread by every pass
        13,  # an MRV-A out of focus (3.5 px): read as another format
    ],
)
def test_a_blurred_photo_is_read_with_its_blur_undone(index):
    case = synth.make_case(index, 277, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert compare(case.truth, result.fields, result.type) == [] and result.valid


def test_a_lookalike_every_pass_reads_alike_in_blurred_print_is_not_sure():
    # A PN's surname ЭЙХЕ (6QHE) read 6GHE, 40 px tall, by every pass: the Q's tail blurred away.
    case = synth.make_case(38, 278, "blurred")
    result = read_mrz(case.data, today=synth.TODAY)
    assert result.fields["surname"] == "6GHE"  # the misread this test is about
    assert not result.valid
