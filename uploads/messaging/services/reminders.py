"""The reminder schedule and the ``send_reminders`` run.

A shop reminds its customers a number of days after the invitation (default 1, 3 and 7) and once
more some hours before the order's deadline (default 24). Only requests still waiting, with a link
that works and an address that does not bounce, are reminded. Each step goes out at most once:
a run claims a step by inserting its contact-log row, unique per (request, step), and only sends
the rows it inserted itself; a second run at the same time finds them taken. A run that was
late (cron stopped for a week) sends only the latest step that is due, not every missed one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uploads.audit import services as audit
from uploads.core.errors import ServiceError
from uploads.messaging import tasks as messaging_tasks
from uploads.messaging.services import contacts, sending
from uploads.models import AuditEvent, BouncedAddress, ContactLogEntry, Shop, UploadRequest

Status = UploadRequest.Status
DEADLINE_STEP = "deadline"
STUCK_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Step:
    name: str
    due_at: datetime


def schedule_days(shop: Shop) -> list[int]:
    return sorted({int(part) for part in shop.reminder_days.split(",") if part.strip().isdigit()})


def deadline_moment(deadline: date) -> datetime:
    """The deadline date counts from its first minute in the portal's time zone."""
    return timezone.make_aware(datetime.combine(deadline, time.min))


def step_due(
    *,
    invited_at: datetime,
    deadline: date | None,
    days: list[int],
    hours_before_deadline: int,
    now: datetime,
) -> Step | None:
    """The latest step of the schedule that is due now, or None."""
    steps = [Step(f"day-{day}", invited_at + timedelta(days=day)) for day in days]
    if deadline is not None and hours_before_deadline:
        moment = deadline_moment(deadline)
        due = moment - timedelta(hours=hours_before_deadline)
        # Not for a request created inside that window (its invitation just went out).
        if due > invited_at:
            # It is the last one: day steps that would fall after it are dropped, and once the
            # deadline has passed it is not sent late.
            steps = [step for step in steps if step.due_at < due]
            if now < moment:
                steps.append(Step(DEADLINE_STEP, due))
    due_steps = [step for step in steps if step.due_at <= now]
    return max(due_steps, key=lambda step: step.due_at) if due_steps else None


@dataclass
class PlannedReminder:
    upload_request_id: int
    order_number: str
    shop_name: str
    step: str


@dataclass
class ReminderRun:
    examined: int = 0
    due: int = 0
    claimed: int = 0
    taken_by_another_run: int = 0
    retried: int = 0
    # Claimed over an hour ago and still not sent: a run or worker died mid-batch. They are not
    # sent again automatically (that could send them twice); the summary line shows them.
    stuck: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    planned: list[PlannedReminder] = field(default_factory=list)


def remindable_requests(*, now: datetime):  # type: ignore[no-untyped-def]
    return (
        UploadRequest.objects.filter(status=Status.WAITING, expires_at__gt=now)
        .exclude(order__email="")
        .exclude(
            Exists(
                BouncedAddress.objects.filter(email=Lower(OuterRef("order__email"))).filter(
                    Q(shop__isnull=True) | Q(shop=OuterRef("order__shop"))
                )
            )
        )
    )


