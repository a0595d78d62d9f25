"""Destruction acts (Roskomnadzor order No. 179 of 28.10.2022, items 3–4), with the log extract.

An act confirms, for one shop and one period, every destruction of personal data: the operator
(and the processor, where this installation is run by someone else), how the data subject is
identified (the order number, never a name), who destroyed it, which data, in which information
system, how, when and why. It is made only from the append-only ``DestructionRecord`` rows and the
audit events of the same destructions, so nothing can be left out or added by hand. The act is a
Russian document whatever the seller's language: it is what Roskomnadzor reads.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from uploads.core.cells import cell
from uploads.models import AuditEvent, DestructionRecord, Shop

Reason = DestructionRecord.Reason
Scope = DestructionRecord.Scope

SYSTEM_NAME = "Портал загрузки паспортов"

# Which data each kind of destruction took, and how (the portal destroys by deleting the
# ciphertext and forgetting the data key: a copy left in a backup cannot be opened either).
_PASSPORT_FIELDS = (
    "фамилия, имя, гражданство, дата рождения, пол, вид, серия, номер и срок действия документа, "
    "сведения, указанные покупателем для таможни"
)
_PASSPORT_DATA = f"сведения документа, удостоверяющего личность: {_PASSPORT_FIELDS}"
_IMAGE = "изображение страницы паспорта"
_ORDER_DATA = "имя, адрес электронной почты и телефон покупателя в заказе; ссылка для загрузки"
DATA_DESTROYED = {
    Scope.IMAGE: "изображение (фотография) страницы паспорта",
    Scope.DOCUMENT: f"{_IMAGE}; {_PASSPORT_DATA}",
    Scope.REQUEST: f"{_IMAGE}; {_PASSPORT_DATA}; {_ORDER_DATA}",
}
# A document whose details the customer typed (the shop's photo policy let them) never had an
# image: the act says so rather than claiming a photo was destroyed.
TYPED_PASSPORT_DATA = (
    "сведения документа, удостоверяющего личность, введённые покупателем вручную "
    f"(без изображения): {_PASSPORT_FIELDS}"
)
# Some documents of the destruction were photos, some typed.
MIXED_PASSPORT_DATA = (
    f"{_IMAGE}; сведения документа, удостоверяющего личность, считанные с изображения "
    f"и введённые покупателем вручную: {_PASSPORT_FIELDS}"
)
TYPED_DATA_DESTROYED = {
    Scope.DOCUMENT: TYPED_PASSPORT_DATA,
    Scope.REQUEST: f"{TYPED_PASSPORT_DATA}; {_ORDER_DATA}",
}
MIXED_DATA_DESTROYED = {
    Scope.DOCUMENT: MIXED_PASSPORT_DATA,
    Scope.REQUEST: f"{MIXED_PASSPORT_DATA}; {_ORDER_DATA}",
}
TYPED_METHOD = {
    Scope.DOCUMENT: (
        "удаление зашифрованных сведений, уничтожение ключа шифрования (криптографическое стирание)"
    ),
    Scope.REQUEST: (
        "удаление зашифрованных сведений, уничтожение ключа шифрования (криптографическое "
        "стирание), удаление контактных данных из записи заказа"
    ),
}
# An order erased before the customer sent any passport (a photo or typed details): only the
# order's own data was there to destroy, and the act must not claim a photo or a passport.
NO_DOCUMENT_DATA = f"{_ORDER_DATA} (документ, удостоверяющий личность, покупателем не передавался)"
NO_DOCUMENT_METHOD = "удаление контактных данных и ссылки для загрузки из записи заказа"
METHOD = {
    Scope.IMAGE: "удаление зашифрованного файла изображения из хранилища",
    Scope.DOCUMENT: (
        "удаление зашифрованного файла и зашифрованных сведений, уничтожение ключа шифрования "
        "(криптографическое стирание)"
    ),
    Scope.REQUEST: (
        "удаление зашифрованных файлов и сведений, уничтожение ключей шифрования "
        "(криптографическое стирание), удаление контактных данных из записи заказа"
    ),
}
REASON = {
    Reason.IMAGE_RETENTION: "истёк срок хранения изображения",
    Reason.RETENTION: "истёк срок хранения персональных данных",
    Reason.ABANDONED: "загрузка не подтверждена субъектом",
    Reason.REPLACED: "заменено новой загрузкой субъекта",
    Reason.CUSTOMER_REQUEST: "требование субъекта персональных данных",
    Reason.CONSENT_WITHDRAWN: "отзыв согласия субъектом персональных данных",
}
LOG_ACTIONS = {
    AuditEvent.Action.PURGE: "уничтожение по сроку хранения",
    AuditEvent.Action.ERASE: "уничтожение по требованию",
    AuditEvent.Action.CONSENT_WITHDRAWN: "отзыв согласия и уничтожение",
}
AUTOMATIC = "автоматически, информационной системой (по правилам хранения)"
SUBJECT = "покупатель по заказу № {number}"


@dataclass(frozen=True)
class ActRow:
    at: datetime
    subject: str
    request_ref: int
    data: str
    method: str
    reason: str
    destroyed_by: str


@dataclass(frozen=True)
class LogRow:
    at: datetime
    event_ref: int
    action: str
    subject: str
    actor: str
    detail: str


@dataclass(frozen=True)
class DestructionAct:
    shop: Shop
    start: date
    end: date
    made_at: datetime
    system_name: str
    processor: str
    rows: list[ActRow]
    log: list[LogRow]

    @property
    def title(self) -> str:
        return (
            f"Акт об уничтожении персональных данных за период "
            f"с {self.start:%d.%m.%Y} по {self.end:%d.%m.%Y}"
        )

    @property
    def file_stem(self) -> str:
        return f"destruction-act-{self.shop.pk}-{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def header_lines(self) -> list[tuple[str, str]]:
        """The act's fixed elements: who the operator is, the system, the period, when it was made."""
        shop = self.shop
        lines = [
            (
                "Оператор персональных данных",
                f"{shop.operator_name}, {shop.operator_address}; {shop.operator_registration}",
            ),
            ("Номер в реестре операторов Роскомнадзора", shop.operator_rkn_number),
            ("Ответственный за обработку персональных данных", shop.operator_contact),
        ]
        if self.processor:
            lines.append(("Лицо, осуществляющее обработку по поручению оператора", self.processor))
        lines += [
            ("Информационная система персональных данных", self.system_name),
            ("Период", f"с {self.start:%d.%m.%Y} по {self.end:%d.%m.%Y} включительно"),
            ("Дата составления акта", f"{timezone.localtime(self.made_at):%d.%m.%Y %H:%M}"),
            ("Количество уничтожений", str(len(self.rows))),
        ]
        return lines


