"""The review step by buyer situation: the internal passport pre-filled from its MRZ, the shop's
accepted situations and required fields, and names that differ from the MRZ."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.conftest import ERIKSSON_FIELDS, consent_shown_to
from uploads.documents import selectors as document_selectors
from uploads.models import CustomsRecord, CustomsSettings, UploadRequest
from uploads.mrz import compose, render

INTERNAL_LINES = compose.pn(
    surname="СОЛОВЬЁВ", given_names="ЮРИЙ ЭДУАРДОВИЧ", series="4510", number="123456",
    date_of_birth="650523", sex="M", issue_date="150714", department_code="770-093",
)  # fmt: skip
INTERNAL_TYPED = {
    "situation": "ru_internal",
    "surname_cyrillic": "Соловьёв",
    "given_names_cyrillic": "Юрий Эдуардович",
    "date_of_birth": "1965-05-23",
    "sex": "M",
    "series": "4510",
    "number": "123456",
    "issue_date": "2015-07-14",
    "department_code": "770-093",
    "issuing_authority": "ОУФМС России по г. Москве",
    "inn": "500100732259",
}


def _jpeg(lines: list[str]) -> bytes:
    out = io.BytesIO()
    render.render_page(lines, "TD3", width=1800).save(out, format="JPEG", quality=90)
    return out.getvalue()


def _upload(customer, jpeg: bytes) -> None:
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", jpeg),
        },
    )
    assert response.status_code == 302


@pytest.fixture
def internal(customer):
    _upload(customer, _jpeg(INTERNAL_LINES))
    return customer


def _value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return match.group(1) if match else None


def test_it_prefills_the_internal_passport_from_its_mrz(internal):
    page = internal.get("/upload/review/").content.decode()
    assert _value(page, "situation") == "ru_internal"
    assert _value(page, "series") == "4510"
    assert _value(page, "number") == "123456"
    assert _value(page, "issue_date") == "2015-07-14"
    assert _value(page, "department_code") == "770-093"
    assert _value(page, "surname_cyrillic") == "СОЛОВЬЁВ"
    assert _value(page, "given_names_cyrillic") == "ЮРИЙ ЭДУАРДОВИЧ"
    assert _value(page, "date_of_birth") == "1965-05-23"
    # Exactly the internal passport's fields: no expiry, no nationality, no Latin names.
    for absent in ("expiry_date", "nationality", "surname", "given_names"):
        assert f'name="{absent}"' not in page
    assert 'name="inn"' in page
    assert 'name="issuing_authority"' in page


def test_it_stores_the_internal_passport_and_its_matching_names(internal, upload_request):
    response = internal.post("/upload/review/", INTERNAL_TYPED)
    assert response.status_code == 302
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.UPLOADED
    stored = document_selectors.document_fields(
        document=document_selectors.document_current(upload_request=upload_request)
    )
    assert stored["series"] == "4510"
    assert stored["number"] == "123456"
    assert stored["inn"] == "500100732259"
    assert stored["nationality"] == "RUS"
    assert stored["surname"] == "SOLOVEV"  # ICAO 9303, for carriers that print Latin names
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.situation == "ru_internal"
    assert record.name_check == CustomsRecord.NameCheck.MATCH
    assert record.ready


def test_it_keeps_the_input_and_says_what_to_fix_next_to_the_field(internal, upload_request):
    response = internal.post(
        "/upload/review/", {**INTERNAL_TYPED, "inn": "7707083893"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["inn"]
    with translation.override("en"):
        assert "company" in str(form.errors["inn"][0]) or "ИНН" in form.errors["inn"][0]
    page = response.content.decode()
    assert _value(page, "issuing_authority") == "ОУФМС России по г. Москве"
    assert _value(page, "series") == "4510"


def test_it_shows_a_name_that_differs_from_the_mrz_and_flags_it(internal, upload_request):
    typed = {**INTERNAL_TYPED, "surname_cyrillic": "Соловьёва"}
    response = internal.post("/upload/review/", typed)
    assert response.status_code == 400
    assert "surname_cyrillic" in response.context["form"].errors
    assert 'name="names_confirmed"' in response.content.decode()
    assert upload_request.documents.get().confirmed_at is None

    response = internal.post("/upload/review/", {**typed, "names_confirmed": "on"})
    assert response.status_code == 302
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.name_check == CustomsRecord.NameCheck.MISMATCH
    assert not record.ready
    assert "names" in record.problems


def test_it_lets_the_customer_pick_another_situation(internal, upload_request):
    page = internal.get("/upload/review/?situation=ru_foreign").content.decode()
    assert _value(page, "situation") == "ru_foreign"
    assert 'name="expiry_date"' in page
    assert 'name="series"' not in page
    assert "?situation=ru_internal" in page


def test_it_offers_only_the_situations_the_shop_accepts(internal, shop):
    CustomsSettings.objects.create(shop=shop, accept_ru_internal=False, accept_ru_foreign=False)
    page = internal.get("/upload/review/?situation=ru_internal").content.decode()
    assert _value(page, "situation") == "foreign"
    assert 'href="?situation=' not in page
    response = internal.post("/upload/review/", INTERNAL_TYPED)
    assert response.status_code == 400  # a tampered situation is refused, nothing stored


def test_it_requires_what_the_shop_requires(internal, shop):
    CustomsSettings.objects.create(shop=shop, require_issuing_authority=True)
    response = internal.post("/upload/review/", {**INTERNAL_TYPED, "issuing_authority": ""})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["issuing_authority"]


def test_it_warns_about_a_passport_running_out_before_the_deadline(customer, upload_request):
    from datetime import timedelta

    from django.utils import timezone

    from uploads.documents import specimens

    soon = timezone.localdate() + timedelta(days=10)
    upload_request.order.deadline = soon + timedelta(days=20)
    upload_request.order.save()
    specimen = specimens.Specimen(
        "ERIKSSON", "ANNA MARIA", "L898902C3", "UTO", "740812", "F", soon.strftime("%y%m%d")
    )
    _upload(customer, specimens.render_jpeg(specimen))
    page = customer.get("/upload/review/")
    assert 'class="alert warning"' in page.content.decode()
    response = customer.post(
        "/upload/review/",
        {**ERIKSSON_FIELDS, "expiry_date": soon.isoformat()},
    )
    # A warning, not an error: the customer may still send it.
    assert response.status_code == 302


def test_it_shows_the_fields_in_the_order_of_the_page(internal):
    page = internal.get("/upload/review/").content.decode()
    names = re.findall(r'<(?:input|select)[^>]*name="(\w+)"', page)
    skip = ("csrfmiddlewaretoken", "situation", "document_id", "language", "next")
    shown = [name for name in names if name not in skip]
    assert shown[:5] == [
        "surname_cyrillic",
        "given_names_cyrillic",
        "date_of_birth",
        "sex",
        "series",
    ]
    assert re.search(r'<input[^>]*name="inn"[^>]*inputmode="numeric"', page)
