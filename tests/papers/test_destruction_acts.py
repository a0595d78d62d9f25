"""Destruction acts (order 179): every element, every destruction of the period, no customer name."""

import importlib
import io
from datetime import datetime, timedelta

import pypdfium2
import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from openpyxl import load_workbook

from tests.conftest import MOSCOW, OPERATOR_DETAILS, consent_document_id, login
from tests.typed import photo_policy_set, type_and_confirm, typed_start
from uploads.core.errors import ServiceError
from uploads.documents import services as document_services
from uploads.models import AuditEvent, DestructionRecord, PhotoPolicy
from uploads.papers import acts
from uploads.papers import services as papers
from uploads.requests import services as request_services
from uploads.retention.services import erasure

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def clock_start() -> datetime:
    return datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)


@pytest.fixture
def destroyed(shop, uploaded_request, alice, clock):
    """Two destructions in March: an image by retention (automatic), a whole order on request."""
    document = uploaded_request.documents.get()
    erasure.document_image_erase(document=document, reason=DestructionRecord.Reason.IMAGE_RETENTION)
    clock.move_to(datetime(2026, 3, 20, 9, 30, tzinfo=MOSCOW))
    second = request_services.order_create(
        shop_id=shop.pk, number="B-7", customer_name="Boris Ivanov", email="boris@example.com"
    ).upload_request
    erasure.request_erase(
        upload_request=second, reason=DestructionRecord.Reason.CUSTOMER_REQUEST, actor=alice
    )
    return uploaded_request, second


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_it_lists_every_destruction_of_the_period_and_shop(shop, other_shop, destroyed, clock):
    elsewhere = request_services.order_create(
        shop_id=other_shop.pk, number="X-1", customer_name="X", email="x@example.com"
    ).upload_request
    erasure.request_erase(upload_request=elsewhere, reason=DestructionRecord.Reason.RETENTION)
    clock.move_to(datetime(2026, 4, 1, 0, 30, tzinfo=MOSCOW))  # after the period
    late = request_services.order_create(
        shop_id=shop.pk, number="C-9", customer_name="C", email="c@example.com"
    ).upload_request
    erasure.request_erase(upload_request=late, reason=DestructionRecord.Reason.RETENTION)

    act = acts.destruction_act_build(
        shop=shop, start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date()
    )

    march = DestructionRecord.objects.filter(shop=shop, at__month=3)
    assert len(act.rows) == march.count() == 2
    assert [row.subject for row in act.rows] == [
        "покупатель по заказу № A-100",
        "покупатель по заказу № B-7",
    ]
    assert act.rows[0].destroyed_by == acts.AUTOMATIC
    assert act.rows[1].destroyed_by == "alice"
    assert act.rows[1].reason == "требование субъекта персональных данных"
    # B-7's customer never sent a passport: the order's own data is all that was destroyed.
    assert (act.rows[1].data, act.rows[1].method) == (
        acts.NO_DOCUMENT_DATA,
        acts.NO_DOCUMENT_METHOD,
    )
    # The log extract: the audit events of the same destructions.
    assert [row.action for row in act.log] == [
        "уничтожение по сроку хранения",
        "уничтожение по требованию",
    ]


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_it_carries_every_element_order_179_asks_for(shop, destroyed, file_format, settings):
    settings.PAPERS_PROCESSOR = "Portal Hosting LLC, Moscow"
    act = acts.destruction_act_build(
        shop=shop, start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date()
    )
    render = acts.destruction_act_pdf if file_format == "pdf" else acts.destruction_act_xlsx
    text = (pdf_text if file_format == "pdf" else xlsx_text)(render(act))
    flat = " ".join(text.split())

    required = [
        "Акт об уничтожении персональных данных",
        *OPERATOR_DETAILS.values(),  # the operator: name, address, numbers, responsible person
        "Portal Hosting LLC, Moscow",  # the processor
        acts.SYSTEM_NAME,  # the information system
        "покупатель по заказу № A-100",  # the data subject, by order number
        "покупатель по заказу № B-7",
        "изображение (фотография) страницы паспорта",  # which data
        "удаление зашифрованного файла изображения из хранилища",  # how
        "истёк срок хранения изображения",  # why
        "alice",  # who
        "10.03.2026",  # when
        "20.03.2026",
        "Выгрузка из журнала регистрации событий",  # the log extract
    ]
    for element in required:
        assert " ".join(element.split()) in flat, element


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_it_never_names_the_customer(shop, destroyed, file_format):
    act = acts.destruction_act_build(
        shop=shop, start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date()
    )
    render = acts.destruction_act_pdf if file_format == "pdf" else acts.destruction_act_xlsx
    text = (pdf_text if file_format == "pdf" else xlsx_text)(render(act))
    for personal in ("Anna", "Eriksson", "ERIKSSON", "Boris", "Ivanov", "@example.com"):
        assert personal not in text


