"""Several OCR passes over one band, combined character by character.

Small or soft print reads differently at each scale: one pass takes an ``N`` for an ``M``, the
next a ``Z`` for a ``7``. Each pass cuts the band at another size (small print upscaled with
Lanczos from the band cut at its own scale, which keeps the strokes sharper than one bicubic
zoom), plain and with an unsharp mask; Tesseract's alternatives for each character
(``tesseract.ocr_symbols``) are summed per position over the passes whose lines have the
format's length (a line read a character or two long, an edge beside the band read as a letter,
is cut where it is the reading being checked: ``fitted``).

Where the winner of a position is not clear (the runner-up has at least ``AMBIGUOUS`` of its
weight):
- in a field with a check digit, both are tried, and only a single set of fields passing every
  check is taken: the check digits choose, never the vote alone; and only where one runner-up
  at most was taken in a field (``MAX_FLIPS_IN_A_FIELD``), a runner-up the parser then repaired
  counting twice: one check digit picking among four or more spellings of a field passes a
  wrong one too often;
- on the names line (no check digit), the reading is "not sure": the names are shown as voted,
  and the caller reports them as not valid.

A repair the parser makes on top of the vote (a confusable pair in the number, a digit read in a
name) is valid only when the passes weighed the repaired character at that position at least
``SUPPORT`` of the winner's weight; a candidate whose repairs lack that support still counts when
telling whether several sets of fields pass, so it can make a reading "not sure", never valid.
"""

import itertools
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from PIL import Image, ImageFilter

from uploads.mrz import glyphs, locate, tesseract
from uploads.mrz.parse import (
    LENGTHS,
    TO_DIGIT,
    TO_LETTER_PN,
    TO_NAME_LETTER,
    Parsed,
    alike,
    confirm_repairs,
    field_at,
    names_index,
    names_start,
    number_holds,
    parse_lines,
    twins_made,
)

