"""The seller's customs tools: the column and filter, confirming names, carrier mappings, and the
customs export (CSV and XLSX) read back with the csv module and openpyxl."""

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import consent_document_id, login
from tests.customs.test_readiness import upload
from tests.web.test_customs_review import INTERNAL_LINES, INTERNAL_TYPED, _jpeg
from uploads.customs import selectors as customs_selectors
from uploads.customs.services import decisions as customs_decisions
from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.models import AuditEvent, CarrierMapping, CustomsRecord, CustomsSettings, UploadRequest
from uploads.requests import services as request_services

CHANGELIST = "/admin/uploads/uploadrequest/"


@pytest.fixture
def ready_request(upload_request, passport_jpeg):
    upload(upload_request, passport_jpeg)
    assert upload_request.customs.ready
    return upload_request


@pytest.fixture
def internal_request(shop):
    """A second order whose buyer sent a Russian internal passport, ready for customs."""
    link = request_services.order_create(shop_id=shop.pk, number="A-200", customer_name="Юрий")
    upload_request = link.upload_request
    document = document_services.document_submit(
        upload_request=upload_request,
        data=_jpeg(INTERNAL_LINES),
        consent_document_id=consent_document_id(upload_request, "ru"),
    )
    document_services.document_read_mrz(document_id=document.pk)
    document.refresh_from_db()
    typed = {key: value for key, value in INTERNAL_TYPED.items() if key != "situation"}
    typed.update(
        surname_cyrillic="СОЛОВЬЁВ", given_names_cyrillic="ЮРИЙ ЭДУАРДОВИЧ", nationality="RUS"
    )
    customs_decisions.customs_document_confirm(
        document=document, fields=typed, situation="ru_internal"
    )
    upload_request.refresh_from_db()
    assert upload_request.customs.ready, upload_request.customs.problems
    return upload_request


@pytest.fixture
def waiting_request(shop):
    return request_services.order_create(
        shop_id=shop.pk, number="A-300", customer_name="W"
    ).upload_request


@pytest.fixture
def mapping(shop):
    return CarrierMapping.objects.create(
        shop=shop,
        name="CDEK",
        country="RU",
        columns=[
            ["full_name", "Recipient"],
            ["number", "Passport"],
            ["date_of_birth", "Born"],
            ["inn", "INN"],
            ["order_number", "Order"],
        ],
        date_format="%Y-%m-%d",
        name_order=CarrierMapping.NameOrder.GIVEN_FIRST,
        delimiter=",",
    )


def export(client, requests, mapping_key, file_format):
    return client.post(
        CHANGELIST,
        {
            "action": "export_customs",
            "apply": "1",
            "_selected_action": [each.pk for each in requests],
            "mapping": mapping_key,
            "file_format": file_format,
        },
    )


def test_it_shows_and_filters_ready_requests(client, alice, ready_request, waiting_request):
    login(client, alice)
    page = client.get(CHANGELIST).content.decode()
    assert "customs-ready" in page
    ready = client.get(CHANGELIST + "?customs_ready=yes")
    assert list(ready.context["cl"].result_list) == [ready_request]
    not_ready = client.get(CHANGELIST + "?customs_ready=no")
    assert list(not_ready.context["cl"].result_list) == [waiting_request]


def test_it_flags_differing_names_and_lets_the_seller_confirm_them(
    client, alice, upload_request, passport_jpeg
):
    upload(upload_request, passport_jpeg, given_names="ANNA MARIE")
    login(client, alice)
    flagged = client.get(CHANGELIST + "?customs_ready=names")
    assert list(flagged.context["cl"].result_list) == [upload_request]
    assert "customs-flag" in flagged.content.decode()
    detail = client.get(f"{CHANGELIST}{upload_request.pk}/change/").content.decode()
    assert "differ" in detail
    client.post(
        CHANGELIST,
        {"action": "confirm_names_selected", "_selected_action": [upload_request.pk]},
    )
    record = CustomsRecord.objects.get(upload_request=upload_request)
    assert record.names_confirmed_by == alice
    assert record.ready


def test_it_exports_with_a_custom_mapping_as_csv(
    client, alice, ready_request, internal_request, waiting_request, mapping
):
    login(client, alice)
    response = export(client, [ready_request, internal_request, waiting_request], mapping.pk, "csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        ["Recipient", "Passport", "Born", "INN", "Order"],
        ["ANNA MARIA ERIKSSON", "L898902C3", "1974-08-12", "", "A-100"],
        ["ЮРИЙ ЭДУАРДОВИЧ СОЛОВЬЁВ", "123456", "1965-05-23", "500100732259", "A-200"],
    ]
    follow = client.get(CHANGELIST)
    notes = [str(message) for message in follow.context["messages"]]
    assert any("A-300" in note for note in notes)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=alice)
    assert {event.upload_request_id for event in exports} == {ready_request.pk, internal_request.pk}


def test_it_exports_the_fcs_1861_field_set_as_xlsx(client, alice, internal_request, ready_request):
    login(client, alice)
    response = export(client, [internal_request, ready_request], "fcs1861", "xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value or "" for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Номер отправления",
        "Фамилия",
        "Имя",
        "Отчество",
        "Дата рождения",
        "Код вида документа",
        "Серия документа",
        "Номер документа",
        "Дата выдачи",
        "Кем выдан",
        "ИНН",
    ]
    assert rows[1] == [
        "A-100",
        "ERIKSSON",
        "ANNA MARIA",
        "",
        "12.08.1974",
        "10",
        "",
        "L898902C3",
        "",
        "",
        "",
    ]
    assert rows[2] == [
        "A-200",
        "СОЛОВЬЁВ",
        "ЮРИЙ",
        "ЭДУАРДОВИЧ",
        "23.05.1965",
        "21",
        "4510",
        "123456",
        "14.07.2015",
        "ОУФМС России по г. Москве",
        "500100732259",
    ]


