"""Importing orders from CSV/XLSX in admin: preview with row errors, then all rows or none."""

import io
import zipfile
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from uploads.models import Order, UploadRequest
from uploads.requests import order_import as imports
from uploads.requests import services as request_services

IMPORT_URL = reverse("admin:uploads_order_import")
ORDERS_URL = reverse("admin:uploads_order_changelist")


def future(days: int = 10) -> date:
    return timezone.localdate() + timedelta(days=days)


def csv_file(text: str, *, encoding: str = "utf-8", name: str = "orders.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "orders.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def good_csv(delimiter: str = ",") -> str:
    d = delimiter
    return (
        f"order number{d}customer name{d}email{d}phone{d}language{d}deadline\n"
        f"N-1{d}Ivan Petrov{d}ivan@example.com{d}+7 900 000 00 01{d}ru{d}{future().isoformat()}\n"
        f"N-2{d}Aigerim Sarsen{d}aigerim@example.com{d}{d}kk{d}{future(20):%d.%m.%Y}\n"
    )


def preview(client, shop, upload):  # type: ignore[no-untyped-def]
    return client.post(IMPORT_URL, {"shop": shop.pk, "file": upload})


def confirm(client, response):  # type: ignore[no-untyped-def]
    return client.post(IMPORT_URL, {"import_id": response.context["import_id"]})


def row_errors(response) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    return {row.line: row.errors for row in response.context["check"].rows if row.errors}


# --- the page ---------------------------------------------------------------------------------


def test_it_links_the_import_page_from_the_order_list(client, alice):
    response = login(client, alice).get(ORDERS_URL)
    assert IMPORT_URL in response.content.decode()


def test_it_offers_only_the_sellers_own_shops(client, alice, shop, other_shop):
    response = login(client, alice).get(IMPORT_URL)
    assert list(response.context["form"].fields["shop"].queryset) == [shop]


def test_it_refuses_importing_into_another_shop(client, alice, other_shop):
    response = preview(login(client, alice), other_shop, csv_file(good_csv()))
    assert "shop" in response.context["form"].errors
    assert Order.objects.count() == 0


def test_it_refuses_staff_who_may_not_add_orders(client, alice):
    alice.groups.first().permissions.remove(Permission.objects.get(codename="add_order"))
    response = login(client, alice).get(IMPORT_URL)
    assert response.status_code == 403


# --- preview and import -----------------------------------------------------------------------


def test_it_previews_every_row_and_saves_nothing(client, alice, shop):
    response = preview(login(client, alice), shop, csv_file(good_csv()))
    assert response.status_code == 200
    check = response.context["check"]
    assert [row.values["number"] for row in check.rows] == ["N-1", "N-2"]
    assert check.can_import
    assert Order.objects.count() == 0
    assert "Ivan Petrov" in response.content.decode()


def test_it_imports_all_rows_with_their_upload_requests(client, alice, shop):
    client = login(client, alice)
    response = confirm(client, preview(client, shop, csv_file(good_csv())))
    assert response.status_code == 302
    ivan = Order.objects.get(shop=shop, number="N-1")
    assert (ivan.customer_name, ivan.email, ivan.language) == (
        "Ivan Petrov",
        "ivan@example.com",
        "ru",
    )
    assert ivan.deadline == future()
    assert Order.objects.get(number="N-2").deadline == future(20)
    assert UploadRequest.objects.filter(order__shop=shop).count() == 2
    assert mail.outbox == []  # the invitation is the request-creation service's job, not ours


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_reads_any_common_delimiter(client, alice, shop, delimiter):
    response = preview(login(client, alice), shop, csv_file(good_csv(delimiter)))
    assert response.context["check"].can_import
    assert len(response.context["check"].rows) == 2


def test_it_reads_a_bom_and_russian_headers(client, alice, shop):
    text = (
        "\ufeffНомер заказа;ФИО;Электронная почта;Телефон;Язык;Срок\n"
        f"R-1;Иван Петров;ivan@example.com;;Русский;{future():%d.%m.%Y}\n"
    )
    response = preview(login(client, alice), shop, csv_file(text))
    [row] = response.context["check"].rows
    assert row.errors == []
    assert row.cleaned["language"] == "ru"
    assert row.cleaned["customer_name"] == "Иван Петров"


def test_it_reads_a_windows_1251_csv(client, alice, shop):
    text = "Номер заказа;ФИО;Телефон\nR-1;Иван Петров;+79000000000\n"
    response = preview(login(client, alice), shop, csv_file(text, encoding="cp1251"))
    [row] = response.context["check"].rows
    assert row.cleaned["customer_name"] == "Иван Петров"


def test_it_reads_chinese_headers(client, alice, shop):
    text = f"订单号,客户姓名,邮箱,语言,截止日期\nZ-1,王伟,wang@example.com,中文,{future():%Y年%m月%d日}\n"
    response = preview(login(client, alice), shop, csv_file(text))
    [row] = response.context["check"].rows
    assert row.errors == []
    assert (row.cleaned["language"], row.cleaned["deadline"]) == ("zh-hans", future())


def test_it_reads_an_xlsx_with_date_cells_and_number_cells(client, alice, shop):
    deadline = future(5)
    upload = xlsx_file(
        [
            ["Order number", "Customer name", "Email", "Language", "Deadline"],
            [
                1001,
                "Anna Eriksson",
                "anna@example.com",
                "English",
                datetime.combine(deadline, datetime.min.time()),
            ],
            ["1002", "Ivan Petrov", "ivan@example.com", "ru", None],
        ]
    )
    client = login(client, alice)
    response = preview(client, shop, upload)
    check = response.context["check"]
    assert [row.errors for row in check.rows] == [[], []]
    assert check.rows[0].cleaned["number"] == "1001"
    assert check.rows[0].cleaned["deadline"] == deadline
    assert check.rows[0].cleaned["language"] == "en"
    confirm(client, response)
    assert set(Order.objects.values_list("number", flat=True)) == {"1001", "1002"}


def test_it_reads_an_excel_serial_day_number_as_a_date():
    assert imports.parse_deadline("46000") == date(2025, 12, 9)


def test_it_lists_row_errors_and_refuses_to_import(client, alice, shop):
    past = timezone.localdate() - timedelta(days=1)
    text = (
        "order number,customer name,email,phone,language,deadline\n"
        f"E-1,Good Row,good@example.com,,ru,{future()}\n"
        "E-2,Bad Email,not-an-email,,ru,\n"
        "E-3,Unknown Language,l@example.com,,klingon,\n"
        f"E-4,Past Deadline,p@example.com,,,{past}\n"
        "E-5,Bad Date,d@example.com,,,next friday\n"
        "E-1,Duplicate,dup@example.com,,,\n"
        ",No Number,n@example.com,,,\n"
        "E-8,,x@example.com,,,\n"
        "E-9,No Contact,,,,\n"
    )
    client = login(client, alice)
    response = preview(client, shop, csv_file(text))
    errors = row_errors(response)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "not an email" in errors[3][0]
    assert "klingon" in errors[4][0]
    assert "in the past" in errors[5][0]
    assert "not a date" in errors[6][0]
    assert "also in row 2" in errors[7][0]
    assert "missing" in errors[8][0]
    assert "missing" in errors[9][0]
    assert "email address or a phone" in errors[10][0]
    assert not response.context["check"].can_import
    assert 'name="import_id"' not in response.content.decode()
    # Even a forged "import" post saves nothing: the rows are checked again.
    confirm(client, response)
    assert Order.objects.count() == 0


def test_it_saves_nothing_when_one_row_fails_while_saving(client, alice, shop, monkeypatch):
    client = login(client, alice)
    response = preview(client, shop, csv_file(good_csv()))
    real_create = request_services.order_create

    def failing_create(**kwargs):  # type: ignore[no-untyped-def]
        if kwargs["number"] == "N-2":
            from django.db import IntegrityError

            raise IntegrityError("simulated")
        return real_create(**kwargs)

    monkeypatch.setattr(request_services, "order_create", failing_create)
    response = confirm(client, response)
    assert response.status_code == 302
    assert Order.objects.count() == 0
    assert UploadRequest.objects.count() == 0


def test_it_skips_orders_already_there_when_importing_the_same_file_again(client, alice, shop):
    client = login(client, alice)
    confirm(client, preview(client, shop, csv_file(good_csv())))
    again = preview(client, shop, csv_file(good_csv()))
    check = again.context["check"]
    assert check.error_count == 0
    assert check.already_there_count == 2
    assert not check.can_import
    assert "already there" in again.content.decode()
    assert Order.objects.count() == 2


def test_it_imports_only_the_new_rows_of_a_grown_file(client, alice, shop):
    client = login(client, alice)
    confirm(client, preview(client, shop, csv_file(good_csv())))
    grown = good_csv() + f"N-3,New Person,new@example.com,,en,{future()}\n"
    response = confirm(client, preview(client, shop, csv_file(grown)))
    assert response.status_code == 302
    assert sorted(Order.objects.values_list("number", flat=True)) == ["N-1", "N-2", "N-3"]


def test_it_treats_the_same_number_in_another_shop_as_new(client, alice, shop, other_shop):
    request_services.order_create(
        shop_id=other_shop.pk, number="N-1", customer_name="Other", email="o@example.com"
    )
    response = preview(login(client, alice), shop, csv_file(good_csv()))
    assert response.context["check"].already_there_count == 0


def test_it_refuses_a_stale_or_foreign_preview(client, alice, shop):
    client = login(client, alice)
    preview(client, shop, csv_file(good_csv()))
    response = client.post(IMPORT_URL, {"import_id": "forged"})
    assert response.status_code == 302
    assert Order.objects.count() == 0


# --- hostile files ----------------------------------------------------------------------------


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (120 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"   \n\n", "The file is empty"),
        (bytes(range(256)) * 40, "not a CSV or XLSX"),
        (b"PK\x03\x04" + b"\x00" * 500, "cannot be read"),
        (b"foo,bar\n1,2\n", "Missing: order number, customer name"),
        (b"order number,customer name\n", "no orders below"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a CSV or XLSX"),
    ],
    ids=["zero-bytes", "blank", "binary", "broken-zip", "wrong-columns", "header-only", "png"],
)
def test_it_explains_a_hostile_file_and_saves_nothing(client, alice, shop, content, message):
    response = preview(login(client, alice), shop, SimpleUploadedFile("orders.csv", content))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Order.objects.count() == 0


