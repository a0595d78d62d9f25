"""Rules for the fields customs asks of a buyer, with messages that say what to fix.

Every rule is a function of the cleaned text values (as stored in the sealed fields, dates ISO);
the customer's form and the "ready for customs" computation call the same ``validate_fields``, so
what the customer is told and what the seller sees cannot drift apart.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.ru import inn as stdnum_inn

# The buyer's situations, in the order the customer sees them.
RU_INTERNAL = "ru_internal"
RU_FOREIGN = "ru_foreign"
FOREIGN = "foreign"
SITUATIONS = (RU_INTERNAL, RU_FOREIGN, FOREIGN)
SITUATION_LABELS = {
    RU_INTERNAL: _("Citizen of Russia with an internal passport"),
    RU_FOREIGN: _("Citizen of Russia with a foreign (international) passport"),
    FOREIGN: _("Citizen of another country"),
}

# The fields the customer's form shows for each situation, in the order it shows them.
SITUATION_FIELDS = {
    RU_INTERNAL: (
        "surname_cyrillic",
        "given_names_cyrillic",
        "date_of_birth",
        "sex",
        "series",
        "number",
        "issue_date",
        "department_code",
        "issuing_authority",
        "inn",
    ),
    RU_FOREIGN: (
        "surname",
        "given_names",
        "surname_cyrillic",
        "given_names_cyrillic",
        "number",
        "date_of_birth",
        "sex",
        "issue_date",
        "expiry_date",
        "issuing_authority",
        "inn",
    ),
    FOREIGN: (
        "surname",
        "given_names",
        "surname_cyrillic",
        "given_names_cyrillic",
        "number",
        "nationality",
        "date_of_birth",
        "sex",
        "issue_date",
        "expiry_date",
    ),
}
_ALWAYS_REQUIRED = {
    RU_INTERNAL: (
        "surname_cyrillic",
        "given_names_cyrillic",
        "date_of_birth",
        "sex",
        "series",
        "number",
        "issue_date",
        "department_code",
    ),
    RU_FOREIGN: ("surname", "given_names", "number", "date_of_birth", "sex", "expiry_date"),
    FOREIGN: ("surname", "number", "nationality", "date_of_birth", "sex", "expiry_date"),
}

_SERIES_RE = re.compile(r"^\d{4}$")
_INTERNAL_NUMBER_RE = re.compile(r"^\d{6}$")
_DEPARTMENT_RE = re.compile(r"^\d{3}-\d{3}$")
ADULT_AGE = 18
# A Russian internal passport is issued from 14 and replaced at 20 and at 45, with 90 days' grace.
INTERNAL_PASSPORT_FIRST_AGE = 14
INTERNAL_PASSPORT_REPLACEMENT_AGES = (20, 45)
INTERNAL_PASSPORT_GRACE = timedelta(days=90)


@dataclass(frozen=True)
class Rules:
    """What a shop asks on top of the fields every situation needs."""

    situations: tuple[str, ...] = SITUATIONS
    require_inn: bool = False
    require_issuing_authority: bool = False
    require_issue_date: bool = False
    require_adult: bool = False
    # Foreign citizens upload a second document (checked by readiness, not by field validation).
    require_second_document: bool = False


@dataclass
class Outcome:
    errors: dict[str, list[Promise | str]] = field(default_factory=dict)
    warnings: dict[str, list[Promise | str]] = field(default_factory=dict)

    def error(self, name: str, message: Promise | str) -> None:
        self.errors.setdefault(name, []).append(message)

    def warn(self, name: str, message: Promise | str) -> None:
        self.warnings.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors


def required_fields(situation: str, rules: Rules) -> set[str]:
    required = set(_ALWAYS_REQUIRED[situation])
    if rules.require_inn and situation in (RU_INTERNAL, RU_FOREIGN):
        required.add("inn")
    if rules.require_issuing_authority and situation in (RU_INTERNAL, RU_FOREIGN):
        required.add("issuing_authority")
    if rules.require_issue_date:
        required.add("issue_date")
    return required


_MISSING = {
    "inn": _("Enter your INN: the 12-digit taxpayer number of a person."),
    "series": _("Enter the series: the first 4 digits, for example 4508."),
    "number": _("Enter the document number as printed in the passport."),
    "issue_date": _("Enter the date of issue as printed in the passport."),
    "issuing_authority": _("Enter the issuing authority exactly as printed in the passport."),
    "department_code": _("Enter the department code, for example 770-001."),
    "expiry_date": _("Enter the date of expiry as printed in the passport."),
}


def missing_message(name: str) -> Promise:
    return _MISSING.get(name, _("Please fill in this field as printed in the passport."))


def inn_error(value: str) -> Promise | None:
    """Why ``value`` is not a person's INN, or None when it is one (both check digits right)."""
    digits = "".join(value.split())
    if not digits.isdigit():
        return _("The INN has digits only: enter the 12 digits without letters or signs.")
    if len(digits) == 10:
        return _("This is a company's INN (10 digits). Enter your personal INN: 12 digits.")
    if len(digits) != 12:
        return _("A personal INN has 12 digits: check that no digit is missing or extra.")
    try:
        stdnum_inn.validate(digits)
    except stdnum_errors.ValidationError:
        return _(
            "This INN has a typing mistake (its check digits do not match): check every digit."
        )
    return None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def internal_passport_valid_until(birth: date, issued: date) -> date | None:
    """When an internal passport issued on ``issued`` must have been replaced (None: for life)."""
    for age in INTERNAL_PASSPORT_REPLACEMENT_AGES:
        birthday = add_years(birth, age)
        if issued < birthday:
            return birthday + INTERNAL_PASSPORT_GRACE
    return None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def validate_fields(
    fields: dict[str, str],
    *,
    situation: str,
    rules: Rules,
    today: date,
    deadline: date | None = None,
) -> Outcome:
    """Check cleaned fields (dates ISO, codes upper-case) for a situation and a shop's rules."""
    outcome = Outcome()
    if situation not in rules.situations:
        outcome.error("situation", _("The shop does not accept this document: choose another."))
        return outcome
    for name in sorted(required_fields(situation, rules)):
        if not fields.get(name):
            outcome.error(name, missing_message(name))
    shown = SITUATION_FIELDS[situation]
    if fields.get("inn") and "inn" in shown:
        message = inn_error(fields["inn"])
        if message:
            outcome.error("inn", message)
    if situation == RU_INTERNAL:
        if fields.get("series") and not _SERIES_RE.match(fields["series"]):
            outcome.error("series", _("The series is 4 digits, for example 4508."))
        if fields.get("number") and not _INTERNAL_NUMBER_RE.match(fields["number"]):
            outcome.error("number", _("The passport number is 6 digits, for example 123456."))
        code = fields.get("department_code")
        if code and not _DEPARTMENT_RE.match(code):
            outcome.error(
                "department_code", _("Enter the code as six digits, for example 770-001.")
            )
    if situation == FOREIGN and fields.get("nationality") == "RUS":
        outcome.error(
            "nationality",
            _("Citizens of Russia: choose one of the Russian passport options above."),
        )
    _check_dates(
        fields, situation=situation, rules=rules, today=today, deadline=deadline, outcome=outcome
    )
    return outcome


