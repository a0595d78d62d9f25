"""Importing orders from a seller's CSV or XLSX file: read, check every row, then save all or none.

``orders_file_read`` turns the file into rows of text keyed by our column names (headers in English,
Russian or Chinese; a BOM; ``;``, ``,`` or tab as delimiter; Excel date cells). An optional column
holds CDEK's own order number (``cdek_number``): checked like the other values, and kept on the
request's carrier order, by which the hand-over to CDEK finds the order. ``orders_import_check``
validates each row (and the file as a whole: duplicates, numbers the shop already has) without
saving anything; ``orders_import`` saves the checked rows in one transaction through
``request_services.order_create``. Hostile files (binary, empty, zip bombs, too many rows) end in an
``ImportFileError`` with a message for the seller, never in a server error.
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language_info, gettext_lazy, override
from django.utils.translation import gettext as _

from uploads.carriers import services as carrier_services
from uploads.core.errors import Refusal
from uploads.models import CarrierOrder, Order
from uploads.requests import links
from uploads.requests import services as request_services

COLUMNS = ("number", "customer_name", "email", "phone", "language", "deadline", "cdek_number")
REQUIRED = ("number", "customer_name")

# Header names sellers use, normalised (lower case, no punctuation). The translated labels of our
# own export and of the order form are added in ``_header_names``.
_HEADER_SYNONYMS = {
    "number": [
        "order number",
        "order no",
        "order",
        "order id",
        "number",
        "posting number",
        "order #",
        "номер заказа",
        "заказ",
        "номер",
        "номер отправления",
        "№ заказа",
        "№",
        "订单号",
        "订单编号",
        "订单",
        "单号",
        "订单号码",
    ],
    "customer_name": [
        "customer name",
        "customer",
        "name",
        "full name",
        "buyer",
        "buyer name",
        "recipient",
        "имя",
        "фио",
        "имя клиента",
        "клиент",
        "покупатель",
        "получатель",
        "имя покупателя",
        "客户姓名",
        "客户",
        "姓名",
        "买家",
        "买家姓名",
        "收件人",
        "客户名称",
    ],
    "email": [
        "email",
        "e mail",
        "mail",
        "email address",
        "customer email",
        "электронная почта",
        "почта",
        "эл почта",
        "емейл",
        "адрес электронной почты",
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
        "邮箱地址",
    ],
    "phone": [
        "phone",
        "telephone",
        "phone number",
        "mobile",
        "tel",
        "телефон",
        "тел",
        "номер телефона",
        "мобильный",
        "电话",
        "手机",
        "手机号",
        "电话号码",
        "联系电话",
    ],
    "language": [
        "language",
        "lang",
        "preferred language",
        "язык",
        "язык клиента",
        "语言",
        "客户语言",
    ],
    "deadline": [
        "deadline",
        "due date",
        "due",
        "needed by",
        "date",
        "срок",
        "крайний срок",
        "дедлайн",
        "срок до",
        "дата",
        "截止日期",
        "期限",
        "截止",
        "截止时间",
        "日期",
    ],
    # CDEK's own number of the order (optional): the hand-over finds the order at CDEK by it.
    "cdek_number": [
        "cdek_number",
        "cdek number",
        "cdek order number",
        "cdek order",
        "cdek",
        "cdek no",
        "cdek #",
        "cdek tracking number",
        "номер сдэк",
        "номер заказа сдэк",
        "заказ сдэк",
        "сдэк",
        "№ сдэк",
        "номер накладной сдэк",
        "cdek单号",
        "cdek订单号",
        "cdek运单号",
        "cdek 单号",
        "cdek 订单号",
    ],
}
_ORDER_FIELDS = {
    "number": "number",
    "customer_name": "customer_name",
    "email": "email",
    "phone": "phone",
    "language": "language",
    "deadline": "deadline",
}
_EXPORT_HEADERS = {
    "number": "Order number",
    "customer_name": "Customer name",
    "email": "Email",
    "phone": "Phone",
}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%y", "%Y年%m月%d日")
# A CSV sniffed from the first lines; a header row longer than this is not a header.
_SNIFF_BYTES = 64 * 1024
# Refuse an XLSX whose parts inflate beyond this (a zip bomb), whatever its own size.
_MAX_XLSX_UNPACKED = 100 * 1024 * 1024
_MAX_CELL_CHARS = 500
_MAX_COLUMNS = 50


class ImportFileError(Refusal):
    """An order file the seller cannot import as it is; ``message`` says why, in their language."""


@dataclass
class ImportRow:
    line: int  # the row's number as the seller's spreadsheet shows it
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    already_there: bool = False
    cleaned: dict[str, object] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return not self.errors and not self.already_there


@dataclass
class ImportCheck:
    rows: list[ImportRow]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def new_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_new]

    @property
    def already_there_count(self) -> int:
        return sum(1 for row in self.rows if row.already_there and not row.errors)

    @property
    def has_cdek_numbers(self) -> bool:
        return any(row.values.get("cdek_number") for row in self.rows)

    @property
    def can_import(self) -> bool:
        return self.error_count == 0 and bool(self.new_rows)


# --- reading the file -------------------------------------------------------------------------


def orders_file_read(*, name: str, data: bytes) -> list[ImportRow]:
    """The rows of a CSV or XLSX file (type decided from the content, not the name)."""
    if not data.strip():
        raise ImportFileError(gettext_lazy("The file is empty."))
    if len(data) > settings.ORDER_IMPORT_MAX_BYTES:
        raise ImportFileError(too_large_message())
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(data)
    elif b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(gettext_lazy("This is not a CSV or XLSX file."))
    else:
        table = _csv_rows(data)
    return _rows_by_column(table)


def too_large_message() -> str:
    return _("The file is too large (at most %(mb)d MB).") % {
        "mb": settings.ORDER_IMPORT_MAX_BYTES // (1024 * 1024)
    }


def _csv_rows(data: bytes) -> list[list[object]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(gettext_lazy("This is not a CSV or XLSX file."))
    # The delimiter is the one the header row uses most (csv.Sniffer's regular expressions can
    # take very long on a hostile sample, and a header row is all we need).
    header = text.lstrip("\r\n").split("\n", 1)[0][:_SNIFF_BYTES]
    delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    try:
        for row in reader:
            rows.append(list(row[:_MAX_COLUMNS]))
            if len(rows) > settings.ORDER_IMPORT_MAX_ROWS + 1:
                raise _too_many_rows()
    except csv.Error:
        raise ImportFileError(gettext_lazy("The CSV file cannot be read.")) from None
    return rows


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(
                gettext_lazy("The file's text encoding is not readable.")
            ) from None
    for encoding in ("utf-8", "gb18030", "cp1251"):
        # UTF-8 first; then what Chinese and Russian Excel save "CSV" in. gb18030 accepts most
        # byte strings, so Cyrillic cp1251 files are told apart by their letters afterwards.
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and _looks_like_cp1251(data):
            return data.decode("cp1251")
        return text
    raise ImportFileError(gettext_lazy("The file's text encoding is not readable."))


def _looks_like_cp1251(data: bytes) -> bool:
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return False
    letters = [char for char in text if char.isalpha() and ord(char) > 127]
    return bool(letters) and sum("а" <= c.lower() <= "я" for c in letters) / len(letters) > 0.9  # noqa: RUF001 - Cyrillic on purpose


def _xlsx_rows(data: bytes) -> list[list[object]]:
    import openpyxl  # imported here: only the import page needs it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_XLSX_UNPACKED:
                raise ImportFileError(gettext_lazy("The XLSX file is too large once unpacked."))
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except ImportFileError:
        raise
    except Exception:  # openpyxl raises many kinds of errors on a broken or foreign file
        raise ImportFileError(gettext_lazy("The XLSX file cannot be read.")) from None
    rows: list[list[object]] = []
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True):
            rows.append(list(row))
            if len(rows) > settings.ORDER_IMPORT_MAX_ROWS + 1:
                raise _too_many_rows()
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(gettext_lazy("The XLSX file cannot be read.")) from None
    finally:
        workbook.close()
    return rows


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        gettext_lazy("The file has more than %(rows)d rows. Please split it.")
        % {"rows": settings.ORDER_IMPORT_MAX_ROWS}
    )


def _normalise_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower().replace("ё", "е")  # noqa: RUF001
    text = re.sub(r"[\s\-_.:*/()]+", " ", text)
    return text.strip()


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column, synonyms in _HEADER_SYNONYMS.items():
        for synonym in synonyms:
            names[_normalise_header(synonym)] = column
    # Our own labels in every seller language, so an export or a translated template reads back.
    for code, _name in settings.SELLER_LANGUAGES:
        with override(code):
            for column, field_name in _ORDER_FIELDS.items():
                label = Order._meta.get_field(field_name).verbose_name
                names.setdefault(_normalise_header(label), column)
            for column, header in _EXPORT_HEADERS.items():
                names.setdefault(_normalise_header(_(header)), column)
            names.setdefault(_normalise_header(_cdek_number_label()), "cdek_number")
    return names


def _rows_by_column(table: list[list[object]]) -> list[ImportRow]:
    # Skip blank lines above the header.
    while table and all(_cell_text(cell) == "" for cell in table[0]):
        table = table[1:]
    if not table:
        raise ImportFileError(gettext_lazy("The file is empty."))
    names = _header_names()
    positions: dict[str, int] = {}
    for index, header in enumerate(table[0]):
        column = names.get(_normalise_header(header))
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ImportFileError(
            gettext_lazy(
                "The first row must name the columns. Missing: %(missing)s. Expected columns: "
                "order number, customer name, email, phone, language, deadline."
            )
            % {"missing": ", ".join(str(_column_label(column)) for column in missing)}
        )
    rows = []
    for offset, raw in enumerate(table[1:], start=2):
        values = {
            column: _cell_text(raw[index]) if index < len(raw) else ""
            for column, index in positions.items()
        }
        if not any(values.values()):
            continue  # blank lines in between or at the end
        for column in COLUMNS:
            values.setdefault(column, "")
        rows.append(ImportRow(line=offset, values=values))
    if not rows:
        raise ImportFileError(gettext_lazy("The file has no orders below its header row."))
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an order number typed into a number cell: "1234", not "1234.0"
    return str(value).strip()[:_MAX_CELL_CHARS]


def _column_label(column: str) -> str:
    if column == "cdek_number":
        return _cdek_number_label()
    return str(Order._meta.get_field(_ORDER_FIELDS[column]).verbose_name)


def _cdek_number_label() -> str:
    return str(CarrierOrder._meta.get_field("cdek_number").verbose_name)


# --- checking the rows ------------------------------------------------------------------------


def orders_import_check(*, shop_id: int, rows: list[ImportRow]) -> ImportCheck:
    """Validate every row; mark rows whose order number the shop already has. Saves nothing."""
    languages = _language_names()
    today = timezone.localdate()
    first_line: dict[str, int] = {}
    for row in rows:
        row.errors = []
        row.already_there = False
        row.cleaned = _clean_row(row, languages=languages, today=today)
        number = row.values["number"]
        if number:
            if number in first_line:
                row.errors.append(
                    _("Order number %(number)s is also in row %(line)d.")
                    % {"number": number, "line": first_line[number]}
                )
            else:
                first_line[number] = row.line
    existing = set(
        Order.objects.filter(shop_id=shop_id, number__in=list(first_line)).values_list(
            "number", flat=True
        )
    )
    for row in rows:
        if row.values["number"] in existing:
            row.already_there = True
    return ImportCheck(rows=rows)


def _clean_row(row: ImportRow, *, languages: dict[str, str], today: date) -> dict[str, object]:
    values = row.values
    cleaned: dict[str, object] = {}
    for column in REQUIRED:
        if not values[column]:
            row.errors.append(_("%(column)s is missing.") % {"column": _column_label(column)})
    limits = {"number": 64, "customer_name": 200, "phone": 32}
    for column, limit in limits.items():
        if len(values[column]) > limit:
            row.errors.append(
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": _column_label(column), "limit": limit}
            )
    cleaned["number"] = values["number"]
    cleaned["customer_name"] = values["customer_name"]
    cleaned["phone"] = values["phone"]
    email = values["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append(_("“%(email)s” is not an email address.") % {"email": email})
    elif not values["phone"]:
        row.errors.append(_("An email address or a phone number is needed."))
    cleaned["email"] = email
    language = values["language"]
    cleaned["language"] = ""
    if language:
        code = languages.get(_normalise_header(language))
        if code is None:
            row.errors.append(
                _("Unknown language “%(language)s”. Use one of: %(codes)s.")
                % {"language": language, "codes": ", ".join(c for c, _n in settings.LANGUAGES)}
            )
        cleaned["language"] = code or ""
    cdek_number = values["cdek_number"].strip()
    if not carrier_services.cdek_number_valid(cdek_number):
        row.errors.append(
            _("“%(value)s”: %(problem)s")
            % {"value": cdek_number, "problem": carrier_services.CDEK_NUMBER_MESSAGE}
        )
    cleaned["cdek_number"] = cdek_number
    deadline_text = values["deadline"]
    cleaned["deadline"] = None
    if deadline_text:
        deadline = parse_deadline(deadline_text)
        if deadline is None:
            row.errors.append(
                _("“%(value)s” is not a date; write it as 2026-12-31 or 31.12.2026.")
                % {"value": deadline_text}
            )
        elif deadline < today:
            row.errors.append(
                _("The deadline %(date)s is in the past.") % {"date": deadline.isoformat()}
            )
        else:
            cleaned["deadline"] = deadline
    return cleaned


def parse_deadline(text: str) -> date | None:
    text = text.strip()
    for date_format in _DATE_FORMATS:
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    # An Excel serial day number (a date cell saved without its date format).
    if re.fullmatch(r"\d{5}", text):
        from openpyxl.utils.datetime import from_excel

        value = from_excel(int(text))
        return value.date() if isinstance(value, datetime) else None
    return None


def _language_names() -> dict[str, str]:
    """Language codes and names (English, native, and in each seller language) to codes."""
    names: dict[str, str] = {}
    for code, name in settings.LANGUAGES:
        info = get_language_info(code)
        for spelling in (code, code.replace("-", "_"), info["name"], info["name_local"]):
            names[_normalise_header(spelling)] = code
        for seller_code, _seller_name in settings.SELLER_LANGUAGES:
            with override(seller_code):
                names.setdefault(_normalise_header(str(name)), code)
    names.setdefault("zh", "zh-hans")
    names.setdefault("zh cn", "zh-hans")
    names.setdefault("中文", "zh-hans")
    return names


# --- saving -----------------------------------------------------------------------------------


def orders_import(*, shop_id: int, rows: list[ImportRow]) -> list[links.IssuedLink]:
    """Check the rows again (the shop may have changed since the preview) and create every new
    order with its upload request in one transaction: all of them or, on any error, none."""
    check = orders_import_check(shop_id=shop_id, rows=rows)
    if check.error_count:
        raise ImportFileError(
            gettext_lazy("The file has errors; nothing was imported. Correct it and upload again.")
        )
    links = []
    try:
        with transaction.atomic():
            for row in check.new_rows:
                links.append(request_services.order_create(shop_id=shop_id, **row.cleaned))  # type: ignore[arg-type]
    except IntegrityError:
        # Someone added one of these order numbers since the check: nothing was saved.
        raise ImportFileError(
            gettext_lazy("The orders changed while importing; nothing was imported. Try again.")
        ) from None
    return links


def rows_to_session(rows: list[ImportRow]) -> list[dict]:
    return [{"line": row.line, "values": row.values} for row in rows]


def rows_from_session(data: list[dict]) -> list[ImportRow]:
    return [
        # A preview stored before a column was added has no value for it.
        ImportRow(
            line=int(item["line"]), values={c: str(item["values"].get(c, "")) for c in COLUMNS}
        )
        for item in data
    ]
