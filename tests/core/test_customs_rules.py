"""The customs field rules: INN, internal passport formats, every date rule, the shop's rules."""

from datetime import date

import pytest
from django.utils import translation

from tests.conftest import ERIKSSON_FIELDS
from uploads.core import customs_rules as validation
from uploads.core.customs_rules import FOREIGN, RU_FOREIGN, RU_INTERNAL, Rules, validate_fields

TODAY = date(2026, 11, 26)
INTERNAL = {
    "surname_cyrillic": "ИВАНОВ",
    "given_names_cyrillic": "ИВАН ИВАНОВИЧ",
    "date_of_birth": "1980-05-17",
    "sex": "M",
    "series": "4508",
    "number": "123456",
    "issue_date": "2025-06-01",
    "department_code": "770-001",
    "issuing_authority": "ГУ МВД России по г. Москве",
    "inn": "500100732259",
}
PASSPORT = {**ERIKSSON_FIELDS, "issue_date": "2024-04-15"}


DEFAULT_RULES = Rules()


def errors(fields, situation=RU_INTERNAL, rules=DEFAULT_RULES, **options):
    return validate_fields(fields, situation=situation, rules=rules, today=TODAY, **options).errors


def messages(fields, name, **options):
    with translation.override("en"):
        return [str(message) for message in errors(fields, **options).get(name, [])]


def test_it_accepts_a_complete_internal_passport():
    assert errors(INTERNAL) == {}


def test_it_accepts_a_personal_inn_with_both_check_digits_right():
    assert validation.inn_error("500100732259") is None
    assert validation.inn_error("5001 0073 2259") is None


def test_it_refuses_an_inn_with_a_wrong_check_digit():
    with translation.override("en"):
        assert "check digits" in str(validation.inn_error("500100732258"))
        assert "check digits" in str(validation.inn_error("500100732249"))  # the 11th digit


def test_it_refuses_a_company_inn_with_its_own_message():
    with translation.override("en"):
        message = str(validation.inn_error("7707083893"))
    assert "company" in message
    assert "12 digits" in message


@pytest.mark.parametrize("value", ["50010073225", "5001007322590", "50010073225X"])
def test_it_refuses_an_inn_of_the_wrong_length_or_with_letters(value):
    assert validation.inn_error(value) is not None


def test_it_answers_in_the_customers_language():
    with translation.override("ru"):
        message = str(validation.inn_error("7707083893"))
    assert "ИНН" in message


def test_it_requires_the_inn_from_russian_citizens_only_when_the_shop_does():
    without = {**INTERNAL, "inn": ""}
    assert "inn" in errors(without, rules=Rules(require_inn=True))
    assert "inn" not in errors(without, rules=Rules(require_inn=False))
    assert "inn" not in errors({**PASSPORT}, situation=FOREIGN, rules=Rules(require_inn=True))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("series", "450"),
        ("series", "45AB"),
        ("number", "12345"),
        ("number", "1234567"),
        ("department_code", "770001"),
        ("department_code", "77-0001"),
    ],
)
def test_it_checks_the_internal_passport_formats(field, value):
    assert field in errors({**INTERNAL, field: value})


def test_it_refuses_a_date_that_does_not_exist():
    assert messages({**INTERNAL, "issue_date": "2025-02-30"}, "issue_date") == [
        "Enter a real date, for example 25.04.1990."
    ]


def test_it_refuses_an_issue_date_in_the_future():
    assert messages({**INTERNAL, "issue_date": "2026-11-27"}, "issue_date") == [
        "The date of issue cannot be in the future."
    ]


def test_it_refuses_an_issue_date_before_the_14th_birthday():
    fields = {**INTERNAL, "date_of_birth": "2010-05-17", "issue_date": "2024-05-16"}
    assert "14th birthday" in messages(fields, "issue_date")[0]
    assert "issue_date" not in errors({**fields, "issue_date": "2024-05-17"})  # the birthday