def _check_dates(
    fields: dict[str, str],
    *,
    situation: str,
    rules: Rules,
    today: date,
    deadline: date | None,
    outcome: Outcome,
) -> None:
    birth = _date(fields.get("date_of_birth", ""))
    issued = _date(fields.get("issue_date", ""))
    expiry = _date(fields.get("expiry_date", ""))
    for name, value in (("date_of_birth", birth), ("issue_date", issued), ("expiry_date", expiry)):
        if fields.get(name) and value is None:
            outcome.error(name, _("Enter a real date, for example 25.04.1990."))
    if birth is not None and (birth > today or birth.year < today.year - 130):
        outcome.error("date_of_birth", _("Check the date of birth."))
        birth = None
    if birth is not None and rules.require_adult and age_on(birth, today) < ADULT_AGE:
        outcome.error(
            "date_of_birth",
            _("The shop can deliver this order only to an adult (18 or older)."),
        )
    if issued is not None:
        if issued > today:
            outcome.error("issue_date", _("The date of issue cannot be in the future."))
        elif (
            birth is not None
            and situation == RU_INTERNAL
            and issued < add_years(birth, INTERNAL_PASSPORT_FIRST_AGE)
        ):
            outcome.error(
                "issue_date",
                _("The date of issue must be after your 14th birthday: check both dates."),
            )
        elif birth is not None and issued < birth:
            # Children get foreign passports at any age, but not before they are born.
            outcome.error("issue_date", _("The date of issue must be after the date of birth."))
        elif birth is not None and situation == RU_INTERNAL:
            valid_until = internal_passport_valid_until(birth, issued)
            if valid_until is not None and valid_until < today:
                outcome.error(
                    "issue_date",
                    _(
                        "This passport had to be replaced after your birthday at 20 or 45: use your current passport."
                    ),
                )
    if expiry is not None and situation != RU_INTERNAL:
        if issued is not None and expiry <= issued:
            outcome.error("expiry_date", _("The date of expiry must be after the date of issue."))
        elif expiry < today:
            outcome.error(
                "expiry_date",
                _("This passport has expired: please upload a passport that is still valid."),
            )
        elif deadline is not None and expiry < deadline:
            outcome.warn(
                "expiry_date",
                _(
                    "This passport expires on %(expiry)s, before the delivery date %(deadline)s: customs may refuse it."
                )
                % {"expiry": date_format(expiry), "deadline": date_format(deadline)},
            )


def document_valid_until(fields: dict[str, str], *, situation: str) -> date | None:
    """The last day the document can be used (None when it does not run out or is unknown)."""
    if situation == RU_INTERNAL:
        birth = _date(fields.get("date_of_birth", ""))
        issued = _date(fields.get("issue_date", ""))
        if birth is None or issued is None:
            return None
        return internal_passport_valid_until(birth, issued)
    return _date(fields.get("expiry_date", ""))