def test_it_says_so_for_a_period_without_destructions(shop):
    act = acts.destruction_act_build(
        shop=shop, start=datetime(2025, 1, 1).date(), end=datetime(2025, 1, 31).date()
    )
    assert act.rows == []
    assert "Записей за период нет." in " ".join(pdf_text(acts.destruction_act_pdf(act)).split())


def test_it_refuses_a_period_longer_than_a_year_or_backwards(shop, alice):
    start = datetime(2026, 1, 1).date()
    with pytest.raises(ServiceError):
        papers.destruction_act_download(
            shop=shop, start=start, end=start + timedelta(days=400), file_format="pdf", actor=alice
        )
    with pytest.raises(ServiceError):
        papers.destruction_act_download(
            shop=shop, start=start, end=start - timedelta(days=1), file_format="pdf", actor=alice
        )


# --- the admin page -------------------------------------------------------------------------


@pytest.fixture
def compliance_officer(alice) -> User:
    alice.user_permissions.add(Permission.objects.get(codename="download_destruction_act"))
    return User.objects.get(pk=alice.pk)  # a fresh object: permissions are cached per instance


def test_it_downloads_an_act_and_audits_who_took_it(client, shop, destroyed, compliance_officer):
    login(client, compliance_officer)
    response = client.post(
        f"/admin/uploads/shop/{shop.pk}/destruction-act/",
        {"start": "2026-03-01", "end": "2026-03-31", "file_format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert "покупатель по заказу № B-7" in xlsx_text(response.content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DESTRUCTION_ACT)
    assert event.actor == compliance_officer
    assert event.detail == f"shop {shop.pk}: 2026-03-01..2026-03-31 xlsx, 2 rows"


def test_it_needs_its_own_permission(client, shop, alice):
    login(client, alice)
    assert client.get(f"/admin/uploads/shop/{shop.pk}/destruction-act/").status_code == 403
    assert "Make an act" not in client.get("/admin/uploads/shop/").content.decode()


def test_it_hides_other_shops(client, other_shop, compliance_officer):
    login(client, compliance_officer)
    assert client.get(f"/admin/uploads/shop/{other_shop.pk}/destruction-act/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DESTRUCTION_ACT).exists()


def test_it_shows_the_form_with_errors_not_a_file(client, shop, compliance_officer):
    login(client, compliance_officer)
    page = client.post(
        f"/admin/uploads/shop/{shop.pk}/destruction-act/",
        {"start": "2026-03-31", "end": "2026-03-01", "file_format": "pdf"},
    )
    assert page.status_code == 200
    assert "The period ends before it starts." in page.content.decode()


# --- an order erased before any passport was sent ----------------------------------------------


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
@pytest.mark.parametrize(
    "reason",
    [DestructionRecord.Reason.CUSTOMER_REQUEST, DestructionRecord.Reason.CONSENT_WITHDRAWN],
)
def test_it_names_an_order_erased_without_a_passport_and_no_photo(
    shop, upload_request, alice, file_format, reason
):
    erasure.request_erase(upload_request=upload_request, reason=reason, actor=alice)
    record = DestructionRecord.objects.get(upload_request_ref=upload_request.pk)
    assert record.document_refs == []

    act = _march_act(shop)
    [row] = act.rows
    assert row.subject == "покупатель по заказу № A-100"
    assert (row.data, row.method) == (acts.NO_DOCUMENT_DATA, acts.NO_DOCUMENT_METHOD)
    render = acts.destruction_act_pdf if file_format == "pdf" else acts.destruction_act_xlsx
    flat = " ".join((pdf_text if file_format == "pdf" else xlsx_text)(render(act)).split())
    assert "покупатель по заказу № A-100" in flat
    assert "имя, адрес электронной почты и телефон покупателя" in flat
    assert "покупателем не передавался" in flat
    for photo in ("изображени", "фотограф", "файл", "Anna"):
        assert photo not in flat


# --- a passport typed by the customer (no image ever stored) ------------------------------------


def _march_act(shop):  # type: ignore[no-untyped-def]
    return acts.destruction_act_build(
        shop=shop, start=datetime(2026, 3, 1).date(), end=datetime(2026, 3, 31).date()
    )


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_it_says_a_typed_passport_had_no_image(shop, upload_request, alice, file_format):
    document = type_and_confirm(upload_request)
    erasure.request_erase(
        upload_request=upload_request, reason=DestructionRecord.Reason.CUSTOMER_REQUEST, actor=alice
    )
    record = DestructionRecord.objects.get(upload_request_ref=upload_request.pk)
    assert record.document_refs == record.typed_refs == [document.pk]

    act = _march_act(shop)
    [row] = act.rows
    assert row.data == acts.TYPED_DATA_DESTROYED[DestructionRecord.Scope.REQUEST]
    assert row.method == acts.TYPED_METHOD[DestructionRecord.Scope.REQUEST]
    render = acts.destruction_act_pdf if file_format == "pdf" else acts.destruction_act_xlsx
    flat = " ".join((pdf_text if file_format == "pdf" else xlsx_text)(render(act)).split())
    assert "введённые покупателем вручную (без изображения)" in flat
    assert "покупатель по заказу № A-100" in flat
    for image in ("изображение", "файл"):
        assert image not in flat.lower()


def test_a_replaced_typed_passport_is_no_image_either(shop, upload_request, passport_jpeg):
    photo_policy_set(shop, PhotoPolicy.OPTIONAL)
    typed = typed_start(upload_request)
    # The customer changes their mind and sends a photo: the typed start is replaced (deleted).
    photo = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request),
    )
    # And back again: now a photo is replaced.
    typed_start(upload_request)
    first, second = DestructionRecord.objects.filter(
        reason=DestructionRecord.Reason.REPLACED
    ).order_by("pk")
    assert (first.document_refs, first.typed_refs) == ([typed.pk], [typed.pk])
    assert (second.document_refs, second.typed_refs) == ([photo.pk], [])

    rows = _march_act(shop).rows
    assert [row.data for row in rows] == [
        acts.TYPED_DATA_DESTROYED[DestructionRecord.Scope.DOCUMENT],
        acts.DATA_DESTROYED[DestructionRecord.Scope.DOCUMENT],
    ]
    assert [row.method for row in rows] == [
        acts.TYPED_METHOD[DestructionRecord.Scope.DOCUMENT],
        acts.METHOD[DestructionRecord.Scope.DOCUMENT],
    ]


def test_a_typed_passport_and_a_photo_destroyed_together_are_both_named(
    shop, upload_request, passport_jpeg
):
    typed = type_and_confirm(upload_request)
    # A new photo, not confirmed yet, next to the typed passport the seller has.
    photo = document_services.document_submit(
        upload_request=upload_request,
        data=passport_jpeg,
        consent_document_id=consent_document_id(upload_request),
    )
    erasure.request_erase(upload_request=upload_request, reason=DestructionRecord.Reason.RETENTION)
    record = DestructionRecord.objects.get(scope=DestructionRecord.Scope.REQUEST)
    assert sorted(record.document_refs) == sorted([typed.pk, photo.pk])
    assert record.typed_refs == [typed.pk]

    [row] = _march_act(shop).rows
    assert row.data == acts.MIXED_DATA_DESTROYED[DestructionRecord.Scope.REQUEST]
    assert row.data.startswith("изображение страницы паспорта;")
    assert "считанные с изображения и введённые покупателем вручную" in row.data
    assert row.method == acts.METHOD[DestructionRecord.Scope.REQUEST]


def test_an_abandoned_typed_passport_is_no_image(shop, upload_request, clock):
    photo_policy_set(shop, PhotoPolicy.NOT_COLLECTED)
    typed = typed_start(upload_request)
    clock.move_to(datetime(2026, 3, 12, 12, 0, tzinfo=MOSCOW))
    erasure.retention_purge_due()
    record = DestructionRecord.objects.get(reason=DestructionRecord.Reason.ABANDONED)
    assert record.typed_refs == [typed.pk]
    [row] = _march_act(shop).rows
    assert row.data == acts.TYPED_PASSPORT_DATA


def test_the_migration_finds_the_typed_documents_of_earlier_records(shop, upload_request):
    typed = type_and_confirm(upload_request)
    # A record made before records kept which documents were typed.
    earlier = DestructionRecord.objects.create(
        reason=DestructionRecord.Reason.RETENTION,
        scope=DestructionRecord.Scope.REQUEST,
        shop=shop,
        upload_request_ref=upload_request.pk,
        order_number="A-100",
        document_refs=[typed.pk, typed.pk + 1000],
    )
    migration = importlib.import_module("uploads.migrations.0024_destruction_typed_refs")
    state = MigrationLoader(connection).project_state(("uploads", "0024_destruction_typed_refs"))
    migration.typed_refs_fill(state.apps, None)
    earlier.refresh_from_db()
    assert earlier.typed_refs == [typed.pk]
    # A document whose row is gone (a replaced one) cannot be told typed: said as a photo.
    assert _march_act(shop).rows[0].data == acts.MIXED_DATA_DESTROYED[earlier.scope]
