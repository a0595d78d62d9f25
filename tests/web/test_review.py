import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image, ImageFilter

from tests.conftest import ERIKSSON_FIELDS, consent_shown_to
from uploads.documents import selectors as document_selectors
from uploads.documents import specimens
from uploads.models import CustomsSettings, PassportDocument, UploadRequest

VALID = ERIKSSON_FIELDS


@pytest.fixture
def reviewing(customer, passport_jpeg):
    """A customer who has uploaded the specimen and is on the review step."""
    response = customer.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(customer),
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


def test_it_shows_the_customer_a_small_copy_of_their_photo_cached_privately(
    reviewing, upload_request
):
    # The stored photo is large; the review page only needs to be recognisable on a phone.
    big = specimens.render_jpeg(specimens.ERIKSSON, width=2560, quality=95)
    reviewing.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(reviewing),
            "file": SimpleUploadedFile("p.jpg", big),
        },
    )
    document = document_selectors.document_pending(upload_request=upload_request)
    assert max(document.width, document.height) == 2560  # what is stored is the full photo
    page = reviewing.get("/upload/review/").content.decode()
    address = f"/upload/review/image/{document.pk}/"
    assert f'src="{address}"' in page
    response = reviewing.get(address)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "max-age=3600" in cache_control
    assert "no-store" not in cache_control and "public" not in cache_control
    assert len(response.content) <= 150 * 1024
    with Image.open(io.BytesIO(response.content)) as preview:
        assert max(preview.size) == 1000
    # Another document's address (an older upload, a guess) shows nothing.
    assert reviewing.get(f"/upload/review/image/{document.pk + 1}/").status_code == 404
    # The pages themselves are still never cached.
    assert "no-store" in reviewing.get("/upload/review/")["Cache-Control"]


def test_it_never_writes_the_small_copy_to_storage(reviewing, upload_request, tmp_path):
    document = document_selectors.document_pending(upload_request=upload_request)
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    assert reviewing.get(f"/upload/review/image/{document.pk}/").status_code == 200
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


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
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", out.getvalue()),
        },
    )
    assert PassportDocument.objects.get().mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    with translation.override("ru"):
        hint = gettext(
            "We could not read the lines at the bottom of the passport page. Please type the "
            "details yourself, or take a sharper photo: the whole page, flat, in good light, "
            "without glare."
        )
        another = gettext("Upload another photo")
    # Nothing read says which document it is: the customer is asked, nothing is guessed; the
    # "upload another photo" button is right after the hint, before the picture and the choice.
    choosing = customer.get("/upload/review/").content.decode()
    assert escape(hint) in choosing
    assert (
        choosing.index(escape(hint)) < choosing.index(another) < choosing.index('class="preview"')
    )
    assert 'name="surname"' not in choosing
    for situation in ("ru_internal", "ru_foreign", "foreign"):
        assert f'href="?situation={situation}"' in choosing
    page = customer.get("/upload/review/?situation=foreign").content.decode()
    assert 'name="surname"' in page
    assert 'value="ERIKSSON"' not in page
    # No sex chosen for the customer: the select starts on an empty choice.
    sex = re.search(r'<select name="sex"[^>]*>(.*?)</select>', page, re.S)
    assert sex is not None
    assert " selected" not in sex.group(1).replace('value="" selected', "")
    assert '<option value="" selected>' in sex.group(1)


def test_it_marks_the_required_fields_and_says_where_to_find_the_inn(reviewing, shop):
    CustomsSettings.objects.create(shop=shop, require_inn=True)
    page = reviewing.get("/upload/review/?situation=ru_internal").content.decode()
    with translation.override("ru"):
        assert escape(gettext("Fields marked * are required.")) in page
    # The INN is required for the internal passport: marked, and a link to the tax service's lookup.
    inn = re.search(
        r'<div class="field[^"]*">\s*<label for="id_inn">(.*?)</div>\s*</div>', page, re.S
    )
    assert inn is not None
    assert 'class="required-mark"' in inn.group(0)
    assert 'href="https://service.nalog.ru/inn.do"' in page
    assert 'aria-required="true"' in re.search(r'<input[^>]*name="inn"[^>]*>', page).group(0)
    # An optional field is not marked.
    issued = re.search(r'<label for="id_issuing_authority">(.*?)</label>', page, re.S)
    assert issued is not None and "required-mark" not in issued.group(1)


