import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image, ImageFilter

from tests.conftest import ERIKSSON_FIELDS
from uploads.documents import selectors as document_selectors
from uploads.models import PassportDocument, UploadRequest

VALID = ERIKSSON_FIELDS


@pytest.fixture
def reviewing(customer, passport_jpeg):
    """A customer who has uploaded the specimen and is on the review step."""
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_text_id": document_selectors.consent_text_current().pk,
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert response.status_code == 302
    return customer


def test_it_prefills_the_fields_from_the_mrz(reviewing):
    page = reviewing.get("/upload/review/").content.decode()
    assert 'value="ERIKSSON"' in page
    assert 'value="ANNA MARIA"' in page
    assert 'value="L898902C3"' in page
    assert 'value="1974-08-12"' in page
    assert 'value="2034-04-15"' in page
    assert '<option value="F" selected>' in page


def test_it_shows_the_customer_their_own_photo_uncached(reviewing):
    response = reviewing.get("/upload/review/image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\xff\xd8")


def test_it_confirms_and_marks_the_order_uploaded(reviewing, upload_request):
    # A name that differs from the MRZ goes through once the customer confirms it (issue 9).
    response = reviewing.post(
        "/upload/review/", {**VALID, "surname": "Eriksson-Smith", "names_confirmed": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/upload/done/"
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.UPLOADED
    document = document_selectors.document_current(upload_request=upload_request)
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON-SMITH"
    done = reviewing.get("/upload/done/")
    assert done.status_code == 200
    assert b"A-100" in done.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date_of_birth", "2999-01-01"),
        ("date_of_birth", "12/31/abc"),
        ("sex", "Q"),
        ("nationality", "R1"),
        ("number", "<script>"),
        ("surname", "Robert'); DROP TABLE--"),
        ("surname", ""),
    ],
)
def test_it_refuses_tampered_values(reviewing, upload_request, field, value):
    response = reviewing.post("/upload/review/", {**VALID, field: value})
    assert response.status_code == 400
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING


def test_it_refuses_a_replayed_confirmation(reviewing, upload_request):
    assert reviewing.post("/upload/review/", VALID).status_code == 302
    replay = reviewing.post("/upload/review/", {**VALID, "surname": "MALLORY"})
    assert replay.status_code == 302
    assert replay["Location"] == "/upload/"
    document = document_selectors.document_current(upload_request=upload_request)
    assert document_selectors.document_fields(document=document)["surname"] == "ERIKSSON"


def test_it_sends_the_customer_back_without_an_upload(customer):
    response = customer.get("/upload/review/")
    assert response.status_code == 302
    assert response["Location"] == "/upload/"
    assert customer.get("/upload/done/")["Location"] == "/upload/"


def test_it_asks_for_manual_entry_when_no_mrz_is_found(customer, upload_request):
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (235, 235, 235)).save(out, format="JPEG")
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_text_id": document_selectors.consent_text_current().pk,
            "file": SimpleUploadedFile("p.jpg", out.getvalue()),
        },
    )
    assert PassportDocument.objects.get().mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    page = customer.get("/upload/review/").content.decode()
    assert 'name="surname"' in page
    assert 'value="ERIKSSON"' not in page
    with translation.override("ru"):
        hint = gettext(
            "We could not read the lines at the bottom of the passport page. Please type the details yourself, "
            "or go back and take a sharper photo: the whole page, flat, in good light, without glare."
        )
    assert escape(hint) in page


def test_it_lets_the_customer_replace_the_photo_until_accepted(
    reviewing, upload_request, passport_jpeg
):
    reviewing.post("/upload/review/", VALID)
    page = reviewing.get("/upload/")
    assert b'type="file"' in page.content
    reviewing.post(
        "/upload/",
        {
            "consent": "on",
            "consent_text_id": document_selectors.consent_text_current().pk,
            "file": SimpleUploadedFile("p.jpg", passport_jpeg),
        },
    )
    assert reviewing.post("/upload/review/", VALID).status_code == 302
    assert (
        PassportDocument.objects.filter(
            upload_request=upload_request, superseded_at__isnull=True
        ).count()
        == 1
    )


def test_it_keeps_the_internal_passport_details_in_both_scripts(reviewing, upload_request):
    fields = {
        "situation": "ru_internal",
        "sex": "F",
        "date_of_birth": "1974-08-12",
        "series": "45 08",
        "number": "123456",
        "surname_cyrillic": "Эриксон",
        "given_names_cyrillic": "Анна Мария",
        "issue_date": "2020-03-01",  # after the 45th birthday: valid for life
        "department_code": "770 001",
        "inn": "500100732259",
        "names_confirmed": "on",  # the specimen's MRZ is a Latin passport's
    }
    assert reviewing.post("/upload/review/", fields).status_code == 302
    stored = document_selectors.document_fields(
        document=document_selectors.document_current(upload_request=upload_request)
    )
    assert stored["surname_cyrillic"] == "ЭРИКСОН"
    assert stored["given_names_cyrillic"] == "АННА МАРИЯ"
    assert stored["issue_date"] == "2020-03-01"
    assert stored["department_code"] == "770-001"


@pytest.mark.parametrize(
    ("field", "value"), [("department_code", "77-0011"), ("issue_date", "2999-01-01")]
)
def test_it_refuses_bad_internal_passport_details(reviewing, field, value):
    fields = {**VALID, "situation": "ru_internal", "series": "4508", "number": "123456"}
    assert reviewing.post("/upload/review/", {**fields, field: value}).status_code == 400


def test_it_tells_why_a_photo_could_not_be_read(customer, upload_request, passport_jpeg):
    # The specimen, too blurred to read: the hint says so, in the customer's language (Russian).
    blurred = Image.open(io.BytesIO(passport_jpeg)).filter(ImageFilter.GaussianBlur(12))
    out = io.BytesIO()
    blurred.save(out, format="JPEG")
    customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_text_id": document_selectors.consent_text_current().pk,
            "file": SimpleUploadedFile("p.jpg", out.getvalue()),
        },
    )
    assert PassportDocument.objects.get().mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    page = customer.get("/upload/review/").content.decode()
    assert "hint-blurred" in page
    assert "/static/uploads/guide/blurred.svg" in page
    with translation.override("ru"):
        hint = gettext(
            "The photo is blurred. Hold the phone still and tap the page on the screen to focus, "
            "then take it again."
        )
    assert escape(hint) in page
    assert 'name="surname"' in page  # typing the fields by hand is always possible


def test_it_gives_no_photo_hints_when_the_mrz_was_read(reviewing):
    assert 'class="hints"' not in reviewing.get("/upload/review/").content.decode()
