"""``read_mrz`` never raises, whatever the image: a failure of the decoder, the locator, the OCR or
PassportEye's fallback is a "not found" with the reason in ``error`` (never the text read)."""

import io
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from uploads.documents import specimens
from uploads.mrz import MrzResult, compose, fallback, locate, read_mrz, render, tesseract

TODAY = date(2026, 11, 26)


def _encoded(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


# --- random and truncated files --------------------------------------------------------------

_HEADERS = [
    b"",
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-1.4\n",
    b"GIF89a",
    b"II*\x00",
    b"BM",
]


@pytest.mark.ocr  # a random file that decodes is read
@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's on the EXIF of random bytes
@hypothesis_settings(max_examples=40, deadline=None)
@given(header=st.sampled_from(_HEADERS), body=st.binary(max_size=2048))
def test_random_bytes_are_not_found_and_never_raise(header, body):
    result = read_mrz(header + body, today=TODAY)
    assert isinstance(result, MrzResult)
    assert not result.found and not result.valid


_SMALL_PAGE = specimens.render_page(specimens.ERIKSSON, width=500)
_FILES = {
    "JPEG": _encoded(_SMALL_PAGE, "JPEG", quality=80),
    "PNG": _encoded(_SMALL_PAGE, "PNG"),
}


@pytest.mark.ocr
@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(format=st.sampled_from(sorted(_FILES)), kept=st.floats(min_value=0.0, max_value=0.995))
def test_a_truncated_jpeg_or_png_never_raises(format, kept):
    data = _FILES[format]
    result = read_mrz(data[: int(len(data) * kept)], today=TODAY)
    assert isinstance(result, MrzResult)
    assert not result.valid
    if not result.found:
        assert result.error  # cut short: says why (no image, cannot decode), not "no MRZ"


# --- odd sizes and modes -------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: Image.new("RGB", (1, 1)), id="1x1"),
        pytest.param(lambda: _encoded(Image.new("RGB", (1, 1)), "PNG"), id="1x1-png"),
        pytest.param(lambda: Image.new("L", (40000, 40), 255), id="40000x40-white"),
        pytest.param(lambda: Image.effect_noise((40, 40000), 90), id="40x40000-noise"),
        pytest.param(lambda: Image.new("L", (12000, 64), 255), id="12000x64-white"),
        pytest.param(lambda: Image.new("L", (20000, 2), 0), id="20000x2-black"),
    ],
)
def test_tiny_and_huge_aspect_images_are_not_found_and_never_raise(image):
    result = read_mrz(image(), today=TODAY)
    assert not result.found and not result.valid
    assert result.error == ""  # nothing failed: there is no MRZ in there


def _sixteen_bit(page: Image.Image) -> Image.Image:
    """A 16-bit grayscale scan: the full 0-65535 range (a plain conversion clips it to white)."""
    return Image.fromarray(np.asarray(page.convert("L")).astype(np.uint16) * 257)


def _transparent(page: Image.Image) -> Image.Image:
    """Black print on a transparent background (a plain conversion makes it black on black)."""
    ink = page.convert("L").point(lambda value: 255 - value)
    black = Image.new("L", page.size, 0)
    return Image.merge("LA", (black, ink))


@pytest.mark.ocr
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_sixteen_bit, id="I;16"),
        pytest.param(lambda page: _encoded(_sixteen_bit(page), "PNG"), id="I;16-png"),
        pytest.param(lambda page: page.convert("I"), id="I"),
        pytest.param(lambda page: page.convert("F"), id="F"),
        pytest.param(lambda page: page.convert("CMYK"), id="CMYK"),
        pytest.param(lambda page: _encoded(page.convert("CMYK"), "JPEG"), id="CMYK-jpeg"),
        pytest.param(lambda page: page.convert("P"), id="P"),
        pytest.param(_transparent, id="LA-transparent"),
        pytest.param(
            lambda page: _encoded(_transparent(page).convert("RGBA"), "PNG"), id="RGBA-png"
        ),
    ],
)
def test_any_image_mode_reads(make):
    result = read_mrz(make(specimens.render_page(specimens.ERIKSSON, width=1200)), today=TODAY)
    assert result.valid and result.fields["number"] == "L898902C3"


# --- failures inside the pipeline ------------------------------------------------------------


class _HiddenMessage(Exception):
    """Stands for a library's exception quoting what it read."""