def test_it_lets_the_customer_replace_the_photo_until_accepted(
    reviewing, upload_request, passport_jpeg
):
    reviewing.post("/upload/review/", VALID)
    page = reviewing.get("/upload/?replace")
    assert b'type="file"' in page.content
    reviewing.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(reviewing),
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
            "consent_document_id": consent_shown_to(customer),
            "file": SimpleUploadedFile("p.jpg", out.getvalue()),
        },
    )
    assert PassportDocument.objects.get().mrz_status == PassportDocument.MrzStatus.NOT_FOUND
    page = customer.get("/upload/review/?situation=foreign").content.decode()
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


def _upload(client, jpeg: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/upload/",
        {
            "consent": "on",
            "consent_document_id": consent_shown_to(client),
            "file": SimpleUploadedFile("p.jpg", jpeg),
        },
    )


def test_it_refuses_to_confirm_a_photo_replaced_in_another_tab(reviewing, upload_request):
    """Tab 1 shows photo A; tab 2 (the same session) uploads photo B; tab 1's confirmation must not
    store A's fields with B's photo: refused with a message, nothing changes."""
    tab_one = reviewing.get("/upload/review/").content.decode()
    shown_id = re.search(r'name="document_id" value="(\d+)"', tab_one).group(1)
    other = specimens.render_jpeg(specimens.ERIKSSON, width=1400)
    assert _upload(reviewing, other).status_code == 302  # "tab 2"
    newer = document_selectors.document_pending(upload_request=upload_request)
    assert str(newer.pk) != shown_id
    read_from_newer = document_selectors.document_fields(document=newer)

    response = reviewing.post(
        "/upload/review/", {**VALID, "surname": "TYPED FOR A", "document_id": shown_id}
    )

    assert response.status_code == 409
    page = response.content.decode()
    with translation.override("ru"):
        message = gettext(
            "A newer photo was uploaded, perhaps in another window, so these details were not "
            "sent. Please check the details of the newer photo below."
        )
    assert escape(message) in page[: page.index("<h1>")]  # in the summary at the top
    assert f'name="document_id" value="{newer.pk}"' in page  # the newer photo is shown now
    assert f"/upload/review/image/{newer.pk}/" in page
    upload_request.refresh_from_db()
    assert upload_request.status == UploadRequest.Status.WAITING
    newer.refresh_from_db()
    assert newer.confirmed_at is None
    assert document_selectors.document_fields(document=newer) == read_from_newer
    # Confirming what is shown now works.
    confirmed = reviewing.post("/upload/review/", {**VALID, "document_id": newer.pk})
    assert confirmed.status_code == 302


def test_it_lists_the_review_errors_at_the_top(reviewing):
    response = reviewing.post("/upload/review/", {**VALID, "number": ""})
    assert response.status_code == 400
    page = response.content.decode()
    main = page[page.index("<main>") :]
    assert main.index('id="error-summary"') < main.index("<h1>")
    assert 'href="#id_number"' in main[: main.index("<h1>")]


def test_it_puts_the_names_box_next_to_the_names(reviewing):
    response = reviewing.post("/upload/review/", {**VALID, "surname": "ERIKSSON SMITH"})
    assert response.status_code == 400
    page = response.content.decode()
    box = page.index('name="names_confirmed"')
    # Right after the last name field, before the next field.
    assert page.index('name="given_names"') < box < page.index('name="number"')


def test_it_highlights_only_the_fields_read_and_not_vouched_for(reviewing):
    page = reviewing.get("/upload/review/").content.decode()
    # The names were read (names never count as checked): highlighted. The empty Cyrillic names
    # of a foreign passport were not read: not highlighted.
    assert re.search(r'<div class="field check">\s*<label for="id_surname">', page)
    assert re.search(r'<div class="field">\s*<label for="id_surname_cyrillic">', page)