def test_it_refuses_a_zip_bomb(client, alice, shop):
    response = preview(login(client, alice), shop, SimpleUploadedFile("orders.xlsx", _zip_bomb()))
    assert "too large once unpacked" in response.content.decode()


def test_it_refuses_a_file_over_the_size_limit(client, alice, shop, settings):
    settings.ORDER_IMPORT_MAX_BYTES = 1024
    big = good_csv() + "x" * 2048
    response = preview(login(client, alice), shop, csv_file(big))
    assert "too large" in response.content.decode()


def test_it_refuses_too_many_rows(client, alice, shop, settings):
    settings.ORDER_IMPORT_MAX_ROWS = 5
    text = "order number,customer name,email\n" + "".join(
        f"M-{n},Name {n},m{n}@example.com\n" for n in range(10)
    )
    response = preview(login(client, alice), shop, csv_file(text))
    assert "more than 5 rows" in response.content.decode()


def test_it_refuses_too_many_rows_in_an_xlsx(client, alice, shop, settings):
    settings.ORDER_IMPORT_MAX_ROWS = 5
    rows = [["order number", "customer name", "email"]] + [
        [f"M-{n}", f"Name {n}", f"m{n}@example.com"] for n in range(10)
    ]
    response = preview(login(client, alice), shop, xlsx_file(rows))
    assert "more than 5 rows" in response.content.decode()