AMBIGUOUS = 0.5  # runner-up weight / winner weight at or above which a position is unclear
SUPPORT = 0.1  # a repaired character's weight / the position's winner's, from which it is supported
MAX_TRIED = 4  # unclear positions outside the names whose alternatives are tried (2**4 readings)
MAX_FLIPS_IN_A_FIELD = 1  # runners-up taken over the winner in one field for a valid reading
# How much more like the other glyph a number's 8 or B may look (``glyphs.preference``) and stay
# sure: blur pulls a B towards the 8 (true Bs at 11 px by 0.10 and 0.13), while an 8 read B
# looked like the 8 by 0.45 (and in PN names by 0.31 or more, ``glyphs``).
NUMBER_SHAPE_MARGIN = 0.25
MIN_PASSES = 3  # passes with lines of the right shape needed for a vote
SMALL_TARGETS = (12.0, 16.0, 20.0)  # character heights (px) of the passes over small print
TARGETS = (20.0, 26.0, 32.0)
# For the 8/B of PN names on print that already passed its checks: two plain passes, each of
# which must agree and hardly weigh the other letter (cheap: PN photos are common).
PN_TARGETS = (24.0, 31.0)
# Letters of PN names Tesseract confuses (Б and Я), and may read one for the other in every pass
# without weighing the other at all: the cells' shapes are compared too (``glyphs``).
PN_CONFUSABLE = "B8"
# Pairs a document number's check digit cannot tell apart (their values are ten apart: 6 and G,
# 16) that soft print makes alike: small print's number is sure only when no such character's
# cell looks more like its pair's other glyph than like what was read by LOOKALIKE_SHARE
# of what sets the two glyphs apart in clean print (``glyphs.apart``: 6 and G 0.6, 0 and U 0.25
# of a correlation; ``shapes_clear``). On 186 cells of these pairs in numbers read right
# at under 11 px (degraded photos, seeds 101-121) the true character looked like the other by at
# most 0.23 of that (G against Q); the G read for a 6 (degraded 116/2) by 0.69. Other pairs ten
# apart (H and R, K and U) differ in little of the cell and were left out: their true cells
# looked like the other by up to 0.4 of a correlation, as much as that wrong G did (0.42).
NUMBER_LOOKALIKES = ("6G", "GQ", "8S", "0U", "1L", "3D", "FP")
LOOKALIKE_SHARE = 0.4
# Pairs the check digit does see, singly: two misreads cancel one time in ten, and small print
# reads one, the same, in every pass. At 8.5 px JPJX01WZR read JPJXOTWZR by three passes (0 as
# O: +72, 1 as T: +28), valid (degraded 212/1); its T cell looked like the 1 by 0.31 of what sets
# the glyphs apart. Small print's number is sure only when none of these looks like the other by
# CLOSE_SHARE of that: of 290 true cells of them in numbers read right under 14 px (degraded
# 190-199, PNs aside; 58 under 11 px), a 2 looked like the Z by 0.17, the rest by 0.05 at most.
# O and 0, D and Q against 0, differ in too little of the cell (true 0s looked like the O by up
# to 1.5 of it) and are left to the check digits. Not a PN's number: digits only, its 1s are no
# Ts (true ones looked like the T by up to 0.84).
CANCELLING_LOOKALIKES = ("1T", "7T", "1I", "2Z", "5S", "4A")
CLOSE_SHARE = 0.25
# Of NUMBER_LOOKALIKES, the pair whose cells tell the two apart well enough to show the other
# where a cell looks like it by LOOKALIKE_SHARE (a reading not sure: ``number_twins_shown``).
# In numbers passing their check digit (degraded 250-251 and 258-259, glare 257-258, dim
# 317-318: 51 true Gs, 36 true 6s), a true G looked like itself over the 6 by 0.26 of what sets
# the glyphs apart at least, a true 6 by 0.61; the Gs read for 6s by every pass but one looked
# like the 6 by 0.66 (glare 257/13) and 0.69 (degraded 116/2). Other pairs of the same value
# overlap: true Js looked like 9s by up to 0.47, true 8s like Ss by 0.37, where an S read for
# an 8 did by 0.57.
NUMBER_TWINS_SHOWN = ("6G",)
# And M and W, ten apart too (22 and 32), measured on print of any size before a reading is
# sure: a bowed page's W was read M by the plain pass and the flattened one alike at 47.8 px
# (bent 500/1: XW98GFFXL read XM98GFFXL, valid), the M's cell looking like the W by 0.97 of what
# sets the glyphs apart. Their cells are measured on the band flattened (``reader.flattened``):
# a hard shadow's edge above a line stretched every cell's box of the plain band over it, and a
# true M looked like the W by 0.47 (shadow 501/39). Flattened, of 366 true Ms and Ws of numbers
# read right (none 2026-2027, bent 500-503, slanted 500-501, dim 500-501, shadow 500-502, glare
# 400-401, degraded 400-402, blurred 286-288, small 300-301, finger, guilloche and mirrored 500;
# 5.5 to 84 px, 32 under 11 px), one looked like the other glyph, by 0.13 (shadow 501/4), the
# rest like themselves by 0.11 at least; a true W read M at 9.2 px (small 300/8), like the W by
# 0.67. So LOOKALIKE_SHARE (0.4) tells them.
NUMBER_TWINS_ANY_SIZE = ("MW",)
# A document code's letter (PE, VC, ID: no check digit covers it) is sure only when it beat its
# runner-up by this much: right letters' runner-ups weighed up to 0.56 of them in a second pass
# (G for C, J for D; glare and degraded TD2 and MRV-B photos, seeds 101-125), the E of a P< read
# PE under glare had R at 0.92; over small print's passes, a VC read VE had C at 0.79 of E.
CODE_RIVAL = 0.75
# The names have no check digit at all: of their lookalikes, those small print was seen to read
# one for the other in every pass (Q as G in names, 6 as G in numbers) whose cells tell them
# apart. A PN's Й (Q) read Г (G) at degraded 126/21: the cell looked like the Q by 0.91 of what
# sets the glyphs apart; in 57 readings sure but for this under 11 px (degraded seeds 101-127),
# true G and Q cells looked like the other by at most 0.22, 6 and G (Э, Г) by 0.01. O against Q
# (up to 0.67), I against T (0.42), E against F (1.5) are left out: true cells look like the
# other as much. H and M: JOHN read JOMN at 8.4 px by five passes of six (degraded 186/25), the
# M's cell looking like the H by 0.56; with the pair measured, no right reading of 600 degraded
# photos (101-105, 175-184) lost its "valid".
NAME_LOOKALIKES = ("GQ", "6G", "HM")
# And measured by CLOSE_SHARE, as the number's CANCELLING_LOOKALIKES are: B and H. A PN's
# surname ЭЙХЕ (6QHE) read ЭЙБЕ (6QBE) at 11.2 px by every pass, valid (degraded 228/32); the B's
# cell looked like the H by 0.37 of what sets the glyphs apart, where 32 true Bs of names read
# right (degraded 190-199, 6.8-13.4 px) looked like the B by 0.10 at least.
NAME_CLOSE_LOOKALIKES = ("BH",)
# Pairs whose true cells were seen to lean to the other glyph by little: a cell leaning more
# than CLOSE_SHARE says a misread.
CLOSE_LOOKALIKES = CANCELLING_LOOKALIKES + NAME_CLOSE_LOOKALIKES
# And M and N, whose cell must look more like what was read than like the other at all
# (TIGHT_SHARE): a shake streaking the print down a diagonal smears N's diagonal into M's
# middle, and every pass read O'NEILL as O'MEILL, valid (blurred 280/30, 283/39: the Ms' cells
# leaned to the N by 0.25 and 0.30 of what sets the glyphs apart). 349 true Ms and Ns of names
# (blurred 280-284, degraded 101-102, small 300-301, each reading measured) looked like
# themselves over the other by 0.18 at least.
NAME_TIGHT_LOOKALIKES = ("MN",)
TIGHT_SHARE = 0.0
# A cell's box is measured at its neighbours' height (their median top and bottom, up to this
# many each side) where it is over TALLER_BOX times as tall (``_in_line``).
NEIGHBOURS = 3
TALLER_BOX = 1.3
# At most this many characters a card's or a shadow's edge beside a line adds to it, read as
# letters ("0PNRUS...", "J3408..."): dropped from a reading's line before its names
# (``reader.without_stray_names_prefix``); a pass's line read so long is cut to the format's
# length where it is most like the reading being checked, when at least ALIKE_SHARE of its
# characters then are (``fitted``), else the pass is not counted. (Passes were only counted with
# every line at the exact length: one such edge left a clean PN's 8/B check without a vote.)
STRAY_CHARS = 2
ALIKE_SHARE = 0.75


