"""Synthetic specimen passport pages (fictional people, ICAO 'Utopia'), for the demo and the tests.

Rendered with OCR-B, the MRZ typeface (Debian package fonts-ocr-b); nothing real is ever drawn.
"""

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from uploads.mrz import compose

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")


@dataclass(frozen=True)
class Specimen:
    surname: str
    given_names: str
    number: str
    nationality: str
    date_of_birth: str  # YYMMDD
    sex: str
    expiry_date: str  # YYMMDD
    country: str = "UTO"

    def mrz_lines(self) -> tuple[str, str]:
        line1, line2 = compose.td3(
            surname=self.surname,
            given_names=self.given_names,
            number=self.number,
            country=self.country,
            nationality=self.nationality,
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            expiry_date=self.expiry_date,
        )
        return line1, line2


ERIKSSON = Specimen("ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "740812", "F", "340415")
PETROV = Specimen("PETROV", "IVAN", "750123456", "UTO", "850214", "M", "330901")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if OCR_B.exists():
        return ImageFont.truetype(str(OCR_B), size)
    return ImageFont.load_default(size=size)


def render_page(specimen: Specimen, *, width: int = 1800) -> Image.Image:
    """A flat passport data page with the specimen's details and MRZ."""
    height = int(width * 0.70)
    page = Image.new("RGB", (width, height), (236, 240, 232))
    draw = ImageDraw.Draw(page)
    unit = width / 100
    draw.rectangle([4 * unit, 12 * unit, 30 * unit, 48 * unit], fill=(190, 198, 205))  # the photo
    text_font = _font(int(2.6 * unit))
    draw.text(
        (4 * unit, 3 * unit), "PASSPORT / SPECIMEN", font=_font(int(3.4 * unit)), fill=(40, 60, 90)
    )
    rows = [
        ("Surname", specimen.surname),
        ("Given names", specimen.given_names),
        ("Nationality", specimen.nationality),
        ("Date of birth", specimen.date_of_birth),
        ("Sex", specimen.sex),
        ("Passport No.", specimen.number),
    ]
    for index, (label, value) in enumerate(rows):
        y = (12 + index * 6) * unit
        draw.text((34 * unit, y), label, font=_font(int(1.6 * unit)), fill=(90, 90, 90))
        draw.text((34 * unit, y + 2 * unit), value, font=text_font, fill=(20, 20, 20))
    line1, line2 = specimen.mrz_lines()
    # Size the MRZ so its 44 characters span 92% of the page, as on a real passport.
    probe = _font(100)
    mrz_font = _font(int(100 * 0.92 * width / probe.getlength(line2)))
    draw.text((4 * unit, height - 14 * unit), line1, font=mrz_font, fill=(10, 10, 10))
    draw.text((4 * unit, height - 7.5 * unit), line2, font=mrz_font, fill=(10, 10, 10))
    return page


def render_jpeg(specimen: Specimen, *, width: int = 1800, quality: int = 90) -> bytes:
    out = io.BytesIO()
    render_page(specimen, width=width).save(out, format="JPEG", quality=quality)
    return out.getvalue()