_FAILURES = [
    pytest.param(KeyError("method"), id="KeyError"),
    pytest.param(RuntimeError("P<UTOERIKSSON<<ANNA<MARIA"), id="RuntimeError"),
    pytest.param(MemoryError(), id="MemoryError"),
    pytest.param(RecursionError(), id="RecursionError"),
    pytest.param(ValueError("L898902C36UTO"), id="ValueError"),
    pytest.param(_HiddenMessage("ERIKSSON"), id="other"),
]


def _raising(error: BaseException):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize("error", _FAILURES)
def test_a_failing_fallback_is_not_found_with_a_reason(monkeypatch, error):
    # A blank page: our locator finds nothing, so PassportEye's gets its try, and fails.
    monkeypatch.setattr(fallback, "read_with_passporteye", _raising(error))
    result = read_mrz(Image.new("RGB", (800, 600), "white"), today=TODAY)
    assert not result.found and not result.valid
    assert type(error).__name__ in result.error and "fallback" in result.error
    assert "ERIKSSON" not in result.error and "L898902C3" not in result.error


@pytest.mark.parametrize("error", _FAILURES)
def test_a_failing_ocr_is_not_found_with_a_reason(monkeypatch, error):
    monkeypatch.setattr(tesseract, "ocr_line_boxes", _raising(error))
    monkeypatch.setattr(tesseract, "ocr_lines", _raising(error))
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON), today=TODAY)
    assert not result.found and not result.valid
    assert type(error).__name__ in result.error and "uploads.mrz" in result.error
    assert "ERIKSSON" not in result.error and "L898902C3" not in result.error


@pytest.mark.parametrize("error", _FAILURES)
def test_a_failing_locator_is_not_found_with_a_reason(monkeypatch, error):
    monkeypatch.setattr(locate, "find_bands", _raising(error))
    result = read_mrz(specimens.render_jpeg(specimens.ERIKSSON), today=TODAY)
    assert not result.found and not result.valid
    assert type(error).__name__ in result.error and "uploads.mrz" in result.error
    assert "ERIKSSON" not in result.error and "L898902C3" not in result.error


@pytest.mark.ocr
def test_a_failing_fallback_leaves_what_ours_read(monkeypatch):
    # A composite check digit misprinted: ours reads every field but cannot call it valid, so
    # PassportEye gets its try; its failure costs only that try.
    line1, line2 = compose.td3(
        surname="ERIKSSON", given_names="ANNA MARIA", number="L898902C3", country="UTO",
        nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
    )  # fmt: skip
    line2 = line2[:-1] + str((int(line2[-1]) + 1) % 10)
    monkeypatch.setattr(fallback, "read_with_passporteye", _raising(KeyError("method")))
    result = read_mrz(render.render_page([line1, line2], "TD3", width=1600), today=TODAY)
    assert result.found and not result.valid
    assert result.fields["number"] == "L898902C3" and not result.field_valid["composite"]


def _keyerror_page() -> Image.Image:
    """A white page with two short lines of OCR-B capitals and no filler: PassportEye 0.9.x, trying
    a second scale on a mostly white page, reads them without a '<' and then looks up
    ``aux['method']``, which that path never sets: KeyError: 'method'."""
    page = Image.new("L", (1200, 840), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(render.OCR_B), 10)
    for index in range(2):
        draw.text((40, page.height - 40 + index * 14), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH", font=font, fill=0)  # fmt: skip
    return page


@pytest.mark.ocr
def test_passporteyes_own_keyerror_does_not_escape():
    result = read_mrz(_encoded(_keyerror_page(), "PNG"), today=TODAY)
    assert not result.found and not result.valid


@pytest.mark.ocr
def test_the_fallback_is_skipped_after_a_near_miss_once_ours_spent_its_budget(monkeypatch):
    # Bounded: a near miss of ours (a misprinted composite digit) and FALLBACK_AFTER_CPU_SECONDS
    # spent: PassportEye gets no try. Nothing found at all: it does.
    from uploads.mrz import reader

    line1, line2 = compose.td3(
        surname="ERIKSSON", given_names="ANNA MARIA", number="L898902C3", country="UTO",
        nationality="UTO", date_of_birth="740812", sex="F", expiry_date="340415",
    )  # fmt: skip
    line2 = line2[:-1] + str((int(line2[-1]) + 1) % 10)
    monkeypatch.setattr(reader, "FALLBACK_AFTER_CPU_SECONDS", 0.0)
    monkeypatch.setattr(fallback, "read_with_passporteye", _raising(KeyError("called")))
    result = read_mrz(render.render_page([line1, line2], "TD3", width=1600), today=TODAY)
    assert result.found and not result.valid and result.error == ""
    blank = read_mrz(Image.new("RGB", (800, 600), "white"), today=TODAY)
    assert not blank.found and "fallback" in blank.error
