"""From MRZ text (as OCR returns it) to fields, with per-field validity.

Formats by line count and length (ICAO Doc 9303): TD3 and MRV-A (2 x 44), TD2 and MRV-B (2 x 36),
TD1 (3 x 30), and the Russian internal passport ``PN`` (TD3-like, see ``../shared/mrz/NOTES.md``).

OCR confusions are repaired by the field's class: digits-only fields (dates, check digits) and
letters-only fields (codes, names) are mapped deterministically; alphanumeric fields (document
number, optional data) are repaired only when exactly one variant passes the check digit, and
only between confusable pairs (0/O/D/Q, 1/I, 2/Z, 5/S, 6/G, 8/B). A field that fails its check stays
as read and is marked invalid; the document is valid only when every check passes.

A check digit cannot tell a repair from an invention: ``BE75823154`` repaired to ``8E75B2315`` passes
the number's digit and the composite (which opens with the number, at the same weights). So every
character a repair changes in the document number, the personal number, a name, a country code,
a date or a check digit (the digit map too: a Z read for a 7 becomes a 2) is recorded in
``Parsed.repairs`` and the reading is not valid until ``confirm_repairs`` finds each change among the
OCR's own alternatives for that character (``reader`` and ``vote`` supply them).

A line read short gets fillers put into its runs of fillers (``Parsed.inserted``): valid only once
the OCR's character boxes show the lost columns inside those runs (``vote.fillers_lost``), since
a filler and a lost 0, A, K or U at the end of a field's print weigh the same for a check digit.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from uploads.mrz import checks

TO_DIGIT = str.maketrans("OQDIZSGBL", "001125681")
# The letters a digit read in a field of letters may be, the likeliest first (``TO_LETTER``): an
# OCR-B 0 is an O, D, Q or U blurred. A country code tries them all (``_countries_of``).
DIGIT_LETTERS = {"0": "ODQU", "1": "ILT", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B"}
TO_LETTER = str.maketrans({digit: letters[0] for digit, letters in DIGIT_LETTERS.items()})
# In a name (not a PN's) a 7 is no letter at all, and the letter degraded print reads so is a T
# (degraded 103/5: TANAKA read 7ANAKA): shown as one, a change the OCR must support like any.
# Not in a country code: there a 7 was a P too (degraded 102/2: ESP read ES7, EST a country).
TO_NAME_LETTER = TO_LETTER | str.maketrans("7", "T")
# PN names use digits 2-4 and 6-9 as letters (see CYRILLIC): only 0, 1 and 5 are confusions there.
TO_LETTER_PN = str.maketrans("015", "OIS")
# Pairs an alphanumeric field can confuse; check digits decide.
_ALTERNATIVES = {
    "0": "OD",
    "O": "0",
    "D": "0",
    "Q": "0",
    "1": "I",
    "I": "1",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B",
    "B": "8",
}
_SEX_REPAIR = {"M": "M", "F": "F", "<": "X", "X": "X", "H": "M", "N": "M", "E": "F", "P": "F"}

CYRILLIC = dict(
    zip(
        "ABVGDE2JZIQKLMNOPRSTUFHC34WXY9678",
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
        strict=True,
    )
)

LENGTHS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}


@dataclass
class Parsed:
    type: str  # TD1, TD2, TD3, MRVA, MRVB, PN
    lines: list[str]
    fields: dict[str, str | date | None] = field(default_factory=dict)
    field_valid: dict[str, bool] = field(default_factory=dict)
    checks_passed: int = 0
    checks_total: int = 0
    valid: bool = False
    ambiguous: bool = False
    names_cut: bool = False  # the names line was longer than the format, or cut short
    # The OCR's lowest confidence on the line with the names (no check digit covers them).
    name_confidence: float = 100.0
    # Characters a repair changed in the number, personal number or names: (line, position, to).
    repairs: list[tuple[int, int, str]] = field(default_factory=list)
    # Fillers put into a line read short: (line, position). The check digits cannot tell a lost
    # filler from a lost 0, A, K or U at the end of the field before the run (all worth 0 modulo
    # 10), and none covers the names line's country and names; so the reading waits for the OCR's
    # boxes to show the gaps inside runs of fillers (``confirm_repairs``).
    inserted: list[tuple[int, int]] = field(default_factory=list)
    # A line with check digits was read long and the check digits chose which character inside it
    # to drop: with the print misread too, one of the ~10 ways passes by chance about half the
    # time (``222C9SSG`` read ``222095S6G`` passed as ``22205S6G``), so the reader wants a second
    # reading of the same fields before such a reading is valid. Not for a character dropped at
    # the line's start or end (a stray mark beside it): the rest was read in place.
    dropped: bool = False
    # Other readings of the same OCR lines (other alignments, a character dropped elsewhere in
    # a line read long) passing every check with other fields: what made it ``ambiguous``.
    rivals: list["Parsed"] = field(default_factory=list, repr=False, compare=False)

    @property
    def awaiting_support(self) -> bool:
        """Every check passes, and only repairs the OCR has not (yet) supported keep it invalid."""
        return (
            bool(self.repairs or self.inserted)
            and self.checks_passed == self.checks_total
            and not self.ambiguous
            and not self.names_cut
        )

    @property
    def score(self) -> float:
        return self.checks_passed + (10 if self.valid else 0)

    @property
    def names_index(self) -> int:
        return names_index(self.type)

    @property
    def names_line(self) -> str:
        return self.lines[self.names_index]

    @property
    def number_place(self) -> tuple[int, int]:
        """The line and first column of the number's nine characters (its check digit next)."""
        return (0, 5) if self.type == "TD1" else (1, 0)

    def number_repaired(self) -> set[int]:
        """The positions (0-8) of the document number's characters a repair changed."""
        return self.repaired_from(*self.number_place)

    def repaired_from(self, line: int, start: int) -> set[int]:
        """The positions, counted from column ``start`` of line ``line``, of the characters a
        repair changed on that line."""
        return {column - start for at_line, column, _ in self.repairs if at_line == line}

    def repaired_line(self, index: int) -> str:
        """Line ``index`` as the fields hold it: the check digits' repairs made (a B read for an
        8 whose spelling with the 8 passed is an 8), supported by the OCR or not."""
        line = list(self.lines[index])
        for at_line, column, char in self.repairs:
            if at_line == index and column < len(line):
                line[column] = char
        return "".join(line)