def reminders_send_due(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> ReminderRun:
    """Claim and send every reminder that is due, batch by batch (one mail connection a batch).

    ``dry_run`` only lists what would go out (in ``ReminderRun.planned``). Failed emails whose
    back-off has passed are sent again first.
    """
    now = now or timezone.now()
    run = ReminderRun()
    if not dry_run:
        run.retried = contacts.contact_emails_retry_due(now=now, batch_size=batch_size)
    run.stuck = (
        ContactLogEntry.objects.filter(
            outcome=ContactLogEntry.Outcome.PENDING, at__lt=now - STUCK_AFTER
        )
        .exclude(claim="")
        .count()
    )
    shops = {shop.pk: shop for shop in Shop.objects.all()}
    schedules = {
        pk: (schedule_days(shop), shop.reminder_hours_before_deadline) for pk, shop in shops.items()
    }
    candidates = remindable_requests(now=now)
    total = candidates.count()
    last_pk = 0
    while True:
        # Keyset pagination: memory stays one batch whatever the number of requests.
        rows = list(
            candidates.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "created_at", "order__deadline", "order__shop_id", "order__number")[
                :batch_size
            ]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        run.examined += len(rows)
        wanted: dict[int, tuple[str, str, int]] = {}
        for pk, created_at, deadline, shop_id, number in rows:
            days, hours = schedules[shop_id]
            step = step_due(
                invited_at=created_at,
                deadline=deadline,
                days=days,
                hours_before_deadline=hours,
                now=now,
            )
            if step is not None:
                wanted[pk] = (step.name, number, shop_id)
        if wanted:
            _handle_batch(run, wanted, shops=shops, now=now, dry_run=dry_run)
        if progress is not None:
            progress(run.examined, total)
    return run


def _handle_batch(
    run: ReminderRun,
    wanted: dict[int, tuple[str, str, int]],
    *,
    shops: dict[int, Shop],
    now: datetime,
    dry_run: bool,
) -> None:
    taken = set(
        ContactLogEntry.objects.filter(
            upload_request_id__in=list(wanted), kind=ContactLogEntry.Kind.REMINDER
        )
        .exclude(step="")
        .values_list("upload_request_id", "step")
    )
    due = {pk: value for pk, value in wanted.items() if (pk, value[0]) not in taken}
    run.due += len(due)
    if not due:
        return
    if dry_run:
        run.planned.extend(
            PlannedReminder(pk, number, shops[shop_id].name, step)
            for pk, (step, number, shop_id) in due.items()
        )
        return
    claim = contacts.new_claim()
    ContactLogEntry.objects.bulk_create(
        [
            ContactLogEntry(
                upload_request_id=pk,
                channel=ContactLogEntry.Channel.EMAIL,
                kind=ContactLogEntry.Kind.REMINDER,
                step=step,
                outcome=ContactLogEntry.Outcome.PENDING,
                claim=claim,
                at=now,
            )
            for pk, (step, _number, _shop) in due.items()
        ],
        # A row another run inserted first is skipped, not an error: that run sends it.
        ignore_conflicts=True,
    )
    claimed = list(
        ContactLogEntry.objects.filter(claim=claim).order_by("pk").values_list("pk", flat=True)
    )
    run.claimed += len(claimed)
    run.taken_by_another_run += len(due) - len(claimed)
    if claimed:
        _merge(run.outcomes, _send(claimed))


def _send(entry_ids: list[int]) -> dict[str, int]:

    result = messaging_tasks.send_contact_emails.enqueue(entry_ids=entry_ids)
    if result.status == TaskResultStatus.SUCCESSFUL:
        return dict(result.return_value or {})
    if result.is_finished:
        return {"error": len(entry_ids)}
    return {"queued": len(entry_ids)}  # a worker backend sends it later


def _merge(total: dict[str, int], part: dict[str, int]) -> None:
    for key, count in part.items():
        total[key] = total.get(key, 0) + count


def reminder_send_now(
    *, upload_request: UploadRequest, actor: AbstractBaseUser | None = None
) -> ContactLogEntry:
    """Staff ask for a reminder outside the schedule (the admin action "send a reminder now")."""
    order = upload_request.order
    if (
        upload_request.status not in (Status.WAITING, Status.REJECTED)
        or upload_request.is_link_expired
    ):
        raise ServiceError(_("Only a customer who still has to upload can be reminded."))
    if not order.email:
        raise ServiceError(_("The order has no customer email address."))
    if sending.email_is_bounced(email=order.email, shop_id=order.shop_id):
        raise ServiceError(_("The customer's email address bounces."))
    entry = contacts.email_queue(
        upload_request=upload_request, kind=ContactLogEntry.Kind.REMINDER, actor=actor
    )
    if actor is not None:  # the reminder carries the link
        audit.audit_record(
            actor=actor,
            action=AuditEvent.Action.LINK_SENT,
            upload_request=upload_request,
            detail="reminder",
        )
    return entry
