"""What a reading of the MRZ returns."""

from dataclasses import dataclass, field
from datetime import date

# The fields the customer's form shows, in the order it shows them.
FORM_FIELDS = (
    "surname",
    "given_names",
    "number",
    "nationality",
    "date_of_birth",
    "sex",
    "expiry_date",
)


@dataclass
class MrzResult:
    found: bool
    valid: bool = False
    type: str = ""  # "TD1", "TD2", "TD3", "MRVA", "MRVB"
    fields: dict[str, str | date | None] = field(default_factory=dict)
    field_valid: dict[str, bool] = field(default_factory=dict)
    mrz: list[str] = field(default_factory=list)
    # Where the MRZ was found: (left, top, right, bottom) in pixels of the image as given, turned as
    # its EXIF orientation says (as a viewer shows it).
    box: tuple[int, int, int, int] | None = None
    elapsed_ms: float = 0.0
    # Tesseract's lowest word confidence on the names line (0-100): names have no check digit.
    name_confidence: float = 0.0
    # Why nothing was read, when it was not for want of an MRZ ("" otherwise): the input is no image
    # or cannot be decoded, or the reader (or PassportEye's fallback) failed on it. For logs: the
    # exception's type and where it was raised, never its text.
    error: str = ""

    def __repr__(self) -> str:  # fields are personal data: keep them out of reprs and tracebacks
        return f"MrzResult(found={self.found}, valid={self.valid}, type={self.type!r}, elapsed_ms={self.elapsed_ms:.0f})"