@dataclass
class Voted:
    parsed: Parsed
    passes: int
    # (line, position) on the names line whose winner was not clear.
    unclear_names: list[tuple[int, int]] = field(default_factory=list)
    # How many passes read the names line exactly as voted.
    names_agreeing: int = 0
    # Per position of the names line: each character's summed weight; and each pass's reading.
    name_weights: list[dict[str, float]] = field(default_factory=list)
    name_reads: list[str] = field(default_factory=list)
    # A PN's: per position of the names line a plain pass read as B or 8, how much more its cell
    # looked like OCR-B's B than its 8 in each such pass (``glyphs.preference``; None: not
    # measured). Filled by ``read``, which has the passes' images.
    b_over_8: dict[int, list[float | None]] = field(default_factory=dict)

    @property
    def names_clear(self) -> bool:
        return not self.unclear_names and self.names_agreeing * 2 >= self.passes

    def names_letters_clear(self, kind: str) -> bool:
        """Whether every character of the names themselves (after the country code) had a clear
        winner, a digit weighed as the letter it stands for there (0 as O: the names' fields
        hold letters), and a document code's letter a winner by CODE_RIVAL (``code_letter``).
        Unlike ``names_clear``, the country code before the names does not count (the code list
        checks it) and passes need not read the whole line alike."""
        names = all(
            name_letter_clear(weights, kind) for weights in self.name_weights[names_start(kind) :]
        )
        if not code_letter(kind, self.parsed.lines[names_index(kind)]):
            return names
        return names and name_letter_clear(self.name_weights[1], kind, CODE_RIVAL)


def code_letter(kind: str, names_line: str) -> bool:
    """Whether ``names_line`` (of a reading of ``kind``) opens with a document code whose second
    character is a letter: no check digit covers it (a passport's P<, a PN's PN and a TD1's
    code, on another line than the names, are not checked so)."""
    return kind != "PN" and names_start(kind) > 0 and names_line[1:2] not in ("", "<")


def name_letter_clear(weights: dict[str, float], kind: str, share: float = AMBIGUOUS) -> bool:
    """Whether a names character's winner is clear: its runner-up weighs under ``share`` of it,
    a digit counted as the letter it stands for in names (0 as O; in a PN's, only 0, 1, 5)."""
    ranked = _merged(weights, TO_LETTER_PN if kind == "PN" else TO_NAME_LETTER)
    return len(ranked) < 2 or ranked[1][1] < share * ranked[0][1]


def _merged(weights: dict[str, float], table: dict[int, int]) -> list[tuple[str, float]]:
    """A position's weights with each character counted as ``table`` translates it (a digit as
    the letter it stands for in names, a letter as its digit in dates), heaviest first."""
    merged: dict[str, float] = defaultdict(float)
    for char, weight in weights.items():
        merged[char.translate(table)] += max(weight, 0.0)
    return sorted(merged.items(), key=lambda item: -item[1])


def shape(kind: str) -> tuple[int, int]:
    """Line count and length of a parsed type."""
    if kind in ("TD3", "MRVA", "PN"):
        return LENGTHS["TD3"]
    if kind in ("TD2", "MRVB"):
        return LENGTHS["TD2"]
    return LENGTHS["TD1"]


def pass_images(
    page: Image.Image,
    band: locate.Band,
    scale: float,
    flip: bool,
    targets: tuple[float, ...],
    *,
    sharpened: bool = True,
    prepare: Callable[[Image.Image], Image.Image] | None = None,
) -> list[tuple[Image.Image, bool]]:
    """The band cut at each target character height, plain and (with ``sharpened``) sharpened;
    each image with whether it is the sharpened one. With ``prepare``, each cut prepared so
    first (as the reading being checked was: flattened under a hard shadow's edge)."""
    native = band.char / scale  # character height in ``page`` pixels
    base: Image.Image | None = None
    images: list[tuple[Image.Image, bool]] = []
    for target in targets:
        if target > native:
            if base is None:
                base, _ = locate.cut_band(page, band, scale, flip=flip, target_char=native)
            factor = target / native
            image = base.resize(
                (max(1, round(base.width * factor)), max(1, round(base.height * factor))),
                Image.Resampling.LANCZOS,
            )
        else:
            image, _ = locate.cut_band(page, band, scale, flip=flip, target_char=target)
        if prepare is not None:
            image = prepare(image)
        images.append((image, False))
        if sharpened:
            mask = ImageFilter.UnsharpMask(radius=2, percent=150, threshold=2)
            images.append((image.filter(mask), True))
    return images


def read(
    page: Image.Image,
    band: locate.Band,
    scale: float,
    flip: bool,
    kind: str,
    today: date,
    *,
    targets: tuple[float, ...],
    sharpened: bool = True,
    expected: list[str] | None = None,
    prepare: Callable[[Image.Image], Image.Image] | None = None,
) -> Voted | None:
    """The voted reading of the band as a document of type ``kind``, or None when too few passes
    read lines of its shape (every pass, when there are fewer than MIN_PASSES). ``expected``,
    the lines of the reading being checked, places lines read long (``fitted``); ``prepare``,
    how its crop was prepared (``pass_images``)."""
    count, length = shape(kind)
    images = pass_images(page, band, scale, flip, targets, sharpened=sharpened, prepare=prepare)
    passes: list[list[list[tesseract.Symbol]]] = []
    b_over_8: dict[int, list[float | None]] = defaultdict(list)
    for image, is_sharpened in images:
        lines = fitted(tesseract.ocr_symbols(image), count, length, expected)
        if lines is None:
            continue
        passes.append(lines)
        # The shapes of plain passes only: sharpening reshapes the strokes the glyphs are
        # compared on.
        if kind == "PN" and not is_sharpened:
            names = names_index(kind)
            _weigh_shapes(lines[names], image, b_over_8, expected[names] if expected else None)
    if len(passes) < min(MIN_PASSES, len(images)):
        return None
    voted = combine(passes, kind, today)
    if voted is not None:
        voted.b_over_8 = dict(b_over_8)
    return voted