# Whether the OCR weighed ``char`` for the character at (line, position) of the lines read.
Support = Callable[[int, int, str], bool]
# Whether the OCR's boxes put each filler inserted into a line (by its index) inside a run of them.
GapSupport = Callable[[int], bool]


def confirm_repairs(parsed: Parsed, supports: Support, gaps: GapSupport | None = None) -> bool:
    """Make ``parsed`` valid when its only flaw is repairs and inserted fillers, and the OCR
    supports every one of them (the repaired fields marked valid again)."""
    if (
        parsed.awaiting_support
        and all(supports(*repair) for repair in parsed.repairs)
        and all(gaps is not None and gaps(line) for line in {line for line, _ in parsed.inserted})
    ):
        parsed.valid = True
        for name in _repaired_fields(parsed):
            if name not in ("surname", "given_names"):  # names are never marked checked
                parsed.field_valid[name] = True
    return parsed.valid


def field_at(kind: str, line: int, position: int) -> str:
    """The field a character of the lines belongs to (for marking a repaired one)."""
    if line == names_index(kind) and position >= names_start(kind):
        return "surname"
    if kind == "TD1":
        if line == 0:
            return "country" if position < 5 else "number"
        spans = {"date_of_birth": range(0, 7), "expiry_date": range(8, 15),
                 "nationality": range(15, 18)}  # fmt: skip
        return next((name for name, span in spans.items() if position in span), "composite")
    if line == 0:
        return "country"
    spans = {"number": range(0, 10), "nationality": range(10, 13), "date_of_birth": range(13, 20),
             "expiry_date": range(21, 28)}  # fmt: skip
    if kind == "PN":
        spans.update(issue_date=range(29, 35), department_code=range(35, 43))
        if position == 28:
            return "number"
    elif kind == "TD3":
        spans["personal_number"] = range(28, 43)
    return next((name for name, span in spans.items() if position in span), "composite")


def _repaired_fields(parsed: Parsed) -> set[str]:
    changed = [(line, position) for line, position, _ in parsed.repairs] + parsed.inserted
    fields = {field_at(parsed.type, line, position) for line, position in changed}
    if parsed.type != "TD1" and any(line == parsed.names_index for line, _ in parsed.inserted):
        # A names line read short may have lost a letter of the country before the names.
        fields.add("country")
    return fields


def clean_lines(text: str) -> list[str]:
    lines = []
    for raw in text.upper().splitlines():
        line = "".join(raw.split())
        if line:
            lines.append(line)
    return lines


def parse_text(text: str, *, today: date | None = None) -> Parsed | None:
    """The best reading of the MRZ in ``text`` (several lines), or None if no MRZ shape is there."""
    return parse_lines(clean_lines(text), today=today)


def parse_ocr(lines: list[tuple[str, float]], *, today: date | None = None) -> Parsed | None:
    """Like ``parse_lines`` for OCR lines with confidences; records the name line's confidence."""
    texts = ["".join(text.upper().split()) for text, _ in lines]
    kept = [(text, confidence) for text, (_, confidence) in zip(texts, lines, strict=True) if text]
    parsed = parse_lines([text for text, _ in kept], today=today)
    if parsed is not None:
        name_line = parsed.names_line
        for text, confidence in kept:
            if text[:12] == name_line[:12] or text[-12:] == name_line[-12:]:
                parsed.name_confidence = confidence
                break
    return parsed