def test_it_allows_a_childs_foreign_passport_but_not_one_issued_before_birth():
    child = {**PASSPORT, "date_of_birth": "2020-01-01", "issue_date": "2021-01-01"}
    assert "issue_date" not in errors(child, situation=FOREIGN)
    unborn = {**child, "issue_date": "2019-12-31"}
    assert "issue_date" in errors(unborn, situation=FOREIGN)


def test_it_refuses_an_internal_passport_that_should_have_been_replaced_at_45():
    fields = {**INTERNAL, "date_of_birth": "1970-01-10", "issue_date": "2010-01-10"}
    assert "20 or 45" in messages(fields, "issue_date")[0]
    # Issued after the 45th birthday, it is valid for life.
    assert errors({**fields, "issue_date": "2015-02-01"}) == {}


def test_it_requires_an_adult_only_when_the_shop_does():
    fields = {**INTERNAL, "date_of_birth": "2010-01-01", "issue_date": "2024-06-01"}
    assert "date_of_birth" not in errors(fields)
    assert "adult" in messages(fields, "date_of_birth", rules=Rules(require_adult=True))[0]
    grown_up = {**fields, "date_of_birth": "2008-11-26", "issue_date": "2023-01-01"}
    assert "date_of_birth" not in errors(grown_up, rules=Rules(require_adult=True))


def test_it_refuses_an_expired_foreign_passport():
    fields = {**PASSPORT, "issue_date": "2014-04-15", "expiry_date": "2026-11-25"}
    assert "expired" in messages(fields, "expiry_date", situation=FOREIGN)[0]
    assert "expiry_date" not in errors({**fields, "expiry_date": "2026-11-26"}, situation=FOREIGN)


def test_it_warns_when_the_passport_expires_before_the_delivery_deadline():
    fields = {**PASSPORT, "expiry_date": "2026-12-01"}
    outcome = validate_fields(
        fields, situation=FOREIGN, rules=Rules(), today=TODAY, deadline=date(2026, 12, 10)
    )
    assert outcome.ok
    assert list(outcome.warnings) == ["expiry_date"]
    later = validate_fields(
        fields, situation=FOREIGN, rules=Rules(), today=TODAY, deadline=date(2026, 11, 30)
    )
    assert later.warnings == {}


def test_it_refuses_an_expiry_before_the_issue_date():
    fields = {**PASSPORT, "issue_date": "2030-01-01", "expiry_date": "2029-01-01"}
    assert "expiry_date" in errors(fields, situation=FOREIGN) or "issue_date" in errors(
        fields, situation=FOREIGN
    )


def test_it_refuses_a_birth_date_in_the_future():
    assert "date_of_birth" in errors({**INTERNAL, "date_of_birth": "2027-01-01"})


def test_it_sends_russian_citizens_to_the_russian_options():
    assert "nationality" in errors({**PASSPORT, "nationality": "RUS"}, situation=FOREIGN)


def test_it_refuses_a_situation_the_shop_does_not_accept():
    rules = Rules(situations=(RU_INTERNAL,))
    assert "situation" in errors(PASSPORT, situation=FOREIGN, rules=rules)


def test_it_names_each_missing_field_with_what_to_enter():
    missing = errors({}, situation=RU_FOREIGN, rules=Rules(require_issuing_authority=True))
    assert set(missing) >= {
        "surname",
        "number",
        "expiry_date",
        "issuing_authority",
        "date_of_birth",
    }
    with translation.override("en"):
        assert "issuing authority" in str(missing["issuing_authority"][0])


def test_it_knows_until_when_a_document_can_be_used():
    assert validation.document_valid_until(PASSPORT, situation=FOREIGN) == date(2034, 4, 15)
    fields = {**INTERNAL, "date_of_birth": "1990-03-01", "issue_date": "2010-03-05"}
    assert validation.document_valid_until(fields, situation=RU_INTERNAL) == date(2035, 5, 30)