def fitted(
    lines: list[list[tesseract.Symbol]], count: int, length: int, expected: list[str] | None
) -> list[list[tesseract.Symbol]] | None:
    """A pass's ``count`` lines at the format's ``length``: the lines read at that length, else
    (with ``expected``) those read up to STRAY_CHARS characters long, each cut where it is most
    like its ``expected`` line, at least ALIKE_SHARE of its characters alike; None when there
    are not ``count`` such lines."""
    exact = [line for line in lines if len(line) == length]
    if len(exact) == count:
        return exact
    if expected is None or len(expected) != count:
        return None
    near = [line for line in lines if length <= len(line) <= length + STRAY_CHARS]
    if len(near) != count:
        return None
    cut: list[list[tesseract.Symbol]] = []
    for line, line_expected in zip(near, expected, strict=True):
        if (one := _cut(line, length, line_expected)) is None:
            return None
        cut.append(one)
    return cut


def _cut(line: list[tesseract.Symbol], length: int, expected: str) -> list[tesseract.Symbol] | None:
    """``line`` cut to ``length`` where it is most like ``expected`` (ALIKE_SHARE at least)."""
    text = "".join(symbol.text for symbol in line)
    starts = range(len(line) - length + 1)
    start = max(starts, key=lambda start: alike(text[start : start + length], expected))
    if alike(text[start : start + length], expected) < ALIKE_SHARE * length:
        return None
    return line[start : start + length]


def _weigh_shapes(
    line: list[tesseract.Symbol],
    image: Image.Image,
    b_over_8: dict[int, list[float | None]],
    expected: str | None,
    positions: range | None = None,
) -> None:
    """Add to ``b_over_8`` how much more like OCR-B's B than its 8 each cell of a PN's names
    ``line`` (or of ``positions`` of any line) read as either looks in ``image`` (the pass it
    was read from). With ``expected`` (the line of the reading checked), only cells whose
    neighbours the pass read as it does: a pass placed a character off it (a letter read twice
    in one of them) would measure another letter's cell for the reading's B or 8."""
    ink: np.ndarray | None = None
    # The pass's and the reading's lines with 8 and B alike: neighbours that are either agree.
    text = "".join(symbol.text for symbol in line).replace("8", "B")
    checked = expected.replace("8", "B") if expected is not None else text
    if positions is None:
        positions = range(names_start("PN"), len(line))
    for position, symbol in enumerate(line):
        if symbol.text not in PN_CONFUSABLE or position not in positions:
            continue
        if text[position - 1 : position + 2] != checked[position - 1 : position + 2]:
            continue
        if symbol.box is None:
            b_over_8[position].append(None)
            continue
        if ink is None:
            ink = glyphs.darkness(image)
        b_over_8[position].append(glyphs.preference(ink, symbol.box, "B", "8"))


def shapes_clear(
    image: Image.Image, parsed: Parsed, *, strict: bool = True, eights: bool = True
) -> bool:
    """Whether no character of ``parsed``'s document number or names looks more like OCR-B's
    glyph of its lookalike than of what was read in ``image`` (the crop it was read from, read
    again for its cells): a number's 8 or B by NUMBER_SHAPE_MARGIN, the number's pairs of
    NUMBER_LOOKALIKES and the names' of NAME_LOOKALIKES by LOOKALIKE_SHARE of what sets them
    apart, the names' of NAME_CLOSE_LOOKALIKES and (``strict``, not a PN's digits) the number's
    of CANCELLING_LOOKALIKES by CLOSE_SHARE, the names' of NAME_TIGHT_LOOKALIKES not at all.
    Small print's passes are the same print rescaled and read a character alike and wrong,
    where no check digit tells: at 11 px a number's 08 read DB in every pass, the check digit
    passing (+91 and +9: one time in ten); at 10.6 px 6EZ17PV9 read GEZ17PV9, and a G is a 6
    to the check digit; a PN's surname ЭЙХЕ (6QHE) read 6GHE. ``strict`` (small print): False
    when a cell cannot be measured (its line not read again, a cell placed otherwise, no OCR-B
    font). Else (print a little larger, whose passes read better, or blurred): only where
    measured, and the pairs of CANCELLING_LOOKALIKES, two misreads of which must cancel to
    pass, left to the check digits; the number's 8s and Bs measured all the same with
    ``eights``, as a B read for an 8 and a D for a 0 cancel (+21 and +39) and every pass read
    them alike at 11.5 px too (degraded 402/0: U0LLTD8H read UDLLTDBH, the B's cell like the
    8 by 0.36). Not on blurred print, whose true Bs looked like 8s by up to 0.45 (blurred
    286/21, 23 px)."""
    line_index, start = parsed.number_place
    number = parsed.repaired_line(line_index)
    names = parsed.lines[names_index(parsed.type)]
    # The stretches measured, each with its lookalike pairs and whether its 8s and Bs are: the
    # number's own characters (a check digit is a digit: a lookalike would fail it), the names.
    measure_cancelling = strict and parsed.type != "PN"
    number_pairs = NUMBER_LOOKALIKES + (CANCELLING_LOOKALIKES if measure_cancelling else ())
    name_pairs = NAME_LOOKALIKES + NAME_CLOSE_LOOKALIKES + NAME_TIGHT_LOOKALIKES
    stretches = [
        (text, at, pairs, with_eights)
        for text, at, pairs, with_eights in (
            (number, range(start, start + 9), number_pairs, strict or eights),
            (names, range(names_start(parsed.type), len(names)), name_pairs, False),
        )
        if any(
            lookalikes(text[position], pairs) or (with_eights and text[position] in PN_CONFUSABLE)
            for position in at
        )
    ]
    if not stretches:
        return True
    lines = tesseract.ocr_symbols(image)
    ink = glyphs.darkness(image)
    for text, at, pairs, with_eights in stretches:
        line = _placed_line(lines, text, at)
        if line is None:
            if strict:
                return False
            continue
        if with_eights and not _eights_clear(line, image, text, at, unmeasured=not strict):
            return False
        for position in at:
            for other in lookalikes(text[position], pairs):
                share = _lookalike_share(text[position], other)
                if not _cell_clear(
                    ink, line, text, position, other, share=share, unmeasured=not strict
                ):
                    return False
    return True