def parse_lines(lines: list[str], *, today: date | None = None) -> Parsed | None:
    today = today or date.today()
    best: Parsed | None = None
    valid_readings: dict[tuple, Parsed] = {}
    for kind, (count, length) in LENGTHS.items():
        for start in range(len(lines) - count + 1):
            group = lines[start : start + count]
            if any(
                not (
                    -2 <= len(line) - length <= 2
                    or (_is_name_line(kind, index) and len(line) >= length - 12)
                )
                for index, line in enumerate(group)
            ):
                continue
            # A realigned line may not also be repaired: too many ways to pass by chance.
            realigned = any(
                len(line) != length and not _is_name_line(kind, index)
                for index, line in enumerate(group)
            )
            # More characters than the format has, or names cut short: not sure of them.
            name_line = group[names_index(kind)]
            names_cut = len(name_line) > length or (
                len(name_line) < length and not name_line.endswith("<")
            )
            for candidate, inserted in _fitted(kind, group, length):
                parsed = _parse_fitted(kind, candidate, today, strict=realigned)
                parsed.dropped = any(
                    len(line) > length
                    and not _is_name_line(kind, index)
                    and not _at_an_end(candidate[index], line)
                    for index, line in enumerate(group)
                )
                if inserted:
                    _await_gaps(parsed, inserted)
                if names_cut:
                    parsed.valid = False
                    parsed.names_cut = True
                if parsed.valid or parsed.awaiting_support:
                    key = tuple(sorted((k, str(v)) for k, v in parsed.fields.items()))
                    valid_readings.setdefault(key, parsed)
                if best is None or parsed.score > best.score:
                    best = parsed
    if best is not None and len(valid_readings) > 1:
        # Two alignments (or two documents) pass every check with different fields: not sure.
        best.valid = False
        best.ambiguous = True
        best.rivals = [other for other in valid_readings.values() if other.fields != best.fields]
    return best


def _await_gaps(parsed: Parsed, inserted: list[tuple[int, int]]) -> None:
    """A reading with fillers put into a line read short: not valid until the OCR's boxes show
    where the line lost characters (``Parsed.inserted``); the fields holding them not valid."""
    parsed.inserted = inserted
    parsed.valid = False
    for name in _repaired_fields(parsed):
        if name in parsed.field_valid:
            parsed.field_valid[name] = False


Fitted = tuple[list[str], list[tuple[int, int]]]  # the lines, and the fillers put in: (line, at)


def _fitted(kind: str, group: list[str], length: int) -> list[Fitted]:
    """Lines brought to the format's length; a line with a check digit off by one or two characters
    gets every single deletion or filler insertion, and the check digits choose later. Each comes
    with the fillers it put in (``Parsed.inserted``)."""
    options: list[list[tuple[str, list[tuple[int, int]]]]] = []
    for index, line in enumerate(group):
        is_name_line = _is_name_line(kind, index)
        padded = [(index, at) for at in range(len(line), length)]
        if len(line) == length:
            options.append([(line, [])])
        elif is_name_line:
            # A names line read short lost fillers, or a character of the country before the
            # names (``P<RUSABRAMOV`` read ``P<USABRAMOV``: the United States, Mr Bramov).
            options.append([(_pad_or_cut(line, length), padded)])
        else:
            variants = {_pad_or_cut(line, length): padded}
            if len(line) == length + 1:
                for i in range(len(line)):
                    variants.setdefault(line[:i] + line[i + 1 :], [])
            elif len(line) == length - 1:
                # OCR loses fillers inside runs of fillers: insert one next to another.
                for i in range(len(line) + 1):
                    if "<" in line[max(0, i - 1) : i + 1]:
                        variants.setdefault(line[:i] + "<" + line[i:], [(index, i)])
            options.append(sorted(variants.items()))
    # Every combination, none cut off: the check that two alignments passing with different
    # fields make the reading not sure must see them all (a cap once hid the right alignment of
    # a TD1 with both upper lines one character long, leaving a wrong document code valid). The
    # length filter in ``parse_lines`` bounds it: only a line one character off has more than one
    # variant (at most length + 1), and the names line has one, so a TD1 has at most 31 x 31.
    results: list[Fitted] = [([], [])]
    for variants in options:
        results = [
            ([*lines, variant], [*inserted, *more])
            for lines, inserted in results
            for variant, more in variants
        ]
    return results


def _at_an_end(fitted: str, line: str) -> bool:
    """Whether ``fitted`` is ``line`` (read long) without characters at its start or end only: a
    stray mark beside the line read as a character, the rest read in place, as checked as a line
    read at its length. A character dropped inside the line realigns what follows it."""
    return any(
        line[start : start + len(fitted)] == fitted for start in range(len(line) - len(fitted) + 1)
    )


def alike(text: str, line: str) -> int:
    """How many characters of ``text`` are ``line``'s at the same place."""
    return sum(a == b for a, b in zip(text, line, strict=False))


def names_index(kind: str) -> int:
    """Which line of a format holds the names: a TD1's third, every other format's first."""
    return 2 if kind == "TD1" else 0