def _person(user: object | None) -> str:
    if user is None:
        return AUTOMATIC
    full_name = user.get_full_name().strip()  # type: ignore[attr-defined]
    username = user.get_username()  # type: ignore[attr-defined]
    return f"{full_name} ({username})" if full_name else username


def _data_and_method(record: DestructionRecord) -> tuple[str, str]:
    """Which data a destruction took and how: an image only where there was one, a passport
    only where the customer sent one."""
    scope = Scope(record.scope)
    refs = set(record.document_refs)
    typed = refs & set(record.typed_refs)
    if scope == Scope.REQUEST and not refs:
        return NO_DOCUMENT_DATA, NO_DOCUMENT_METHOD
    if scope == Scope.IMAGE or not typed:
        return DATA_DESTROYED[scope], METHOD[scope]
    if typed == refs:
        return TYPED_DATA_DESTROYED[scope], TYPED_METHOD[scope]
    return MIXED_DATA_DESTROYED[scope], METHOD[scope]


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def destruction_act_build(
    *, shop: Shop, start: date, end: date, now: datetime | None = None
) -> DestructionAct:
    """The act for ``shop`` over the days ``start``..``end`` (inclusive, in the site's time zone)."""
    since, until = _period(start, end)
    records = list(
        DestructionRecord.objects.filter(shop=shop, at__gte=since, at__lt=until)
        .select_related("actor")
        .order_by("at", "pk")
    )
    rows = []
    for record in records:
        data, method = _data_and_method(record)
        rows.append(
            ActRow(
                at=record.at,
                subject=SUBJECT.format(
                    number=record.order_number or f"— (запрос {record.upload_request_ref})"
                ),
                request_ref=record.upload_request_ref,
                data=data,
                method=method,
                reason=REASON[Reason(record.reason)],
                destroyed_by=_person(record.actor),
            )
        )
    numbers = {record.upload_request_ref: record.order_number for record in records}
    events = (
        AuditEvent.objects.filter(
            action__in=list(LOG_ACTIONS),
            upload_request_id__in=list(numbers),
            at__gte=since,
            at__lt=until,
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    log = [
        LogRow(
            at=event.at,
            event_ref=event.pk,
            action=LOG_ACTIONS[AuditEvent.Action(event.action)],
            subject=SUBJECT.format(number=numbers.get(event.upload_request_id or 0, "—")),
            actor=_person(event.actor),
            # The detail of these events is "<scope>: <reason>", codes only, no personal data.
            detail=event.detail,
        )
        for event in events
    ]
    return DestructionAct(
        shop=shop,
        start=start,
        end=end,
        made_at=now or timezone.now(),
        system_name=settings.PAPERS_SYSTEM_NAME or SYSTEM_NAME,
        processor=settings.PAPERS_PROCESSOR,
        rows=rows,
        log=log,
    )


# --- the act as a file --------------------------------------------------------------------------

ACT_COLUMNS = (
    "Дата и время",
    "Субъект персональных данных",
    "Уничтоженные персональные данные",
    "Способ уничтожения",
    "Причина",
    "Кто уничтожил",
)
LOG_COLUMNS = ("Дата и время", "№ записи журнала", "Событие", "Субъект", "Пользователь", "Код")
SIGNATURE = (
    "Ответственный за организацию обработки персональных данных: "
    "______________________ / ______________________ /"
)


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d.%m.%Y %H:%M:%S}"


def _act_cells(row: ActRow) -> list[str]:
    return [_when(row.at), row.subject, row.data, row.method, row.reason, row.destroyed_by]


def _log_cells(row: LogRow) -> list[str]:
    return [_when(row.at), str(row.event_ref), row.action, row.subject, row.actor, row.detail]


# DejaVu Sans (Debian's fonts-dejavu-core, installed by scripts/system-deps.sh) has the Cyrillic
# letters; ReportLab's built-in PDF fonts do not.
FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
FONT = "DejaVuSans"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path = next((candidate for candidate in FONT_PATHS if candidate.exists()), None)
        if path is None:
            raise RuntimeError(
                "The DejaVu Sans font is missing (Debian: apt-get install fonts-dejavu-core)."
            )
        pdfmetrics.registerFont(TTFont(FONT, str(path)))
    return FONT


def destruction_act_pdf(act: DestructionAct) -> bytes:
    font = _font()
    text = ParagraphStyle("text", fontName=font, fontSize=8, leading=10)
    heading = ParagraphStyle("heading", fontName=font, fontSize=13, leading=16, spaceAfter=6)
    subheading = ParagraphStyle("subheading", fontName=font, fontSize=10, leading=13, spaceBefore=8)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=act.title,
    )

    def table(header: tuple[str, ...], rows: list[list[str]], widths: list[float]) -> Table:
        cells = [[Paragraph(_escape(cell), text) for cell in header]]
        cells += [[Paragraph(_escape(cell), text) for cell in row] for row in rows]
        if not rows:
            cells.append([Paragraph("Записей за период нет.", text)] + [""] * (len(header) - 1))
        result = Table(cells, colWidths=widths, repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if not rows:
            style.append(("SPAN", (0, 1), (-1, 1)))
        result.setStyle(TableStyle(style))
        return result

    width = landscape(A4)[0] - 24 * mm
    story = [
        Paragraph(_escape(act.title), heading),
        table(
            ("Реквизит", "Значение"),
            [[label, value] for label, value in act.header_lines()],
            [width * 0.3, width * 0.7],
        ),
        Paragraph("Уничтоженные персональные данные", subheading),
        table(
            ACT_COLUMNS,
            [_act_cells(row) for row in act.rows],
            [width * share for share in (0.11, 0.14, 0.27, 0.2, 0.13, 0.15)],
        ),
        Paragraph("Выгрузка из журнала регистрации событий информационной системы", subheading),
        table(
            LOG_COLUMNS,
            [_log_cells(row) for row in act.log],
            [width * share for share in (0.14, 0.1, 0.2, 0.18, 0.2, 0.18)],
        ),
        Spacer(1, 10 * mm),
        Paragraph(_escape(SIGNATURE), text),
    ]
    document.build(story)
    return buffer.getvalue()


def _escape(value: str) -> str:
    # ReportLab's Paragraph reads a small markup language: the values are text, not markup.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def destruction_act_xlsx(act: DestructionAct) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Акт"
    sheet.append([act.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    for label, value in act.header_lines():
        sheet.append([label, cell(value)])
    sheet.append([])
    sheet.append(list(ACT_COLUMNS))
    for row in act.rows:
        sheet.append([cell(value) for value in _act_cells(row)])
    sheet.append([])
    sheet.append([SIGNATURE])
    for column, width in zip("ABCDEF", (22, 30, 60, 45, 30, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for line in sheet.iter_rows():
        for sheet_cell in line:
            sheet_cell.alignment = Alignment(wrap_text=True, vertical="top")
    log = workbook.create_sheet("Журнал")
    log.append(["Выгрузка из журнала регистрации событий информационной системы"])
    log.append(list(LOG_COLUMNS))
    for row in act.log:
        log.append([cell(value) for value in _log_cells(row)])
    for column, width in zip("ABCDEF", (22, 16, 30, 30, 30, 30), strict=True):
        log.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
