"""Synthetic phone photos of fictional documents, seeded: every format, orientation and condition
the issue lists (tilt, perspective, clutter, uneven light, blur, noise, JPEG, 1-50 MP, scans, PDFs)."""

import io
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from uploads.mrz import compose, render

SURNAMES = [
    "ERIKSSON",
    "MUSTERMANN",
    "DUPONT",
    "GARCIA LOPEZ",
    "OBRIEN",
    "NGUYEN",
    "SMITH",
    "ROSSI",
    "VAN DER BERG",
    "KOWALSKA",
    "O NEILL",
    "MAGNUSDOTTIR",
    "SILVA",
    "YILMAZ",
    "TANAKA",
    "LEE",
]
GIVEN = [
    "ANNA MARIA",
    "JOHN",
    "MARIE CLAIRE",
    "JOSE LUIS",
    "LIAM",
    "THI HA",
    "JANE",
    "MARCO",
    "PIETER",
    "ZOFIA",
    "SEAN PATRICK",
    "GUDRUN",
    "JOAO",
    "AYSE",
    "HIROSHI",
    "MIN JUN",
]
RU_SURNAMES = [
    "ИВАНОВ",
    "СОЛОВЬЁВ",
    "КУЗНЕЦОВА",
    "ЩЕРБАКОВ",
    "ЖУКОВА",
    "ЯКОВЛЕВ",
    "ЧЕРНЫШЁВ",
    "ЭЙХЕ",
]
RU_GIVEN = [
    "ЮРИЙ ЭДУАРДОВИЧ",
    "ДАРЬЯ ПЕТРОВНА",
    "ПЁТР ИЛЬИЧ",
    "ОЛЬГА СЕРГЕЕВНА",
    "ФЁДОР ЮРЬЕВИЧ",
    "ЕКАТЕРИНА ВАСИЛЬЕВНА",
    "ЦЕЗАРЬ ХАРИТОНОВИЧ",
    "ЯНА ЩЕДРИНА",
]
COUNTRIES = ["UTO", "D", "NLD", "FRA", "GBR", "USA", "XXA", "RUS", "KAZ", "KGZ", "ARM", "ESP", "ITA",
             "POL", "TUR", "JPN", "BRA", "CAN", "AUS", "UNO", "XXB", "SWE", "CHE", "GBD"]  # fmt: skip
KINDS = ["TD3"] * 7 + ["TD1"] * 4 + ["TD2"] * 2 + ["MRVA"] * 2 + ["MRVB"] + ["PN"] * 4
TODAY = date(2026, 11, 26)
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass
class Case:
    name: str
    kind: str
    data: bytes  # what our reader gets (JPEG, PNG or PDF)
    image_data: bytes  # the same picture as an image file, for PassportEye (it reads no PDF)
    truth: dict = field(default_factory=dict)
    conditions: dict = field(default_factory=dict)


def _yymmdd(day: date) -> str:
    return day.strftime("%y%m%d")