def names_start(kind: str) -> int:
    """Where the names begin on their line: a TD1's first character, after the document code
    and issuing country (5 characters) on every other format's."""
    return 0 if kind == "TD1" else 5


def names_fields(kind: str, line: str) -> dict[str, str]:
    """The names a reading of ``kind`` (a ``Parsed``'s type) takes from its names ``line``: the
    surname and given names, and a PN's in Cyrillic too."""
    pn = kind == "PN"
    surname, given, _ = _names(line[names_start(kind) :], pn=pn)
    fields = {"surname": surname, "given_names": given}
    if pn:
        fields |= {"surname_cyrillic": cyrillic(surname), "given_names_cyrillic": cyrillic(given)}
    return fields


def _is_name_line(kind: str, index: int) -> bool:
    return index == names_index(kind)


def _pad_or_cut(line: str, length: int) -> str:
    return line[:length] if len(line) > length else line.ljust(length, "<")


class _Checker:
    def __init__(self, *, strict: bool = False) -> None:
        self.passed = 0
        self.total = 0
        self.strict = strict
        self.repairs: list[tuple[int, int, str]] = []

    def track(self, raw: str, value: str, at: tuple[int, list[int]] | None) -> None:
        """Record the characters ``value`` changed in ``raw`` (positions ``at``: line, columns)."""
        if at is None:
            return
        line, columns = at
        for index, (before, after) in enumerate(zip(raw, value, strict=False)):
            if before != after and index < len(columns):
                self.repairs.append((line, columns[index], after))

    def digit_field(
        self,
        raw: str,
        digit: str,
        *,
        filler_is_zero: bool = False,
        at: tuple[int, list[int]] | None = None,
    ) -> tuple[str, str, bool]:
        """A digits-only field and its check digit, repaired by the digit map. The characters the
        map changed are recorded (``at``: line, the columns of the field then of its digit): a Z
        read for a 7 becomes a 2, and two such changes can pass both check digits."""
        value = raw.translate(TO_DIGIT)
        mapped = digit.translate(TO_DIGIT)
        ok = checks.passes(value, mapped, filler_is_zero=filler_is_zero)
        self.track(raw + digit, value + mapped, at)
        return value, mapped, self._count(ok)

    def digit(self, char: str, at: tuple[int, int]) -> str:
        """A lone check digit (the composite's), by the digit map; a change is recorded."""
        mapped = char.translate(TO_DIGIT)
        self.track(char, mapped, (at[0], [at[1]]))
        return mapped

    def alnum_field(
        self,
        raw: str,
        digit: str,
        *,
        filler_is_zero: bool = False,
        at: tuple[int, list[int]] | None = None,
        left_aligned: bool = False,
    ) -> tuple[str, str, bool]:
        """An alphanumeric field: as read if it passes, else the one variant that passes, else
        invalid. The characters a repair changed are recorded (``at``: line, the columns of the
        field then of its digit). With ``left_aligned`` (a document number: ICAO 9303 pads it
        at the end), a field read starting with a filler is invalid: glare faded X36310ML's X3
        into two fillers, and -33 x 7 and -3 x 3 passed the check digit and the composite."""
        if at is not None:
            self.track(digit, digit.translate(TO_DIGIT), (at[0], at[1][len(raw) :]))
        digit = digit.translate(TO_DIGIT)
        if left_aligned and raw.startswith("<"):
            return raw, digit, self._count(False)
        if checks.passes(raw, digit, filler_is_zero=filler_is_zero):
            return raw, digit, self._count(True)
        if self.strict:
            return raw, digit, self._count(False)
        positions = [i for i, char in enumerate(raw) if char in _ALTERNATIVES]
        # The fewest changes that pass, and only if they are the only ones: one confusion before two.
        for size in (1, 2):
            passing = {
                variant
                for chosen in combinations(positions, size)
                for variant in _substitutions(raw, chosen)
                if checks.passes(variant, digit, filler_is_zero=filler_is_zero)
            }
            if len(passing) == 1:
                value = passing.pop()
                self.track(raw, value, at)
                return value, digit, self._count(True)
            if passing:
                break
        return raw, digit, self._count(False)

    def plain(self, ok: bool) -> bool:
        return self._count(ok)

    def _count(self, ok: bool) -> bool:
        self.total += 1
        self.passed += ok
        return ok


def _substitutions(raw: str, positions: tuple[int, ...]) -> list[str]:
    results = [raw]
    for position in positions:
        results = [
            text[:position] + alternative + text[position + 1 :]
            for text in results
            for alternative in _ALTERNATIVES[raw[position]]
        ]
    return results