def test_it_neutralises_formulas_in_both_formats(client, alice, internal_request, mapping):
    CustomsSettings.objects.create(shop=internal_request.order.shop)
    document = document_selectors.document_current(upload_request=internal_request)
    fields = document_selectors.document_fields(document=document)
    # A hostile issuing authority, as if a customer had typed it.
    from uploads.documents.services import fields_seal

    fields["issuing_authority"] = "=HYPERLINK(1)"
    document.fields_sealed = fields_seal(
        document_selectors.document_key(document), document=document, fields=fields
    )
    document.save()
    mapping.columns = [["issuing_authority", "Authority"]]
    mapping.save()
    login(client, alice)
    rows = list(
        csv.reader(
            io.StringIO(export(client, [internal_request], mapping.pk, "csv").content.decode()[1:])
        )
    )
    assert rows[1] == ["'=HYPERLINK(1)"]
    sheet = load_workbook(
        io.BytesIO(export(client, [internal_request], mapping.pk, "xlsx").content)
    ).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert sheet["A2"].data_type == "s"


def test_it_needs_the_passport_viewing_permission(client, charlie, ready_request):
    login(client, charlie)
    response = export(client, [ready_request], "fcs1861", "csv")
    assert not response["Content-Type"].startswith("text/csv")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_exports_nothing_when_nothing_is_ready(client, alice, waiting_request):
    login(client, alice)
    response = export(client, [waiting_request], "fcs1861", "csv")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_keeps_another_shops_mapping_out_of_reach(client, alice, ready_request, other_shop):
    foreign = CarrierMapping.objects.create(
        shop=other_shop, name="X", country="RU", columns=[["inn", "INN"]]
    )
    login(client, alice)
    response = export(client, [ready_request], foreign.pk, "csv")
    assert not response["Content-Type"].startswith("text/csv")


def test_it_sets_up_a_carrier_mapping_from_lines(client, shop):
    from django.contrib.auth.models import User

    admin_user = User.objects.create_superuser("root", password="password")
    login(client, admin_user)
    response = client.post(
        "/admin/uploads/carriermapping/add/",
        {
            "shop": shop.pk,
            "name": "Boxberry",
            "country": "KZ",
            "columns_text": "surname | Фамилия\ninn|ИНН\n\nseries | Серия",
            "date_format": "%d.%m.%Y",
            "name_order": "surname_given",
            "delimiter": ";",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CarrierMapping.objects.get(name="Boxberry").columns == [
        ["surname", "Фамилия"],
        ["inn", "ИНН"],
        ["series", "Серия"],
    ]
    assert CarrierMapping.objects.get(name="Boxberry").country == "KZ"
    bad = client.post(
        "/admin/uploads/carriermapping/add/",
        {
            "shop": shop.pk,
            "name": "Bad",
            "columns_text": "password | P",
            "date_format": "%d.%m.%Y",
            "name_order": "surname_given",
            "delimiter": ";",
        },
    )
    assert bad.status_code == 200
    assert "columns_text" in bad.context["adminform"].form.errors


def test_it_refuses_customs_settings_that_accept_nobody(client, shop):
    from django.contrib.auth.models import User

    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post("/admin/uploads/customssettings/add/", {"shop": shop.pk})
    assert response.status_code == 200
    assert not CustomsSettings.objects.exists()


def test_it_counts_for_the_dashboard(ready_request, waiting_request):
    assert customs_selectors.customs_ready_count(queryset=UploadRequest.objects.all()) == 1


def test_it_rechecks_the_shops_requests_when_its_settings_change(client, shop, ready_request):
    from django.contrib.auth.models import User

    login(client, User.objects.create_superuser("root", password="password"))
    response = client.post(
        "/admin/uploads/customssettings/add/",
        {
            "shop": shop.pk,
            "accept_ru_internal": "on",
            "accept_foreign": "on",
            "require_issue_date": "on",
            "photo_policy": "required",
        },
    )
    assert response.status_code == 302
    assert not CustomsRecord.objects.get(upload_request=ready_request).ready


def test_it_asks_a_mapping_for_its_recipients_country_and_says_why(client, shop):
    from django.contrib.auth.models import User

    login(client, User.objects.create_superuser("root", password="password"))
    page = client.get("/admin/uploads/carriermapping/add/").content.decode()
    assert 'name="country"' in page
    assert "names it as the recipient's country" in page and "transfer register" in page
    fields = {
        "shop": shop.pk,
        "name": "Nowhere",
        "columns_text": "inn | INN",
        "date_format": "%d.%m.%Y",
        "name_order": "surname_given",
        "delimiter": ";",
    }
    for country in ("", "XX", "ru"):
        response = client.post("/admin/uploads/carriermapping/add/", {**fields, "country": country})
        assert response.status_code == 200
        assert "country" in response.context["adminform"].form.errors
    assert not CarrierMapping.objects.filter(name="Nowhere").exists()