def number_twins_shown(
    cut: Callable[[], Image.Image | None],
    parsed: Parsed,
    *,
    pairs: tuple[str, ...] = NUMBER_TWINS_SHOWN,
) -> str | None:
    """``parsed``'s document number (its nine characters as repaired) with each character of a
    pair of ``pairs`` (NUMBER_TWINS_SHOWN) whose cell in the crop it was read from (as ``cut``
    gives it, asked only for a number holding such a character, and read again for its cells)
    looks more like the pair's other glyph than like itself by LOOKALIKE_SHARE of what sets the
    two apart made that other; None when no cell does, or none is measured, and for a PN's
    number (digits). The two are worth the same to the check digits: the number still passes
    as it did. The shape chooses what a reading not sure shows; a reading of print of any size
    is sure only where its Ms and Ws show nothing in the band flattened (NUMBER_TWINS_ANY_SIZE,
    ``reader._number_twins_clear``)."""
    line_index, start = parsed.number_place
    text = parsed.repaired_line(line_index)
    at = range(start, min(start + 9, len(text)))
    if parsed.type == "PN" or not any(lookalikes(text[position], pairs) for position in at):
        return None
    image = cut()
    return None if image is None else twins_shown(image, text, at, pairs)


def twins_shown(image: Image.Image, text: str, at: range, pairs: tuple[str, ...]) -> str | None:
    """The stretch ``at`` of ``text`` (a line read from ``image``) with each character of a pair
    of ``pairs`` whose cell in ``image`` (read again for its cells) looks more like the pair's
    other glyph than like itself by LOOKALIKE_SHARE of what sets the two apart made that other;
    None when no cell does, or none is measured (its line not placed, a cell too small)."""
    if not any(lookalikes(text[position], pairs) for position in at):
        return None
    line = _placed_line(tesseract.ocr_symbols(image), text, at)
    if line is None:
        return None
    ink = glyphs.darkness(image)
    shown = list(text[at.start : at.stop])
    for position in at:
        for other in lookalikes(text[position], pairs):
            if not _cell_clear(ink, line, text, position, other, unmeasured=True):
                shown[position - at.start] = other
    stretch = "".join(shown)
    return stretch if stretch != text[at.start : at.stop] else None


def _eights_clear(
    line: list[tesseract.Symbol], image: Image.Image, text: str, at: range, *, unmeasured: bool
) -> bool:
    """Whether no 8 or B of ``text`` at ``at`` looks more like the other by NUMBER_SHAPE_MARGIN
    in the cells of ``line`` (the left halves, ``_weigh_shapes``); ``unmeasured`` where one
    was not measured (read neither 8 nor B)."""
    b_over_8: dict[int, list[float | None]] = defaultdict(list)
    _weigh_shapes(line, image, b_over_8, text, at)
    for position in at:
        if text[position] not in PN_CONFUSABLE:
            continue
        shape = b_over_8.get(position, [None])[0]  # one line: one measure at most
        if shape is None:
            if unmeasured:
                continue
            return False
        if (shape if text[position] == "B" else -shape) < -NUMBER_SHAPE_MARGIN:
            return False
    return True


def _lookalike_share(char: str, other: str) -> float:
    """The share of what sets ``char``'s glyph and ``other``'s apart by which a cell of
    ``char`` may look more like ``other`` before it says a misread (``shapes_clear``)."""
    if other in lookalikes(char, NAME_TIGHT_LOOKALIKES):
        return TIGHT_SHARE
    if other in lookalikes(char, CLOSE_LOOKALIKES):
        return CLOSE_SHARE
    return LOOKALIKE_SHARE


def _cell_clear(
    ink: np.ndarray,
    line: list[tesseract.Symbol],
    expected: str,
    position: int,
    other: str,
    *,
    share: float = LOOKALIKE_SHARE,
    unmeasured: bool = False,
) -> bool:
    """Whether the cell of ``line`` at ``position`` does not look more like ``other`` than like
    ``expected``'s character there by ``share`` of what sets the two glyphs apart; ``unmeasured``
    when it cannot be measured."""
    measured = _cell_shape(ink, line, expected, position, other)
    if measured is None:
        return unmeasured
    return measured[0] >= -share * measured[1]


def _cell_shape(
    ink: np.ndarray, line: list[tesseract.Symbol], expected: str, position: int, other: str
) -> tuple[float, float] | None:
    """How much more the cell of ``line`` at ``position`` looks like ``expected``'s character
    there than like ``other`` (``glyphs.preference``, the whole cell), and how far apart the
    two glyphs are in clean print at its size (``glyphs.apart``); None when the cell cannot be
    measured: no box, placed otherwise (``_placed_alike``), too small, no font."""
    char, symbol = expected[position], line[position] if position < len(line) else None
    if symbol is None or symbol.box is None or not _placed_alike(line, expected, position):
        return None
    box = _in_line(symbol.box, line, position)
    left, top, right, bottom = box
    shape = glyphs.preference(ink, box, char, other, glyphs.WHOLE)
    clean = glyphs.apart(char, other, (right - left, bottom - top))
    return None if shape is None or clean is None else (shape, clean)