def _random_document(
    rng: random.Random, kind: str
) -> tuple[list[str], dict, list[tuple[str, str]]]:
    birth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 66))
    expiry = TODAY + timedelta(days=rng.randrange(-900, 3650))
    sex = rng.choice("MMFF<")
    alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    if kind == "PN":
        surname, given = rng.choice(RU_SURNAMES), rng.choice(RU_GIVEN)
        series = f"{rng.randrange(1, 99):02d}{rng.randrange(0, 26):02d}"
        number = f"{rng.randrange(0, 10**6):06d}"
        issue = max(date(2011, 7, 1), birth + timedelta(days=365 * 14)) + timedelta(
            days=rng.randrange(0, 2000)
        )
        issue = min(issue, TODAY - timedelta(days=1))
        department = f"{rng.randrange(0, 1000):03d}-{rng.randrange(0, 1000):03d}"
        sex = rng.choice("MF")
        lines = compose.pn(
            surname=surname, given_names=given, series=series, number=number,
            date_of_birth=_yymmdd(birth), sex=sex, issue_date=_yymmdd(issue),
            department_code=department, expiry_filler=rng.choice("<0"),
        )  # fmt: skip
        latin = lambda text: "".join(compose.LATIN_FOR_CYRILLIC.get(c, c) for c in text)  # noqa: E731
        truth = {
            "type": "PN", "document_code": "PN", "country": "RUS", "nationality": "RUS",
            "number": series + number, "series": series, "date_of_birth": birth.isoformat(),
            "sex": sex, "expiry_date": None, "issue_date": issue.isoformat(),
            "department_code": department, "surname": latin(surname), "given_names": latin(given),
            "surname_cyrillic": surname, "given_names_cyrillic": given,
        }  # fmt: skip
        labels = [
            ("Фамилия", surname),
            ("Имя Отчество", given),
            ("Дата рождения", birth.isoformat()),
        ]
        return lines, truth, labels
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    country, nationality = rng.choice(COUNTRIES), rng.choice(COUNTRIES)
    number = "".join(rng.choice(alnum) for _ in range(rng.choice((8, 9, 9, 9))))
    code = {"TD3": "P<", "TD1": rng.choice(["I<", "ID", "AC"]), "TD2": rng.choice(["I<", "ID"]),
            "MRVA": "V<", "MRVB": "VC"}[kind]  # fmt: skip
    common = dict(
        surname=surname, given_names=given, number=number, country=country, nationality=nationality,
        date_of_birth=_yymmdd(birth), sex=sex, expiry_date=_yymmdd(expiry), document_code=code,
    )  # fmt: skip
    if kind == "TD3":
        personal = "".join(rng.choice(alnum) for _ in range(rng.choice((0, 0, 9, 14))))
        lines = compose.td3(**common, personal_number=personal)
    elif kind == "TD1":
        lines = compose.td1(
            **common, optional1="".join(rng.choice(alnum) for _ in range(rng.choice((0, 8))))
        )
    elif kind == "TD2":
        lines = compose.td2(**common)
    elif kind == "MRVA":
        lines = compose.mrva(**common, optional="".join(rng.choice(alnum) for _ in range(6)))
    else:
        lines = compose.mrvb(**common)
    truth = {
        "type": kind, "document_code": code.replace("<", ""), "country": country,
        "nationality": nationality, "number": number, "date_of_birth": birth.isoformat(),
        "sex": {"<": "X"}.get(sex, sex), "expiry_date": expiry.isoformat(),
        "surname": surname, "given_names": given,
    }  # fmt: skip
    labels = [("Surname", surname), ("Given names", given), ("Nationality", nationality),
              ("Date of birth", birth.strftime("%d %b %Y").upper()), ("Document No.", number)]  # fmt: skip
    return lines, truth, labels


