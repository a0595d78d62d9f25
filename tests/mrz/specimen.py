"""Specimen lines with the number (and surname) a test needs, check digits computed; and their
MRZ cut from a rendered page as the reader cuts a band."""

from PIL import Image

from bench import synth
from uploads.mrz import compose, render, tesseract
from uploads.mrz.parse import Parsed, parse_ocr

BAND_CHAR = 24.0  # the print's height in ``band``'s crop, about


def td3_lines(number: str, *, surname: str = "ERIKSSON", expiry_date: str = "120415") -> list[str]:
    """TD3 lines holding ``number``, ``surname`` and ``expiry_date``."""
    return compose.td3(
        surname=surname,
        given_names="ANNA MARIA",
        number=number,
        country="UTO",
        nationality="UTO",
        date_of_birth="740812",
        sex="F",
        expiry_date=expiry_date,
    )


def band(lines: list[str], *, bow: float = 0.0) -> Image.Image:
    """The MRZ ``lines`` of a rendered passport page bowed ``bow`` px at its middle, cut as a
    widened band is: the page's width, its lines and a margin above and below, print about
    BAND_CHAR px tall."""
    page = synth.bowed(render.render_page(lines, "TD3", width=1800), bow)
    strip = page.crop((0, page.height - 280, page.width, page.height)).convert("L")
    return strip.resize((round(strip.width * 0.7), round(strip.height * 0.7)), Image.LANCZOS)


def read_crop(crop: Image.Image) -> Parsed | None:
    """``crop`` OCRed once and parsed, as the bench's TODAY."""
    return parse_ocr(
        [(text, confidence) for text, confidence, _ in tesseract.ocr_line_boxes(crop)],
        today=synth.TODAY,
    )


def td2_lines(number: str) -> list[str]:
    """TD2 lines of an identity card holding ``number``."""
    return compose.td2(
        document_code="I<",
        country="XXA",
        surname="LEE",
        given_names="MARCO",
        number=number,
        nationality="BRA",
        date_of_birth="440226",
        sex="M",
        expiry_date="320912",
    )