def _in_line(box: tesseract.Box, line: list[tesseract.Symbol], position: int) -> tesseract.Box:
    """``box``, that of ``line``'s symbol at ``position``, with its top and bottom its
    neighbours' (their medians, up to NEIGHBOURS each side, letters and digits: a ``<`` is
    shorter) where it stands taller than TALLER_BOX times their height: Tesseract stretched a
    letter's box over print above it (a real photo's 9 px M, 79_pass-can, boxed twice its
    height with a stroke of the security printing, was measured as an H drawn that tall)."""
    left, top, right, bottom = box
    near = [
        symbol.box
        for symbol in line[max(0, position - NEIGHBOURS) : position + NEIGHBOURS + 1]
        if symbol is not line[position] and symbol.box is not None and symbol.text != "<"
    ]
    if len(near) < 2:
        return box
    usual_top = statistics.median_high(other[1] for other in near)
    usual_bottom = statistics.median_high(other[3] for other in near)
    trimmed_top, trimmed_bottom = max(top, usual_top), min(bottom, usual_bottom)
    if bottom - top <= TALLER_BOX * (usual_bottom - usual_top) or trimmed_bottom <= trimmed_top:
        return box  # as tall as the line's print, or lying beside it: as boxed
    return left, trimmed_top, right, trimmed_bottom


def made_letters_clear(
    image: Image.Image, text: str, at: range, made: dict[str, str], margin: float
) -> bool:
    """Whether no character of ``text``'s stretch ``at`` that ``made`` maps to the letter it
    may have been made of (F of an E whose foot faded) looks less like itself over that letter
    than ``margin`` of what sets the two glyphs apart, in ``image`` (the crop it was read from,
    read again for its cells). A cell that cannot be measured (its line not read again alike,
    no box, too small) says nothing: a right F's faded foot leaves it so as often as a wrong
    one's."""
    if not any(text[position] in made for position in at):
        return True
    line = _placed_line(tesseract.ocr_symbols(image), text, at)
    if line is None:
        return True
    ink = glyphs.darkness(image)
    for position in at:
        if text[position] not in made:
            continue
        measured = _cell_shape(ink, line, text, position, made[text[position]])
        if measured is not None and measured[0] < margin * measured[1]:
            return False
    return True


def _placed_line(
    lines: list[list[tesseract.Symbol]], expected: str, at: range
) -> list[tesseract.Symbol] | None:
    """The line of a pass's ``lines`` that holds the stretch ``at`` of ``expected`` (the
    reading's line), from where its characters stand as there: the line and start, up to
    STRAY_CHARS in, whose stretch and the characters beside it are most like the reading's,
    ALIKE_SHARE of them at least. Only the stretch is compared: a line read long after the
    number (a character read twice in a date, which the reading's check digits dropped) still
    places its cells."""
    first, last = max(at.start - 1, 0), min(at.stop + 1, len(expected))  # a neighbour each side
    window = expected[first:last]
    best: tuple[int, list[tesseract.Symbol]] | None = None
    for line in lines:
        text = "".join(symbol.text for symbol in line)
        for shift in range(STRAY_CHARS + 1):
            if len(text) < shift + last:
                break
            score = alike(text[shift + first : shift + last], window)
            if best is None or score > best[0]:
                best = (score, line[shift:])
    if best is None or best[0] < ALIKE_SHARE * len(window):
        return None
    return best[1]


def lookalikes(char: str, pairs: tuple[str, ...]) -> str:
    """The characters of ``pairs`` that ``char`` may have been read for."""
    return "".join(pair.replace(char, "") for pair in pairs if char in pair)


def _placed_alike(line: list[tesseract.Symbol], expected: str, position: int) -> bool:
    """Whether a pass read a character beside ``position`` as ``expected`` has it: else it
    may have placed its characters a cell off, and the cell it read there hold another one.
    (One is enough: a neighbour is often a lookalike read otherwise, D as B.)"""
    return any(
        line[at].text == expected[at]
        for at in (position - 1, position + 1)
        if 0 <= at < min(len(line), len(expected))
    )


def combine(passes: list[list[list[tesseract.Symbol]]], kind: str, today: date) -> Voted | None:
    """Sum the alternatives per position, then let the check digits settle unclear positions."""
    count, length = shape(kind)
    names = names_index(kind)
    weights: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for lines in passes:
        for index, line in enumerate(lines):
            for position, symbol in enumerate(line):
                choices = symbol.choices or ((symbol.text, symbol.confidence),)
                for text, confidence in choices:
                    if len(text) == 1:
                        weights[index, position][text] += max(confidence, 0.0)
    best: list[list[str]] = [[""] * length for _ in range(count)]
    unclear: dict[tuple[int, int], str] = {}
    unclear_names: list[tuple[int, int]] = []
    for index in range(count):
        for position in range(length):
            ranked = sorted(weights[index, position].items(), key=lambda item: -item[1])
            if not ranked:
                return None
            best[index][position] = ranked[0][0]
            if len(ranked) > 1 and ranked[1][1] >= AMBIGUOUS * ranked[0][1]:
                if index == names:
                    unclear_names.append((index, position))
                else:
                    unclear[index, position] = ranked[1][0]
    lines = ["".join(line) for line in best]
    parsed = _settle(lines, unclear, weights, today)
    if parsed is None:
        return None
    agreeing = sum("".join(symbol.text for symbol in one[names]) == lines[names] for one in passes)
    # The names line's weakest position, as a confidence (0-100): the mean weight of its winner.
    parsed.name_confidence = min(
        max(weights[names, position].values()) / len(passes) for position in range(length)
    )
    reads = ["".join(symbol.text for symbol in one[names]) for one in passes]
    name_weights = [dict(weights[names, position]) for position in range(length)]
    return Voted(parsed, len(passes), unclear_names, agreeing, name_weights, reads)


