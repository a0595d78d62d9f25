"""``uploads.mrz.tesseract``'s own helpers (the OCR itself is exercised by every reader test)."""

from uploads.mrz import tesseract
from uploads.mrz.tesseract import Symbol


def _placed(text: str, left: int, top: int, confidence: float = 90.0) -> list[Symbol]:
    """A line of ``text`` whose cells are 10 px wide and 20 high from (left, top), the second
    one a pixel lower."""
    return [
        Symbol(
            char,
            confidence - at,
            ((char, confidence - at),),
            (left + 10 * at, top + (at == 1), left + 10 * at + 9, top + 20 + (at == 1)),
        )
        for at, char in enumerate(text)
    ]


def test_line_boxes_are_the_box_around_each_lines_symbols():
    lines = [_placed("P<UTO", 5, 7), _placed("L8988", 3, 40, confidence=80.0)]
    assert tesseract.line_boxes(lines) == [
        ("P<UTO", 86.0, (5, 7, 54, 28)),
        ("L8988", 76.0, (3, 40, 52, 61)),
    ]


def test_a_line_with_a_symbol_not_placed_is_left_out():
    unplaced = [Symbol("X", 90.0, (("X", 90.0),))]
    lines = [_placed("AB", 0, 0) + unplaced, [], _placed("CD", 0, 30)]
    assert tesseract.line_boxes(lines) == [("CD", 89.0, (0, 30, 19, 51))]
