"""A visa's last columns hidden (a thumb): its first 36 columns pass every check as the shorter
visa's (MRV-B), so a reading of 36-character lines is sure only when paper follows its lines
(``reader._line_ends_hidden``)."""

import io

import numpy as np
import pytest
from PIL import ImageDraw

from bench import synth
from uploads.mrz import compose, read_mrz, render

pytestmark = pytest.mark.ocr

SKIN = (214, 166, 138)
VISA = dict(
    document_code="V<",
    country="ITA",
    surname="ERIKSSON",
    given_names="JOHN",
    number="TLAA10BG0",
    nationality="BRA",
    date_of_birth="540131",
    sex="F",
    expiry_date="321223",
)


def _visa_page(kind: str, *, hidden_from: int | None = None) -> bytes:
    """A rendered visa page as a JPEG; with ``hidden_from``, a rounded patch of skin over
    its MRZ from that column to past the page's edge, as a thumb holding it."""
    lines = compose.mrva(**VISA) if kind == "MRVA" else compose.mrvb(**VISA)
    page = render.render_page(lines, kind, width=1800)
    if hidden_from is not None:
        # The MRZ's columns placed by its print: the dark pixels of the page's lowest rows.
        mm = page.width / render.PAGES[kind][0]
        top = round(page.height - (len(lines) * 4.2 + 6) * mm)
        ink = np.asarray(page.convert("L").crop((0, top, page.width, page.height))) < 100
        columns = np.flatnonzero(ink.any(axis=0))
        pitch = (columns[-1] - columns[0]) / (len(lines[0]) - 0.3)
        x = columns[0] + (hidden_from - 0.1) * pitch
        ImageDraw.Draw(page).rounded_rectangle(
            [x, top - 2 * pitch, page.width + pitch, page.height + pitch], 2 * pitch, fill=SKIN
        )
    data = io.BytesIO()
    page.save(data, "JPEG", quality=90)
    return data.getvalue()


def test_a_visa_whose_last_eight_columns_a_thumb_hides_is_not_sure():
    result = read_mrz(_visa_page("MRVA", hidden_from=36), today=synth.TODAY)
    # Read as the shorter visa, every check passing: not sure it is one.
    assert not result.valid
    assert result.type in ("MRVB", "")


def test_it_reads_the_same_visa_unhidden_and_a_short_visa_sure():
    whole = read_mrz(_visa_page("MRVA"), today=synth.TODAY)
    assert whole.valid and whole.type == "MRVA"
    short = read_mrz(_visa_page("MRVB"), today=synth.TODAY)
    assert short.valid and short.type == "MRVB"
    assert short.fields["number"] == VISA["number"]


@pytest.mark.parametrize(("seed", "index"), [(2026, 13), (2027, 34)])
def test_a_photographed_visa_under_a_thumb_is_not_sure(seed, index):
    case = synth.make_case(index, seed, "finger")
    assert case.kind == "MRVA"
    result = read_mrz(case.data, today=synth.TODAY)
    assert not result.valid