def _settle(
    lines: list[str],
    unclear: dict[tuple[int, int], str],
    weights: dict[tuple[int, int], dict[str, float]],
    today: date,
) -> Parsed | None:
    """The voted lines, or the one set of fields passing every check among the unclear
    positions' alternatives. When several pass, the one the passes weighed most is shown, not
    valid, with the fields they disagree on marked invalid."""

    def supports(line: int, position: int, char: str) -> bool:
        weighed = weights.get((line, position), {})
        return bool(weighed) and weighed.get(char, 0.0) >= SUPPORT * max(weighed.values())

    parsed = parse_lines(lines, today=today)
    if parsed is None:
        return None
    confirm_repairs(parsed, supports)
    if not unclear:
        return parsed
    if len(unclear) > MAX_TRIED:
        parsed.valid = False
        return parsed
    # What the passes' winners show the print makes of a character worth the same to a check
    # digit (a check digit's 6 read G by most passes, a 6 by the rest): a number holding it may
    # be spelt with its twin, whichever spelling of the check digit is taken. (Not what a
    # runner-up tried shows: a country's U whose runner-up was 0 made no 0 of a U.)
    made = twins_made(parsed)
    passing: dict[tuple, tuple[float, Parsed, tuple[bool, ...]]] = {}
    positions = list(unclear)
    for picks in itertools.product((False, True), repeat=len(positions)):
        candidate = [list(line) for line in lines]
        for (index, position), pick in zip(positions, picks, strict=True):
            if pick:
                candidate[index][position] = unclear[index, position]
        again = parse_lines(["".join(line) for line in candidate], today=today)
        if again is None or not (again.valid or again.awaiting_support):
            continue
        confirm_repairs(again, supports)
        weight = sum(
            weights[index, position].get(char, 0.0)
            for index, line in enumerate(candidate)
            for position, char in enumerate(line)
        )
        key = tuple(sorted((k, str(v)) for k, v in again.fields.items()))
        if key not in passing or weight > passing[key][0]:
            passing[key] = (weight, again, picks)
    if not passing:
        parsed.valid = False
        return parsed
    ranked = sorted(passing.values(), key=lambda item: -item[0])
    _, chosen, picks = ranked[0]  # valid only if its repairs, if any, were supported
    if len(ranked) > 1:
        # Several sets of fields pass every check: the check digits cannot choose. Not sure.
        chosen.valid = False
        chosen.ambiguous = True
        for _, other, _ in ranked[1:]:
            for name, value in chosen.fields.items():
                if other.fields.get(name) != value:
                    chosen.field_valid[name] = False
    flipped = [position for position, pick in zip(positions, picks, strict=True) if pick]
    # A runner-up the parser then repaired is a third spelling of its character (the passes
    # read 6 or 0, the check digit passed with an O): counted as a second runner-up taken.
    flipped += [(line, column) for line, column, _ in chosen.repairs if (line, column) in flipped]
    # Where a runner-up was taken in the number, each character the parser then repaired in it
    # is one more spelling the check digit chose among (glare 174/15: of JR0J0FDM the passes
    # read IR0J0FDM, the second 0 with O close; with that O taken, repairing I and the first 0
    # into 1 and O passed: 1ROJOFDM).
    line, start = chosen.number_place
    if any(field_at(chosen.type, *at) == "number" for at in flipped):
        repaired = [(line, start + at) for at in sorted(chosen.number_repaired()) if at < 9]
        flipped += [at for at in repaired if at not in flipped]
    for name in _fields_flipped_twice(chosen.type, flipped) | _dates_read_three_ways(
        chosen.type, weights
    ):
        chosen.valid = False
        chosen.field_valid[name] = False
    if number_holds(chosen, made):
        # Glare 136/15: the passes read 6L7JS7Y6E's check digit 6 as G or 6, and its second 6
        # as G (6 under half of G's weight): 6L7JS7YGE passed, as would 6L7JS7Y6E.
        chosen.valid = False
        chosen.field_valid["number"] = False
    return chosen


def _dates_read_three_ways(kind: str, weights: dict[tuple[int, int], dict[str, float]]) -> set[str]:
    """The dates with a digit (or their check digit) the passes read three ways or more, each
    weighing AMBIGUOUS of the winner or more, a letter counted as the digit it stands for (G as
    6): only the runner-up is tried, and the true digit may be the third. Glare 173/6: an
    expiry's 260903 with check digit 8 read 200903, 6 weighed under 0 and the check digit read
    0, 6, 3 and 8 alike: 2009030 passed, the composite too."""
    dates: set[str] = set()
    for (line, position), weighed in weights.items():
        name = field_at(kind, line, position)
        if name not in ("date_of_birth", "expiry_date"):
            continue
        ranked = _merged(weighed, TO_DIGIT)
        if len(ranked) > 2 and ranked[0][0].isdigit() and ranked[2][1] >= AMBIGUOUS * ranked[0][1]:
            dates.add(name)
    return dates