def _names(
    text: str, *, pn: bool, check: "_Checker | None" = None, at: tuple[int, int] = (0, 0)
) -> tuple[str, str, bool]:
    """Surname and given names from a name field; ok when only letters remain (PN: table digits).
    The digits read as letters are recorded with ``check`` (``at``: line, first column)."""
    raw = text
    text = text.translate(TO_LETTER_PN if pn else TO_NAME_LETTER)
    if check is not None:
        check.track(raw, text, (at[0], list(range(at[1], at[1] + len(raw)))))
    # Name components are joined by "<" and "<<": a run of three starts the filler, and anything
    # read after it is noise (a reading that is not sure).
    text, _, tail = text.partition("<<<")
    text = text.rstrip("<")
    surname, _, given = text.partition("<<")
    surname = " ".join(surname.replace("<", " ").split())
    given = " ".join(given.replace("<", " ").split())
    allowed = set(CYRILLIC) if pn else set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ok = (
        bool(surname)
        and all(char in allowed for char in (surname + given).replace(" ", ""))
        and not tail.strip("<")
    )
    return surname, given, ok


LETTER_CONFUSIONS = {
    "M": "NH", "N": "MH", "H": "MN", "O": "QDU", "Q": "O", "D": "O", "U": "OV", "V": "UY",
    "Y": "V", "I": "LJ", "L": "I", "J": "I", "E": "F", "F": "EP", "P": "F", "C": "G", "G": "C",
    "K": "X", "X": "K", "B": "R", "R": "B",
}  # fmt: skip


def _country(
    text: str,
    check: "_Checker | None" = None,
    at: tuple[int, int] = (0, 0),
    *,
    other: str | None = None,
) -> tuple[str, bool]:
    """A country code as read if it is one; else the only code one letter away, if just one.
    The characters changed are recorded with ``check`` (``at``: line, first column): a code
    repaired into another country is an invention too unless the OCR weighed it. A code read
    with a digit is taken without the OCR's support only when that is its one spelling as a
    code and ``other`` (the document's other code, as read) spells it too: a passport's
    nationality is its issuing state's (a specimen's UTO read UT0 in one place), and a code
    read FRA in one place and 8RA in the other is not BRA because the 8 can only be a B."""
    raw = text
    text = text.translate(TO_LETTER)
    columns = list(range(at[1], at[1] + len(raw)))
    if checks.is_country(text):
        # A code read with letters only is its own one spelling, whatever the other reads.
        spelt_by_other = other is None or other.translate(TO_LETTER) == text
        if check is not None and (
            _countries_of(raw) != {text} or (raw != text and not spelt_by_other)
        ):
            check.track(raw, text, (at[0], columns))
        return text, True
    found = {
        text[:i] + other + text[i + 1 :]
        for i, char in enumerate(text)
        for other in LETTER_CONFUSIONS.get(char, "")
    }
    found = {code for code in found if checks.is_country(code)}
    if len(found) == 1:
        code = found.pop()
        if check is not None:
            check.track(raw, code, (at[0], columns))
        return code, True
    return text, False


def _one_code_of_letters(country: str, nationality: str) -> bool:
    """Whether the issuing country and the nationality were read as one code of letters (three,
    or two and a filler): where ``_country`` finds no listed code for it, nor one a lookalike
    away, a specimen's made-up state (CMW) or an old code (Slovenia's SI< before SVN) printed so
    in both places, as the same misread in both, on two lines, is unlikely. A code read with a
    digit in it is not taken as read."""
    return country == nationality and re.fullmatch(r"[A-Z]{2}[A-Z<]", country) is not None


def _countries_of(code: str) -> set[str]:
    """The country codes ``code``, read with digits, may be: each digit as any letter it may be
    (DIGIT_LETTERS). One code only, and the digits' letters were the format's, not a guess: a
    specimen's UTO read UT0 (the OCR weighing no O) was no other country's code."""
    spellings = [""]
    for char in code:
        spellings = [
            start + letter for start in spellings for letter in DIGIT_LETTERS.get(char, char)
        ]
    return {spelling for spelling in spellings if checks.is_country(spelling)}


def _code(text: str) -> str:
    return text.translate(TO_LETTER).replace("<", "")


def _document_code(text: str) -> str:
    """The first character is a letter; the second may be a digit (the US green card's ``C1``)."""
    return (text[0].translate(TO_LETTER) + text[1:]).replace("<", "")


def _parse_fitted(kind: str, lines: list[str], today: date, *, strict: bool = False) -> Parsed:
    if kind == "TD1":
        return _parse_td1(lines, today, _Checker(strict=strict))
    return _parse_two_line(kind, lines, today, _Checker(strict=strict))


