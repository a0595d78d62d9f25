"""Specimen passports of fictional people (ICAO 'Utopia'), for the demo and the tests.

Pages are drawn by ``uploads.mrz.render`` with OCR-B, the MRZ typeface (Debian package fonts-ocr-b).
"""

import io
from dataclasses import dataclass

from PIL import Image

from uploads.mrz import compose, render


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


def render_page(specimen: Specimen, *, width: int = 1800) -> Image.Image:
    """A flat passport data page with the specimen's details and MRZ."""
    labels = [
        ("Surname", specimen.surname),
        ("Given names", specimen.given_names),
        ("Nationality", specimen.nationality),
        ("Date of birth", specimen.date_of_birth),
        ("Sex", specimen.sex),
        ("Passport No.", specimen.number),
    ]
    return render.render_page(list(specimen.mrz_lines()), "TD3", width=width, labels=labels)


def render_jpeg(specimen: Specimen, *, width: int = 1800, quality: int = 90) -> bytes:
    out = io.BytesIO()
    render_page(specimen, width=width).save(out, format="JPEG", quality=quality)
    return out.getvalue()