def _fields_flipped_twice(kind: str, flipped: list[tuple[int, int]]) -> set[str]:
    """The fields in which more than MAX_FLIPS_IN_A_FIELD of ``flipped`` (positions where a
    runner-up was taken over the vote's winner) lie. One check digit stands behind such a field
    (the composite weighs a document number's characters as its own digit does, so adds
    nothing): where the true character of a position was neither its winner nor its runner-up,
    a wrong set of them still passes one time in ten per set tried, and alone. A PN's number
    read 2019680071 under glare came out 0019620071, valid, with two runners-up taken."""
    fields = [field_at(kind, line, position) for line, position in flipped]
    return {name for name in fields if fields.count(name) > MAX_FLIPS_IN_A_FIELD}


def confirm_with_symbols(parsed: Parsed, image: Image.Image) -> bool:
    """For a reading whose only flaw is repairs: OCR ``image`` (the crop it was read from) again
    with the model's alternatives per character, and make it valid when, for each character a
    repair changed, the OCR weighed the new character at least ``SUPPORT`` of its best choice.
    A line the second OCR reads differently (not the same characters) supports nothing."""
    if not parsed.awaiting_support:
        return parsed.valid
    # Keyed without the trailing fillers: a names line read short was padded with them.
    by_text = {
        "".join(symbol.text for symbol in line).rstrip("<"): line
        for line in tesseract.ocr_symbols(image)
    }

    def supports(line: int, position: int, char: str) -> bool:
        symbols = by_text.get(parsed.lines[line].rstrip("<"))
        if symbols is None or position >= len(symbols):
            return False
        choices = dict(symbols[position].choices)
        best = max(choices.values(), default=0.0)
        return best > 0 and choices.get(char, 0.0) >= SUPPORT * best

    lines = list(by_text.values())
    return confirm_repairs(parsed, supports, lambda line: fillers_lost(lines, parsed.lines[line]))


# How far (in character pitches) a character's centre may sit from its column of the MRZ's grid.
GRID_TOLERANCE = 0.35
MAX_LOST = 12  # characters a line may have lost (a names line's fillers; ``parse.parse_lines``)


def fillers_lost(lines: list[list[tesseract.Symbol]], fitted: str) -> bool:
    """Whether the OCR's boxes show that a line read short lost fillers, not print: some line of
    ``lines`` reads ``fitted`` (a line of the reading, with fillers put in) either whole, or
    without some of its characters where its boxes leave the columns empty, each of them a filler
    in a run of fillers, not its first (the end of a field's print: a lost 0, A, K or U there
    passes the check digits as a filler does).

    The MRZ is printed in one monospaced grid: neighbours are one pitch apart (the median step),
    two across a lost character; the columns, fitted to the centres by least squares, count from
    column 0: where the whole lines of ``lines`` start; without one, where the other lines end
    (column ``len(fitted) - 1``: a stray mark read before a line moves its start, not its end;
    a finger over the start of a TD1's names line made ROSSI read OSSI, filled at its end, while
    the lines above read a stray mark each); without either, this line's own first character."""
    length = len(fitted)
    whole = [line for line in lines if len(line) == length]
    if any("".join(symbol.text for symbol in line) == fitted for line in whole):
        return True
    starts = [_centre(line[0]) for line in whole if line[0].box is not None]
    ends = [
        _centre(line[-1])
        for line in lines
        if len(line) > length and line[-1].box is not None  # read long: a stray at an end
    ]
    for line in lines:
        if not 0 < length - len(line) <= MAX_LOST or any(symbol.box is None for symbol in line):
            continue
        grid = _grid(line)
        if grid is None:
            continue
        columns, pitch = grid
        first, last = _centre(line[0]), _centre(line[-1])
        shifts = (
            {round((first - start) / pitch) for start in starts}
            or {round((last - end) / pitch) + length - 1 - columns[-1] for end in ends}
            or {0}
        )
        text = [symbol.text for symbol in line]
        for shift in shifts:
            placed = dict(zip((column + shift for column in columns), text, strict=True))
            if min(placed) < 0 or max(placed) >= length:
                continue
            lost = [column for column in range(length) if column not in placed]
            if "".join(placed.get(column, "<") for column in range(length)) == fitted and all(
                column > 0 and fitted[column - 1] == "<" == fitted[column] for column in lost
            ):
                return True
    return False


def _grid(line: list[tesseract.Symbol]) -> tuple[list[int], float] | None:
    """Each symbol's column counted from the first (0), and the pitch; None when the centres do
    not sit on one grid, or two share a column."""
    centres = [_centre(symbol) for symbol in line]
    if len(centres) < 3:
        return None
    steps = sorted(b - a for a, b in itertools.pairwise(centres))
    pitch = steps[len(steps) // 2]
    if pitch <= 0:
        return None
    columns = [0]
    for a, b in itertools.pairwise(centres):
        step = round((b - a) / pitch)
        if step < 1:
            return None
        columns.append(columns[-1] + step)
    # Least squares: centre = origin + pitch * column, then each centre near its column.
    count = len(columns)
    mean_column, mean_centre = sum(columns) / count, sum(centres) / count
    spread = sum((column - mean_column) ** 2 for column in columns)
    pitch = (
        sum(
            (column - mean_column) * (centre - mean_centre)
            for column, centre in zip(columns, centres, strict=True)
        )
        / spread
    )
    origin = mean_centre - pitch * mean_column
    if pitch <= 0 or any(
        abs(centre - origin - pitch * column) > GRID_TOLERANCE * pitch
        for column, centre in zip(columns, centres, strict=True)
    ):
        return None
    return columns, pitch


def _centre(symbol: tesseract.Symbol) -> float:
    assert symbol.box is not None
    return (symbol.box[0] + symbol.box[2]) / 2
