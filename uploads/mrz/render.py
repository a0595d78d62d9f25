"""Synthetic document pages (fictional people) with an OCR-B MRZ: TD3 passports, TD2 and TD1 cards,
visas and the Russian internal passport, for the tests and the benchmark. Nothing real is drawn."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OCR_B = Path("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Page size (mm) and MRZ geometry per format (ICAO 9303: 2.54 mm per character).
PAGES = {
    "TD3": (125.0, 88.0),
    "MRVA": (120.0, 80.0),
    "PN": (125.0, 88.0),
    "TD2": (105.0, 74.0),
    "MRVB": (105.0, 74.0),
    "TD1": (85.6, 54.0),
}
PITCH_MM = 2.54


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path.exists():
        return ImageFont.truetype(str(path), max(size, 4))
    return ImageFont.load_default(size=max(size, 4))


def render_page(
    lines: list[str],
    kind: str,
    *,
    width: int = 1600,
    labels: list[tuple[str, str]] | None = None,
    tint: tuple[int, int, int] = (236, 240, 232),
) -> Image.Image:
    """A flat page with a photo box, a few printed fields and the MRZ ``lines`` at the bottom."""
    page_w, page_h = PAGES[kind]
    mm = width / page_w
    height = round(page_h * mm)
    page = Image.new("RGB", (width, height), tint)
    draw = ImageDraw.Draw(page)
    # A faint pattern, as security printing has.
    for x in range(0, width, max(4, round(3 * mm))):
        draw.line([(x, 0), (x + height // 3, height)], fill=tuple(max(0, c - 12) for c in tint))
    draw.rectangle(
        [5 * mm, 12 * mm, 5 * mm + page_w * 0.24 * mm, 12 * mm + page_w * 0.3 * mm],
        fill=(185, 192, 200),
    )
    title = _font(DEJAVU, round(4.2 * mm))
    draw.text(
        (5 * mm, 3 * mm),
        {"TD1": "IDENTITY CARD", "TD2": "IDENTITY CARD"}.get(kind, "PASSPORT"),
        font=title,
        fill=(40, 60, 90),
    )
    small = _font(DEJAVU, round(1.8 * mm))
    text = _font(DEJAVU, round(2.8 * mm))
    x = 5 * mm + page_w * 0.28 * mm
    for index, (label, value) in enumerate(labels or []):
        y = (12 + index * 6.5) * mm
        if y > page_h * mm - 30 * mm:
            break
        draw.text((x, y), label, font=small, fill=(90, 90, 90))
        draw.text((x, y + 2.2 * mm), value, font=text, fill=(20, 20, 30))
    # The MRZ: characters 2.54 mm apart, lines about 4.2 mm apart, 5 mm above the bottom edge.
    length = len(lines[0])
    probe = _font(OCR_B, 100)
    size = round(100 * length * PITCH_MM * mm / max(probe.getlength("<" * length), 1))
    font = _font(OCR_B, size)
    line_pitch = 4.2 * mm if kind != "TD1" else 3.6 * mm
    top = height - 4.5 * mm - line_pitch * len(lines)
    left = (width - font.getlength(lines[0])) / 2
    for index, line in enumerate(lines):
        draw.text((left, top + index * line_pitch), line, font=font, fill=(15, 15, 15))
    return page