def test_it_refuses_an_upload_over_the_request_limit(client, alice, shop, settings):
    settings.PASSPORT_MAX_UPLOAD_BYTES = 100
    response = preview(login(client, alice), shop, csv_file(good_csv() * 5))
    assert response.status_code == 200
    assert "too large" in response.content.decode()


def _entity_bomb_xlsx() -> bytes:
    """An XLSX whose sheet XML declares nested entities (the "billion laughs")."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["order number", "customer name", "email"])
    workbook.active.append(["A-1", "x", "a@example.com"])
    plain = io.BytesIO()
    workbook.save(plain)
    entities = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    doctype = f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">{entities}]>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = doctype + data[data.index(b"<worksheet") :].replace(b">x<", b">&l9;<")
            bomb.writestr(info, data)
    return out.getvalue()


def test_it_refuses_an_xml_entity_bomb(client, alice, shop):
    upload = SimpleUploadedFile("orders.xlsx", _entity_bomb_xlsx())
    response = preview(login(client, alice), shop, upload)
    assert "cannot be read" in response.content.decode()
    assert Order.objects.count() == 0


def test_it_reads_quoted_fields_with_the_other_delimiter_inside(client, alice, shop):
    text = f'order number;customer name;email;deadline\n"Q-1";"Petrov, Ivan";q@example.com;{future()}\n'
    response = preview(login(client, alice), shop, csv_file(text))
    [row] = response.context["check"].rows
    assert (row.errors, row.cleaned["customer_name"]) == ([], "Petrov, Ivan")


def test_it_reads_a_utf16_csv(client, alice, shop):
    text = "order number\tcustomer name\temail\nU-1\tАнна\tu@example.com\n"
    response = preview(login(client, alice), shop, csv_file(text, encoding="utf-16"))
    [row] = response.context["check"].rows
    assert row.cleaned["customer_name"] == "Анна"
