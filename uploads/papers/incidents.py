"""The incident register's reads: how long is left to notify Roskomnadzor, and the notice's text.

152-FZ art. 21 part 3.1: within 24 hours of finding an incident that breached data subjects'
rights, the operator tells Roskomnadzor what happened, the presumed causes and harm, the measures
taken and who deals with the authority; within 72 hours, the results of its investigation.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from uploads.models import Incident, IncidentEntry

Kind = IncidentEntry.Kind


@dataclass(frozen=True)
class Deadline:
    due: datetime
    done_at: datetime | None
    now: datetime

    @property
    def left(self) -> timedelta:
        return self.due - self.now

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.now > self.due

    @property
    def late(self) -> bool:
        """Done, but after the deadline."""
        return self.done_at is not None and self.done_at > self.due


def _done_at(incident: Incident, kind: str) -> datetime | None:
    return incident.entries.filter(kind=kind).order_by("at").values_list("at", flat=True).first()


def incident_deadlines(
    *, incident: Incident, now: datetime | None = None
) -> tuple[Deadline, Deadline]:
    """The 24-hour notice and the 72-hour results: due when, done when."""
    now = now or timezone.now()
    return (
        Deadline(incident.notice_due, _done_at(incident, Kind.NOTICE_SENT), now),
        Deadline(incident.results_due, _done_at(incident, Kind.RESULTS_SENT), now),
    )


def incident_notice_text(*, incident: Incident) -> str:
    """The notice's fields, in the order of Roskomnadzor's form, ready to copy into it."""
    shops = list(incident.shops.all())
    operators = (
        "; ".join(
            f"{shop.operator_name or shop.name}, {shop.operator_address}, "
            f"{shop.operator_registration}, рег. № {shop.operator_rkn_number}"
            for shop in shops
        )
        or "все операторы этой установки портала"
    )
    findings = "\n".join(
        f"- {timezone.localtime(entry.at):%d.%m.%Y %H:%M} {entry.get_kind_display()}: {entry.text}"
        for entry in incident.entries.all()
    )
    lines = [
        f"Оператор: {operators}",
        f"Дата и время выявления инцидента: {timezone.localtime(incident.found_at):%d.%m.%Y %H:%M}",
        f"Описание инцидента: {incident.summary}",
        f"Предполагаемые причины: {incident.presumed_causes or '—'}",
        f"Предполагаемый вред правам субъектов: {incident.presumed_harm or '—'}",
        f"Категории персональных данных: {incident.data_categories}",
        f"Количество субъектов: {incident.subjects_count}",
        f"Принятые меры по устранению последствий: {incident.measures or '—'}",
        f"Лицо, уполномоченное на взаимодействие с Роскомнадзором: {incident.contact}",
    ]
    if findings:
        lines += ["Дальнейшие действия и результаты расследования:", findings]
    return "\n".join(lines)