def _common(
    parsed: Parsed,
    check: _Checker,
    *,
    code: str,
    country: str,
    number: str,
    nationality: str,
    dob: tuple[str, bool],
    sex: str,
    expiry: tuple[str, bool],
    names: str,
    names_at: tuple[int, int],
    country_at: tuple[int, int],
    nationality_at: tuple[int, int],
    today: date,
    first_letters: str = "IAC",
    pn: bool = False,
    issue: str | None = None,
) -> checks.DocumentDates:
    """The fields every format has; returns the dates, whose centuries are chosen together."""
    fields, valid = parsed.fields, parsed.field_valid
    fields["document_code"] = _document_code(code)
    valid["document_code"] = check.plain(
        code[0].translate(TO_LETTER) in first_letters and (code[1:] == "<" or code[1:].isalnum())
    )
    as_printed = _one_code_of_letters(country, nationality)
    read_country = country
    country, country_ok = _country(country, check, country_at, other=nationality)
    # Some ID cards (Macao's) leave the nationality empty.
    nationality, nationality_ok = (
        ("<<<", True)
        if nationality == "<<<"
        else _country(nationality, check, nationality_at, other=read_country)
    )
    if as_printed and not country_ok:  # no listed code nor one a lookalike away: as printed
        country_ok = nationality_ok = True
    if pn:
        # Only Russia's citizens hold it: the nationality is RUS however it was read, and one
        # read as another (degraded 7/17: TUB, repaired to Turkey's TUR) fails its check all
        # the same: the print there was misread.
        nationality_ok = nationality_ok and nationality == "RUS"
        nationality = "RUS"
    fields["country"] = _code(country)
    valid["country"] = check.plain(country_ok)
    fields["number"] = number.replace("<", "")
    fields["nationality"] = _code(nationality)
    valid["nationality"] = check.plain(nationality_ok)
    dates = checks.document_dates(
        dob[0], expiry=None if pn else expiry[0], issue=issue, today=today
    )
    fields["date_of_birth"] = dates.birth
    valid["date_of_birth"] = check.plain(dob[1] and fields["date_of_birth"] is not None)
    fields["sex"] = _SEX_REPAIR.get(sex, "X")
    valid["sex"] = check.plain(sex in checks.SEXES)
    if not pn:
        fields["expiry_date"] = dates.expiry
        valid["expiry_date"] = check.plain(
            expiry[1] and dates.expiry is not None and checks.expiry_possible(dates.expiry)
        )
    surname, given, names_ok = _names(names, pn=pn, check=check, at=names_at)
    fields["surname"], fields["given_names"] = surname, given
    # Names carry no check digit: the customer always confirms them.
    valid["surname"] = valid["given_names"] = False
    check.plain(names_ok)
    return dates


def _finish(parsed: Parsed, check: _Checker) -> Parsed:
    alphabet_ok = all(char in checks.ALPHABET for line in parsed.lines for char in line)
    check.plain(alphabet_ok)
    parsed.checks_passed, parsed.checks_total = check.passed, check.total
    parsed.repairs = check.repairs
    # A repaired number or name waits for the OCR's support (``confirm_repairs``), its field
    # marked not valid meanwhile.
    parsed.valid = check.passed == check.total and not check.repairs
    for name in _repaired_fields(parsed):
        if name in parsed.field_valid:
            parsed.field_valid[name] = False
    for name in _fields_with_rivals(parsed):
        parsed.valid = False
        parsed.ambiguous = True  # never made valid by the OCR's support for the repairs
        parsed.field_valid[name] = False
    return parsed


def _fields_with_rivals(parsed: Parsed) -> list[str]:
    """The number and personal number that, spelt otherwise where this reading's repairs show
    what the print makes of a character (``confusions_made``: a date's B repaired to an 8, the
    print makes B of 8), pass their check digit as well: one character worth the same to a
    check digit (a 6 read G: 16 and 6; glare 136/15: 6L7JS7Y6E read 6L7JS7YGE, its check
    digit's G mapped back to 6), or several whose changes' weighted sum is a multiple of ten
    (motion blur: 48089FTM read 4B0B9FTM, the B's at weights 3 and 7, its dates' B's repaired
    to 8's). Each was valid and wrong; the composite cannot tell, as it weighs both fields'
    characters as their own check digits do."""
    made = confusions_made(parsed)
    if not made:
        return []
    line, start = parsed.number_place
    places = {"number": (line, start, 9)}
    if "personal_number" in parsed.field_valid:
        places["personal_number"] = (1, 28, 14)
    return [
        name
        for name, (line, start, length) in places.items()
        if len(parsed.lines) > line and _respelt_passes(parsed, line, start, length, made)
    ]


def _respelt_passes(
    parsed: Parsed, line: int, start: int, length: int, made: set[tuple[str, str]]
) -> bool:
    """Whether the field of ``length`` characters at ``start`` of line ``line``, some of its
    characters as read respelt as ``made`` shows the print makes them (not where a repair put
    one), passes its check digit as well as it does. A PN's number is all digits."""
    text = parsed.repaired_line(line)[start : start + length]
    repaired = parsed.repaired_from(line, start)
    # The changes' weighted sums (mod 10) that some respelling of at least one character makes:
    # a sum of 0 is another spelling that passes.
    sums: set[int] = set()
    for at, char in enumerate(text):
        value = checks.char_value(char)
        if at in repaired or value is None:
            continue
        changes = {
            checks.weight(at) * (meant_value - value) % 10
            for read, meant in made
            if read == char
            and (meant_value := checks.char_value(meant)) is not None
            and (meant.isdigit() or parsed.type != "PN")
        }
        sums |= {(before + change) % 10 for before in sums | {0} for change in changes}
    return 0 in sums


