"""Numbers about a shop's requests, for the periodic summary email and the admin dashboard."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from uploads.customs.selectors import customs_ready_count
from uploads.models import ContactLogEntry, Shop, UploadRequest

Status = UploadRequest.Status
# Still missing a passport the seller can use: what "overdue" means once the deadline has passed.
NOT_UPLOADED = (Status.WAITING, Status.REJECTED, Status.EXPIRED)


def shop_counts(*, shop: Shop, today: date | None = None) -> dict[str, int]:
    """How many requests of the shop are in each status, overdue, and ready for customs."""
    today = today or timezone.localdate()
    requests = UploadRequest.objects.filter(order__shop=shop)
    counts: dict[str, int] = {status: 0 for status in Status.values}
    for row in requests.values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    counts["overdue"] = overdue_requests(shop=shop, today=today).count()
    counts["customs_ready"] = customs_ready_count(queryset=requests)
    return counts


def overdue_requests(*, shop: Shop, today: date | None = None) -> QuerySet[UploadRequest]:
    """Requests past their order's deadline without a usable passport, most overdue first."""
    today = today or timezone.localdate()
    return (
        UploadRequest.objects.filter(
            order__shop=shop, order__deadline__lt=today, status__in=NOT_UPLOADED
        )
        .select_related("order")
        .order_by("order__deadline", "pk")
    )


@dataclass(frozen=True)
class DayActivity:
    day: date
    uploads: int
    reminders: int


def daily_activity(*, shop: Shop, days: int = 30, now: datetime | None = None) -> list[DayActivity]:
    """Uploads and reminders sent per day over the last ``days`` days (today included)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    tz = timezone.get_current_timezone()
    uploads = dict(
        UploadRequest.objects.filter(order__shop=shop, uploaded_at__gte=start)
        .annotate(day=TruncDate("uploaded_at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    reminders = dict(
        ContactLogEntry.objects.filter(
            Q(upload_request__order__shop=shop),
            kind=ContactLogEntry.Kind.REMINDER,
            outcome=ContactLogEntry.Outcome.SENT,
            at__gte=start,
        )
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        result.append(DayActivity(day, uploads.get(day, 0), reminders.get(day, 0)))
    return result


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    day: date
    series: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    maximum: int
    labels: list[tuple[float, str]]
    baseline: float


def activity_chart(activity: list[DayActivity], *, width: int = 720, height: int = 220) -> Chart:
    """Bar positions for a two-series chart (uploads, reminders), drawn as SVG by the template."""
    margin_left, margin_bottom, margin_top = 36.0, 24.0, 10.0
    plot_height = height - margin_bottom - margin_top
    maximum = max([1, *(max(day.uploads, day.reminders) for day in activity)])
    slot = (width - margin_left) / max(1, len(activity))
    bar_width = max(1.0, slot * 0.4)
    bars: list[Bar] = []
    labels: list[tuple[float, str]] = []
    for index, day in enumerate(activity):
        left = margin_left + index * slot
        for offset, series, value in ((0, "uploads", day.uploads), (1, "reminders", day.reminders)):
            bar_height = plot_height * value / maximum
            bars.append(
                Bar(
                    x=round(left + offset * bar_width, 1),
                    y=round(margin_top + plot_height - bar_height, 1),
                    width=round(bar_width, 1),
                    height=round(bar_height, 1),
                    value=value,
                    day=day.day,
                    series=series,
                )
            )
        if index % 7 == 0 or index == len(activity) - 1:
            labels.append((round(left, 1), day.day.strftime("%d.%m")))
    return Chart(
        width=width,
        height=height,
        bars=bars,
        maximum=maximum,
        labels=labels,
        baseline=margin_top + plot_height,
    )