def _perspective_coefficients(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping output ``target`` points to ``source``."""
    matrix, vector = [], []
    for (x, y), (u, v) in zip(target, source, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        vector.extend([u, v])
    return list(np.linalg.solve(np.array(matrix, float), np.array(vector, float)))


def _background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    small = (max(1, size[0] // 4), max(1, size[1] // 4))
    base = tuple(rng.randrange(40, 200) for _ in range(3))
    image = Image.new("RGB", small, base)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DEJAVU, max(8, small[1] // 30))
    for _ in range(rng.randrange(4, 14)):  # clutter: things on the table, printed paper
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        w, h = rng.randrange(10, small[0] // 2), rng.randrange(10, small[1] // 2)
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
        else:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
    for _ in range(rng.randrange(0, 6)):
        x, y = rng.randrange(small[0]), rng.randrange(small[1])
        draw.text(
            (x, y),
            "LOREM IPSUM 12345 <<",
            font=font,
            fill=tuple(rng.randrange(0, 90) for _ in range(3)),
        )
    return image.filter(ImageFilter.GaussianBlur(1)).resize(size, Image.Resampling.BILINEAR)


def photograph(
    page: Image.Image, rng: random.Random, size: tuple[int, int], conditions: dict
) -> Image.Image:
    """The page photographed: turned, tilted, in perspective, on a cluttered table, lit unevenly."""
    width, height = size
    if conditions["scan"]:
        background = Image.new("RGB", size, (250, 250, 248))
    else:
        background = _background(rng, size)
    angle = conditions["orientation"] + conditions["tilt"]
    # Document size: a fraction of the photo, so that its turned bounding box fits.
    theta = math.radians(angle)
    fit_w = abs(page.width * math.cos(theta)) + abs(page.height * math.sin(theta))
    fit_h = abs(page.width * math.sin(theta)) + abs(page.height * math.cos(theta))
    scale = conditions["fill"] * min(width / fit_w, height / fit_h)
    page = page.resize(
        (max(1, round(page.width * scale)), max(1, round(page.height * scale))),
        Image.Resampling.LANCZOS,
    )
    mask = Image.new("L", page.size, 255)
    if conditions["perspective"] > 0:
        p = conditions["perspective"]
        w, h = page.size
        target = [(rng.uniform(0, p) * w, rng.uniform(0, p) * h), (w - rng.uniform(0, p) * w, rng.uniform(0, p) * h),
                  (w - rng.uniform(0, p) * w, h - rng.uniform(0, p) * h), (rng.uniform(0, p) * w, h - rng.uniform(0, p) * h)]  # fmt: skip
        coefficients = _perspective_coefficients([(0, 0), (w, 0), (w, h), (0, h)], target)
        page = page.transform(
            page.size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
        )
        mask = mask.transform(
            mask.size, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
        )
    page = page.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True)
    x = rng.randrange(0, max(1, width - page.width + 1))
    y = rng.randrange(0, max(1, height - page.height + 1))
    background.paste(page, (x, y), mask)
    array = np.asarray(background, dtype=np.float32)
    if conditions["light"] > 0:  # a gradient across the picture
        small_h, small_w = max(2, height // 8), max(2, width // 8)
        yy, xx = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
        direction = rng.uniform(0, 2 * math.pi)
        ramp = xx * math.cos(direction) / small_w + yy * math.sin(direction) / small_h
        ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
        light = Image.fromarray((1.0 - conditions["light"] * ramp).astype(np.float32), mode="F")
        array *= np.asarray(light.resize((width, height), Image.Resampling.BILINEAR))[..., None]
    if conditions["noise"] > 0:
        generator = np.random.default_rng(rng.randrange(2**32))
        noise = generator.standard_normal((height, width), dtype=np.float32) * conditions["noise"]
        array += noise[..., None]
    image = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    if conditions["blur"] > 0:
        image = image.filter(ImageFilter.GaussianBlur(conditions["blur"] * width / 3000))
    return image


HAZARDS = (
    "shadow", "glare", "dim", "turned180", "mirrored", "degraded", "guilloche", "small", "blurred",
    "bent", "finger", "slanted", "shaken",
)  # fmt: skip
SMALL_SIDES = (380, 800)  # px: the longest side of a photo shrunk (``small``), its print 4-8 px
# A shaken or unfocused phone (``blurred``), in px of a 3000 px wide photo (its print 20-50 px tall):
# the length of a shake's streak, or the radius of a defocus (Gaussian) blur.
SHAKE_LENGTHS = (6.0, 14.0)
DEFOCUS_RADII = (2.0, 3.5)
# A phone shaken harder (``shaken``): streaks of this length, at any angle (a hand's tremor over
# a 1/15 s exposure), over whatever blur the photo already has: a quarter of the print's height
# to all of it (print 20-50 px tall); the MRZs looked at stayed readable to the eye.
HARD_SHAKE_LENGTHS = (12.0, 20.0)
# A page held open bows (``bent``): how far its middle lies off the line through its two sides,
# a share of its height (0.05 of a TD3's: a character height and a half over the MRZ's length).
BOWS = (0.02, 0.05)
# A photo taken at a slant to the page (``slanted``): its perspective's strength, past the
# 0.03-0.09 of the other photos (the characters lean near the page's sides).
SLANTED_PERSPECTIVES = (0.15, 0.22)


def _hard_shadow(page: Image.Image, rng: random.Random, mrz_top: float) -> Image.Image:
    """A hard-edged shadow (a hand, a phone) whose edge crosses the MRZ at a random angle."""
    width, height = page.size
    shade = rng.uniform(0.3, 0.6)
    # The edge runs from the top of the page to the bottom, crossing the MRZ's lines somewhere
    # between a fifth and four fifths of its width, or along the band, cutting part of a line.
    if rng.random() < 0.7:
        x_top, x_bottom = rng.uniform(0.1, 0.9) * width, rng.uniform(0.2, 0.8) * width
        edge = [(x_top, 0), (x_bottom, height)]
        polygon = (
            [*edge, (width, height), (width, 0)]
            if rng.random() < 0.5
            else [*edge, (0, height), (0, 0)]
        )
    else:
        y_left = mrz_top + rng.uniform(-0.2, 0.8) * (height - mrz_top)
        y_right = y_left + rng.uniform(-0.15, 0.15) * (height - mrz_top)
        polygon = [(0, y_left), (width, y_right), (width, height), (0, height)]
    mask = Image.new("L", page.size, 0)
    ImageDraw.Draw(mask).polygon(polygon, fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 3.0)))
    dark = Image.eval(page, lambda value: int(value * shade))
    return Image.composite(dark, page, mask)


def _glare(page: Image.Image, rng: random.Random, mrz_top: float) -> Image.Image:
    """A bright streak (light on a laminate) over one MRZ line, slightly slanted."""
    width, height = page.size
    band = height - mrz_top
    centre = mrz_top + rng.uniform(0.15, 0.75) * band
    half = rng.uniform(0.08, 0.22) * band
    slope = rng.uniform(-0.04, 0.04)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = np.abs(yy - (centre + slope * (xx - width / 2))) / half
    strength = rng.uniform(0.55, 0.9) * np.exp(-(distance**2))
    start = rng.uniform(0, 0.5) * width  # the streak covers part of the line only
    strength *= (xx >= start) & (xx <= start + rng.uniform(0.3, 0.7) * width)
    array = np.asarray(page, dtype=np.float32)
    array = array + (255 - array) * strength[..., None]
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _finger(page: Image.Image, rng: random.Random, mrz_top: float) -> Image.Image:
    """A thumb holding the page over part of the MRZ: an ellipse of skin, an eighth of the
    page wide, from just above the lines past the page's edge, over either end or the middle."""
    width, height = page.size
    centre = (
        rng.choice((rng.uniform(0.0, 0.15), rng.uniform(0.3, 0.7), rng.uniform(0.85, 1.0))) * width
    )
    skin = (rng.randrange(200, 236), rng.randrange(150, 185), rng.randrange(120, 150))
    top = mrz_top - rng.uniform(0.0, 0.5) * (height - mrz_top)
    finger = page.copy()
    ImageDraw.Draw(finger).ellipse(
        [centre - 0.06 * width, top, centre + 0.06 * width, height + (height - top)], fill=skin
    )
    return finger


def _guilloche(page: Image.Image, rng: random.Random, mm: float) -> Image.Image:
    """Security printing behind the MRZ as passports have it: two families of fine wavy lines
    (0.6-1.4 mm apart, 0.1-0.25 mm wide) in a colour darker than the paper's, over the whole
    page, the MRZ included (the renderer's own pattern is faint and straight)."""
    width, height = page.size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    array = np.asarray(page, dtype=np.float32)
    for _ in range(2):
        spacing = rng.uniform(0.6, 1.4) * mm
        amplitude = rng.uniform(0.5, 3.0) * mm
        period = rng.uniform(6, 20) * mm
        slant = rng.uniform(-0.6, 0.6)
        phase = (yy + slant * xx - amplitude * np.sin(2 * math.pi * xx / period)) / spacing
        distance = np.abs(phase - np.round(phase)) * spacing  # px to the nearest line
        line = np.exp(-((distance / (rng.uniform(0.05, 0.12) * mm)) ** 2))
        colour = np.array([rng.uniform(0.15, 0.45) for _ in range(3)], dtype=np.float32)
        array *= 1 - line[..., None] * colour
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _under_exposed(image: Image.Image, rng: random.Random) -> Image.Image:
    """Dim light: the picture at a fifth to a third of its brightness, with the sensor's noise."""
    array = np.asarray(image, dtype=np.float32) * rng.uniform(0.18, 0.35)
    generator = np.random.default_rng(rng.randrange(2**32))
    array += generator.standard_normal(array.shape[:2], dtype=np.float32)[..., None] * rng.uniform(
        1.5, 4.0
    )
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


def _blurred(image: Image.Image, rng: random.Random) -> Image.Image:
    """A shaken phone (the picture smeared along a straight streak at any angle: every 8 read
    B) or an unfocused one (a Gaussian blur), as strong as SHAKE_LENGTHS and DEFOCUS_RADII."""
    scale = image.width / 3000
    if rng.random() < 0.5:
        return image.filter(ImageFilter.GaussianBlur(rng.uniform(*DEFOCUS_RADII) * scale))
    return streaked(image, rng.uniform(*SHAKE_LENGTHS) * scale, rng.uniform(0, math.pi))


def streaked(image: Image.Image, length: float, angle: float) -> Image.Image:
    """``image`` smeared along a straight streak of ``length`` px at ``angle`` (radians, y
    down), as a phone shaken during the exposure smears it."""
    array = np.asarray(image, dtype=np.float32)
    steps = max(2, round(length))
    smeared = np.zeros_like(array)
    # The mean of the picture shifted to each point of the streak (the edges wrap: background).
    for step in range(steps):
        along = (step / (steps - 1) - 0.5) * length
        shift = (round(along * math.sin(angle)), round(along * math.cos(angle)))
        smeared += np.roll(array, shift, axis=(0, 1))
    return Image.fromarray(np.clip(smeared / steps, 0, 255).astype(np.uint8))


def bowed(page: Image.Image, bow: float) -> Image.Image:
    """``page`` bowed along its width, its middle ``bow`` px lower than its sides (higher when
    negative), on a parabola: each of a few dozen columns of it moved as the curve says, its
    paper's tint left behind (the ``bent`` hazard: BOWS of the page's height either way)."""
    width, height = page.size

    def lift(x: float) -> float:
        along = (x - width / 2) / (width / 2)
        return bow * (1 - along * along)

    columns = 48
    mesh = []
    for column in range(columns):
        left, right = column * width // columns, (column + 1) * width // columns
        source = (left, -lift(left), left, height - lift(left), right, height - lift(right),
                  right, -lift(right))  # fmt: skip
        mesh.append(((left, 0, right, height), source))
    return page.transform(
        page.size,
        Image.Transform.MESH,
        mesh,
        Image.Resampling.BILINEAR,
        fillcolor=page.getpixel((2, 2)),
    )


def shrunk(image: Image.Image, side: float) -> Image.Image:
    """``image`` shrunk so its longest side is ``side`` px: a passport taken across a room, a
    thumbnail, a scan kept small (the ``small`` hazard: SMALL_SIDES px, print 4 to 8 px tall)."""
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


_MIRRORED = {2: Image.Transpose.FLIP_LEFT_RIGHT, 4: Image.Transpose.FLIP_TOP_BOTTOM,
             5: Image.Transpose.TRANSPOSE, 7: Image.Transpose.TRANSVERSE}  # fmt: skip


def make_case(index: int, seed: int = 2026, hazard: str | None = None) -> Case:
    """Synthetic case ``index``; with ``hazard`` (one of HAZARDS) the same document under it:
    a hard shadow edge across the MRZ, a glare streak over one line, under-exposure, turned
    180 degrees, stored mirrored with the EXIF orientation (2, 4, 5, 7) that undoes it, or
    degraded four ways at once as #21 measured held-out photos (about 1 MP, 5-8 degrees more tilt,
    low light, JPEG quality 35), printed over security printing (guilloche), or shrunk to a few
    hundred pixels (small), shaken or out of focus (blurred), bowed (bent), held with a thumb
    over part of the MRZ (finger), taken at a slant to the page (slanted), or shaken harder
    (shaken)."""
    rng = random.Random(seed * 100003 + index)  # noqa: S311 - reproducible test data
    hazard_rng = random.Random(seed * 7919 + index * 31 + HAZARDS.index(hazard) if hazard else 0)  # noqa: S311
    kind = KINDS[index % len(KINDS)] if index < len(KINDS) else rng.choice(KINDS)
    lines, truth, labels = _random_document(rng, kind)
    tint = tuple(rng.randrange(205, 250) for _ in range(3))
    page = render.render_page(
        lines, kind, width=1800 if kind not in ("TD1",) else 1400, labels=labels, tint=tint
    )
    mrz_top = page.height - (len(lines) * (4.2 if kind != "TD1" else 3.6) + 4.5) * (
        page.width / render.PAGES[kind][0]
    )
    if hazard == "shadow":
        page = _hard_shadow(page, hazard_rng, mrz_top)
    elif hazard == "glare":
        page = _glare(page, hazard_rng, mrz_top)
    elif hazard == "guilloche":
        page = _guilloche(page, hazard_rng, page.width / render.PAGES[kind][0])
    elif hazard == "finger":
        page = _finger(page, hazard_rng, mrz_top)
    elif hazard == "bent":
        page = bowed(page, hazard_rng.choice((-1, 1)) * hazard_rng.uniform(*BOWS) * page.height)
    scan = index % 17 == 5 and hazard is None
    pdf = index % 23 == 11 and hazard is None
    size = (3000, 2250)
    if index % 11 == 3:
        size = (1280, 960)  # about 1 MP
    elif index % 97 == 50:
        size = (8160, 6120)  # 50 MP
    conditions = {
        "orientation": 180
        if hazard == "turned180"
        else 0
        if scan
        else (0, 90, 180, 270)[index % 4],
        "tilt": 0.0 if scan else rng.uniform(-20, 20),
        "perspective": 0.0 if scan else rng.choice((0.0, 0.03, 0.06, 0.09)),
        "fill": rng.uniform(0.85, 0.97) if scan else rng.uniform(0.5, 0.92),
        "light": 0.0 if scan else rng.uniform(0.0, 0.5),
        "blur": rng.choice((0.0, 0.0, 0.6, 1.0, 1.5)),
        "noise": 0.0 if scan else rng.choice((0.0, 3.0, 6.0, 10.0)),
        "quality": rng.randrange(55, 93),
        "size": size,
        "scan": scan,
        "pdf": pdf,
    }
    if hazard == "slanted":
        conditions["perspective"] = hazard_rng.uniform(*SLANTED_PERSPECTIVES)
    if hazard == "degraded":
        size = (1155, 866)
        conditions["size"] = size
        conditions["tilt"] += hazard_rng.choice((-1, 1)) * hazard_rng.uniform(5, 8)
        conditions["quality"] = 35
    image = photograph(page, rng, size, conditions)
    exif = Image.Exif()
    if hazard in ("dim", "degraded"):
        image = _under_exposed(image, hazard_rng)
    elif hazard == "small":
        image = shrunk(image, hazard_rng.uniform(*SMALL_SIDES))
    elif hazard == "blurred":
        image = _blurred(image, hazard_rng)
    elif hazard == "shaken":
        length = hazard_rng.uniform(*HARD_SHAKE_LENGTHS) * image.width / 3000
        image = streaked(image, length, hazard_rng.uniform(0, math.pi))
    elif hazard == "mirrored":
        orientation = hazard_rng.choice(sorted(_MIRRORED))
        image = image.transpose(_MIRRORED[orientation])  # each of these undoes itself
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=conditions["quality"], exif=exif)
    image_data = out.getvalue()
    data = image_data
    if pdf:
        pdf_out = io.BytesIO()
        Image.open(io.BytesIO(image_data)).save(pdf_out, format="PDF", resolution=300)
        data = pdf_out.getvalue()
    name = f"synth-{index:03d}-{kind.lower()}{'-scan' if scan else ''}{'-pdf' if pdf else ''}"
    name += f"-{hazard}" if hazard else ""
    return Case(name, kind, data, image_data, truth, conditions)