def confusions_made(parsed: Parsed) -> set[tuple[str, str]]:
    """(read, meant) for each character this reading's repairs changed: what the print makes
    of what (a date's B repaired to an 8: B of 8)."""
    return {
        (parsed.lines[line][column], to)
        for line, column, to in parsed.repairs
        if column < len(parsed.lines[line]) and parsed.lines[line][column] != to
    }


def twins_made(parsed: Parsed) -> set[str]:
    """The characters this reading's repairs changed into another worth the same to a check
    digit (a check digit's G mapped to 6): what the print makes of such a twin."""
    return {read for read, meant in confusions_made(parsed) if _twins(read, meant)}


def number_holds(parsed: Parsed, chars: set[str]) -> bool:
    """Whether the document number holds one of ``chars`` as read (not where a repair put it)."""
    line, start = parsed.number_place
    if not chars or len(parsed.lines) <= line:
        return False
    number = parsed.lines[line][start : start + 9]
    repaired = parsed.number_repaired()
    return any(char in chars and at not in repaired for at, char in enumerate(number))


def _twins(first: str, second: str) -> bool:
    """Whether two characters differ but are worth the same to a check digit (6 and G)."""
    one, other = checks.char_value(first), checks.char_value(second)
    return first != second and one is not None and other is not None and one % 10 == other % 10


def _parse_two_line(kind: str, lines: list[str], today: date, check: _Checker) -> Parsed:
    line1, line2 = lines
    code = line1[0:2].translate(TO_LETTER)
    visa = code.startswith("V")
    pn = kind == "TD3" and _is_pn(code, line1[2:5].translate(TO_LETTER), line2)
    if pn and line1[:5] != "PNRUS":
        # Only Russia issues it: a code or country misread is the PN's own.
        line1 = "PNRUS" + line1[5:]
    doc_type = {"TD3": "MRVA", "TD2": "MRVB"}[kind] if visa else kind
    parsed = Parsed(type="PN" if pn else doc_type, lines=[line1, line2])
    number_at = (1, list(range(10)))
    if pn:
        number, number_cd, number_ok = check.digit_field(line2[0:9], line2[9], at=number_at)
    else:
        number, number_cd, number_ok = check.alnum_field(
            line2[0:9], line2[9], at=number_at, left_aligned=True
        )
    dob, dob_cd, dob_ok = check.digit_field(line2[13:19], line2[19], at=(1, list(range(13, 20))))
    parsed.field_valid["number"] = number_ok
    if pn:
        expiry, expiry_cd, expiry_ok = line2[21:27], line2[27], True
    else:
        expiry, expiry_cd, expiry_ok = check.digit_field(
            line2[21:27], line2[27], at=(1, list(range(21, 28)))
        )
    dates = _common(
        parsed,
        check,
        code=line1[0:2],
        country=line1[2:5],
        country_at=(0, 2),
        number=number,
        nationality=line2[10:13],
        nationality_at=(1, 10),
        dob=(dob, dob_ok),
        sex=line2[20],
        expiry=(expiry, expiry_ok),
        names=line1[5:],
        names_at=(0, 5),
        today=today,
        first_letters="PV" if kind == "TD3" else "IACPV",
        pn=pn,
        # The internal passport's issue date (positions 30-35) bounds the birth date.
        issue=line2[29:35].translate(TO_DIGIT) if pn else None,
    )
    fields, valid = parsed.fields, parsed.field_valid
    if pn:
        _parse_pn(parsed, check, line2, number, number_cd, dob, dob_cd, dates.issue)
        return _finish(parsed, check)
    if kind == "TD3" and not visa:
        personal, personal_cd, personal_ok = check.alnum_field(
            line2[28:42], line2[42], filler_is_zero=True, at=(1, list(range(28, 43)))
        )
        fields["personal_number"] = personal.replace("<", " ").strip()
        valid["personal_number"] = personal_ok
        composite = number + number_cd + dob + dob_cd + expiry + expiry_cd + personal + personal_cd
        valid["composite"] = check.plain(checks.passes(composite, check.digit(line2[43], (1, 43))))
    elif kind == "TD2" and not visa:
        optional = line2[28:35]
        fields["optional_data"] = optional.replace("<", " ").strip()
        composite = number + number_cd + dob + dob_cd + expiry + expiry_cd + optional
        valid["composite"] = check.plain(checks.passes(composite, check.digit(line2[35], (1, 35))))
    else:
        fields["optional_data"] = line2[28:].replace("<", " ").strip()
    parsed.lines = [line1, line2]
    return _finish(parsed, check)


# What OCR-B's P is read as where its bowl's gap blurred shut (F) or its stem faded (E).
FADED_P = "FE"


