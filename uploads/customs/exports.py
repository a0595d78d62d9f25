"""The customs field set of ready requests, in a carrier's columns, as CSV or XLSX (openpyxl).

A mapping is a ``CarrierMapping``: the shop's, set up once per carrier in admin, or the built-in
``FCS_1861`` with the recipient's details the Russian customs order asks for.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from uploads.core import crypto
from uploads.core import customs_rules as validation
from uploads.core.cells import cell as cell
from uploads.documents import selectors as document_selectors
from uploads.models import CarrierMapping, Country, PassportDocument, UploadRequest

# The keys a mapping's columns can use, with what each holds (shown to the seller in admin).
FIELD_KEYS = {
    "order_number": _("order number"),
    "customer_name": _("customer name as in the order"),
    "surname": _("surname (Cyrillic when given, else Latin)"),
    "given_name": _("given name (Cyrillic when given, else Latin)"),
    "patronymic": _("patronymic (citizens of Russia)"),
    "full_name": _("full name, in the mapping's name order"),
    "surname_latin": _("surname in Latin"),
    "given_names_latin": _("given names in Latin"),
    "date_of_birth": _("Date of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "document_type_code": _("document type code (21, 22 or 10)"),
    "series": _("Series"),
    "number": _("Document number"),
    "issue_date": _("Date of issue"),
    "expiry_date": _("Expiry date"),
    "issuing_authority": _("Issued by"),
    "department_code": _("Department code"),
    "inn": _("INN"),
    "email": _("email"),
    "phone": _("phone"),
}

# Codes of identity documents used in Russian declarations (the tax service's list, which
# customs forms use too): 21 internal passport, 22 foreign passport of a citizen, 10 a foreign
# citizen's passport.
DOCUMENT_TYPE_CODES = {
    validation.RU_INTERNAL: "21",
    validation.RU_FOREIGN: "22",
    validation.FOREIGN: "10",
}

# The recipient's details asked by FCS order No. 1861 (see the README for what was assumed).
# Column titles are the Russian terms customs brokers use, whatever the admin's language.
FCS_1861 = CarrierMapping(
    name="ФТС № 1861",
    columns=[
        ["order_number", "Номер отправления"],
        ["surname", "Фамилия"],
        ["given_name", "Имя"],
        ["patronymic", "Отчество"],
        ["date_of_birth", "Дата рождения"],
        ["document_type_code", "Код вида документа"],
        ["series", "Серия документа"],
        ["number", "Номер документа"],
        ["issue_date", "Дата выдачи"],
        ["issuing_authority", "Кем выдан"],
        ["inn", "ИНН"],
    ],
    date_format=CarrierMapping.DateFormat.DOTTED,
    name_order=CarrierMapping.NameOrder.SURNAME_FIRST,
    delimiter=CarrierMapping.Delimiter.SEMICOLON,
    # The file goes to a Russian customs representative: a hand-over inside Russia.
    country=Country.RUSSIA,
)
BUILTIN_KEY = "fcs1861"


@dataclass
class CustomsTable:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    exported: list[UploadRequest] = field(default_factory=list)
    documents: list[PassportDocument] = field(default_factory=list)  # of the exported, in order
    skipped: list[UploadRequest] = field(default_factory=list)
    # Ready requests whose passport no longer opens: left out of the file (a carrier must not
    # get an empty recipient), listed for the seller and audited by the caller.
    unreadable: list[tuple[UploadRequest, PassportDocument, crypto.DecryptionError]] = field(
        default_factory=list
    )


def _date(value: str, date_format: str) -> str:
    try:
        return date.fromisoformat(value).strftime(date_format) if value else ""
    except ValueError:
        return value


def record_values(
    upload_request: UploadRequest, fields: dict[str, str], situation: str, mapping: CarrierMapping
) -> dict[str, str]:
    """Every field key's value for one request, formatted as the mapping asks."""
    russian = situation in (validation.RU_INTERNAL, validation.RU_FOREIGN)
    cyrillic_given = fields.get("given_names_cyrillic", "").split()
    if fields.get("surname_cyrillic") and cyrillic_given:
        surname = fields["surname_cyrillic"]
        given = cyrillic_given[0] if russian else " ".join(cyrillic_given)
        patronymic = " ".join(cyrillic_given[1:]) if russian else ""
    else:
        latin_given = fields.get("given_names", "").split()
        surname = fields.get("surname", "")
        given = (latin_given[0] if latin_given else "") if russian else " ".join(latin_given)
        patronymic = " ".join(latin_given[1:]) if russian else ""
    if mapping.name_order == CarrierMapping.NameOrder.GIVEN_FIRST:
        full_name = " ".join(part for part in (given, patronymic, surname) if part)
    else:
        full_name = " ".join(part for part in (surname, given, patronymic) if part)
    series, number = fields.get("series", ""), fields.get("number", "")
    if situation == validation.RU_FOREIGN and not series and len(number) == 9 and number.isdigit():
        # A Russian foreign passport's number is printed "75 1234567": series, then number.
        series, number = number[:2], number[2:]
    order = upload_request.order
    return {
        "order_number": order.number,
        "customer_name": order.customer_name,
        "surname": surname,
        "given_name": given,
        "patronymic": patronymic,
        "full_name": full_name,
        "surname_latin": fields.get("surname", ""),
        "given_names_latin": fields.get("given_names", ""),
        "date_of_birth": _date(fields.get("date_of_birth", ""), mapping.date_format),
        "sex": fields.get("sex", ""),
        "nationality": fields.get("nationality", ""),
        "document_type_code": DOCUMENT_TYPE_CODES.get(situation, ""),
        "series": series,
        "number": number,
        "issue_date": _date(fields.get("issue_date", ""), mapping.date_format),
        "expiry_date": _date(fields.get("expiry_date", ""), mapping.date_format),
        "issuing_authority": fields.get("issuing_authority", ""),
        "department_code": fields.get("department_code", ""),
        "inn": fields.get("inn", ""),
        "email": order.email,
        "phone": order.phone,
    }


def customs_table(
    *, upload_requests: Iterable[UploadRequest], mapping: CarrierMapping, ready_ids: set[int]
) -> CustomsTable:
    """The mapping's columns for the ready requests; the others are listed as skipped."""
    table = CustomsTable(header=[str(title) for _key, title in mapping.columns])
    for upload_request in upload_requests:
        record = getattr(upload_request, "customs", None)
        document = (
            document_selectors.document_current(upload_request=upload_request)
            if upload_request.pk in ready_ids
            else None
        )
        if record is None or document is None:
            table.skipped.append(upload_request)
            continue
        try:
            fields = document_selectors.document_fields(document=document)
        except crypto.DecryptionError as error:
            table.unreadable.append((upload_request, document, error))
            continue
        values = record_values(upload_request, fields, record.situation, mapping)
        table.rows.append([values.get(key, "") for key, _title in mapping.columns])
        table.exported.append(upload_request)
        table.documents.append(document)
    return table


def to_csv(table: CustomsTable, *, delimiter: str) -> bytes:
    """UTF-8 with a BOM (Excel then reads Cyrillic right); formula-like cells neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([cell(value) for value in table.header])
    for row in table.rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue().encode("utf-8")


def to_xlsx(table: CustomsTable, *, title: str) -> bytes:
    """One sheet, every cell text (an INN or a number keeps its leading zeros, nothing runs)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(char for char in title if char not in "\\/?*[]:")[:31] or "customs"
    for row in [table.header, *table.rows]:
        sheet.append([cell(value) for value in row])
    for row in sheet.iter_rows():
        for sheet_cell in row:
            sheet_cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