def _is_pn(code: str, country: str, line2: str) -> bool:
    """Whether a TD3 is the Russian internal passport: its code PN and country RUS, or, when
    either was misread (a blurred 8 px ``N`` reads ``H``, ``M`` or ``W``, a faded ``P`` reads
    ``F`` or ``E``, glare takes the R of RUS for ``H`` or ``K``), its layout: the expiry left
    blank, which no passport can (ICAO 9303 requires one), the optional data all digits (series,
    issue date, department code), a code of two letters, and the country or the nationality
    RUS or a letter from it."""
    if code == "PN" and country == "RUS":
        return True
    nationality = line2[10:13].translate(TO_LETTER)
    return (
        code[0] in "P" + FADED_P
        and code[1] != "<"
        and line2[21:27] == "<" * 6
        and line2[28:41].translate(TO_DIGIT).isdigit()
        and min(_letters_off(country, "RUS"), _letters_off(nationality, "RUS")) <= 1
    )


def _letters_off(text: str, expected: str) -> int:
    return sum(read != wanted for read, wanted in zip(text, expected, strict=True))


def _parse_pn(
    parsed: Parsed,
    check: _Checker,
    line2: str,
    number: str,
    number_cd: str,
    dob: str,
    dob_cd: str,
    issue_date: date | None,
) -> None:
    fields, valid = parsed.fields, parsed.field_valid
    fields["expiry_date"] = None
    valid["expiry_date"] = check.plain(line2[21:27] == "<" * 6 and line2[27] in "<0")
    optional, optional_cd, optional_ok = check.digit_field(
        line2[28:42], line2[42], at=(1, list(range(28, 43)))
    )
    series = number[0:3] + optional[0]
    fields["series"] = series
    fields["number"] = series + number[3:9]
    # A letter in the number (P read for 5 weighs the same modulo 10) fails the document.
    digits_ok = check.plain(series.isdigit() and number.isdigit())
    valid["number"] = valid["number"] and optional_ok and digits_ok
    fields["issue_date"] = issue_date  # optional[1:7], its century chosen with the birth's
    valid["issue_date"] = check.plain(optional_ok and fields["issue_date"] is not None)
    department = optional[7:13]
    fields["department_code"] = f"{department[:3]}-{department[3:]}"
    valid["department_code"] = check.plain(optional_ok and department.isdigit())
    composite = number + number_cd + dob + dob_cd + line2[21:28] + optional + optional_cd
    valid["composite"] = check.plain(checks.passes(composite, check.digit(line2[43], (1, 43))))
    fields["surname_cyrillic"] = cyrillic(str(fields["surname"]))
    fields["given_names_cyrillic"] = cyrillic(str(fields["given_names"]))


def cyrillic(text: str) -> str:
    """A PN's names from its MRZ letters and digits."""
    return "".join(CYRILLIC.get(char, char) for char in text)


def _parse_td1(lines: list[str], today: date, check: _Checker) -> Parsed:
    line1, line2, line3 = lines
    parsed = Parsed(type="TD1", lines=list(lines))
    number_raw, number_digit = line1[5:14], line1[14]
    optional1 = line1[15:30]
    if number_digit == "<" and optional1.strip("<"):
        # A long document number continues in the optional data; its check digit ends it.
        extra = optional1.split("<", 1)[0]
        number_raw, number_digit = number_raw + extra[:-1], extra[-1:] or "<"
    # A long number skips the filler at 14; its digit follows it.
    columns = [*range(5, 14), *range(15, 30)][: len(number_raw)]
    columns.append(14 if len(number_raw) == 9 else 15 + len(number_raw) - 9)
    number, _number_cd, number_ok = check.alnum_field(
        number_raw, number_digit, at=(0, columns), left_aligned=True
    )
    parsed.field_valid["number"] = number_ok
    dob, dob_cd, dob_ok = check.digit_field(line2[0:6], line2[6], at=(1, list(range(0, 7))))
    expiry, expiry_cd, expiry_ok = check.digit_field(
        line2[8:14], line2[14], at=(1, list(range(8, 15)))
    )
    _common(
        parsed,
        check,
        code=line1[0:2],
        country=line1[2:5],
        country_at=(0, 2),
        number=number,
        nationality=line2[15:18],
        nationality_at=(1, 15),
        dob=(dob, dob_ok),
        sex=line2[7],
        expiry=(expiry, expiry_cd and expiry_ok),
        names=line3,
        names_at=(2, 0),
        today=today,
    )
    parsed.fields["optional_data"] = (optional1 + " " + line2[18:29]).replace("<", " ").strip()
    parsed.fields["optional_data"] = " ".join(str(parsed.fields["optional_data"]).split())
    if number != number_raw and len(number_raw) == 9:
        line1 = line1[:5] + number + line1[14:]
    composite = line1[5:30] + dob + dob_cd + expiry + expiry_cd + line2[18:29]
    parsed.field_valid["composite"] = check.plain(
        checks.passes(composite, check.digit(line2[29], (1, 29)))
    )
    return _finish(parsed, check)
