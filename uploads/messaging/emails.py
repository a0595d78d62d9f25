"""Building the portal's customer emails (the staff ones are built in uploads.messaging).

Customer emails come from staff-editable ``EmailTemplate`` rows (one text per language) and go out
in the order's language; staff notifications come from ``templates/emails/<name>/`` in the shop's
language; neither depends on the language of whoever triggered them. Sending, logging and retrying
are ``uploads.messaging``'s job.
"""

import re
from dataclasses import dataclass
from datetime import date
from html import escape as html_escape
from typing import cast

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from uploads.models import CustomsSettings, EmailTemplate, PhotoPolicy, UploadRequest

PLACEHOLDER_PATTERN = re.compile(r"\{(\w+)\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` with its value; anything else (unknown names, stray braces) stays as written.

    Deliberately not ``str.format``: staff-written text must not reach attributes of the values.
    """
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match.group(1), match.group(0)), text)


@dataclass(frozen=True)
class _Frame:
    """A customer email rendered once per (kind, language, has a deadline) with markers in place of
    the values that change from order to order; each email is then one substitution pass."""

    subject: str
    text: str
    html: str


# Markers are plain words (urlize and linebreaks leave them alone) except the link's, which is a
# URL so that urlize turns it into a link exactly as it does the real one.
_LINK_MARKER = "https://link.invalid/qqmarklinkqq/"
_MARKER_PATTERN = re.compile(r"qqmark(\w+?)qq|" + re.escape(_LINK_MARKER))


def _marker(name: str) -> str:
    return f"qqmark{name}qq"


def _customer_frame(
    *, kind: str, template: EmailTemplate, has_deadline: bool, no_photo: bool = False
) -> _Frame:
    values = {name: _marker(name) for name in EmailTemplate.PLACEHOLDERS}
    values["link"] = _LINK_MARKER
    context = {
        "body": fill_placeholders(template.body, values),
        "link_url": _LINK_MARKER,
        "shop_name": _marker("shop"),
        "order_number": _marker("order_number"),
        "deadline": _marker("deadline") if has_deadline else "",
        "with_steps": kind != EmailTemplate.Kind.REJECTION,
        # A shop that takes no photo: the steps and the button ask for the typed details.
        "no_photo": no_photo,
    }
    return _Frame(
        subject=fill_placeholders(template.subject, values),
        text=render_to_string("emails/customer/body.txt", context),
        html=render_to_string("emails/customer/body.html", context),
    )


def _fill(frame_text: str, values: dict[str, str], *, html: bool) -> str:
    def value(match: re.Match[str]) -> str:
        text = values["link"] if match.group(1) is None else values[match.group(1)]
        if not html:
            return text
        # As Django's escape and linebreaksbr filters, without their lazy-string wrappers (hot path).
        return html_escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")

    # One pass: a value that happens to contain a marker is not substituted again.
    return _MARKER_PATTERN.sub(value, frame_text)


def _date_text(day: date, language: str, cache: dict[tuple[str, ...], object]) -> str:
    """The date as the language writes it; a batch has few distinct dates, so each is formatted once."""
    key = ("date", language, day.isoformat())
    text = cache.get(key)
    if text is None:
        text = cache[key] = formats.date_format(day, "DATE_FORMAT")
    return str(text)


def _shop_takes_no_photo(shop_id: int, cache: dict[tuple[str, ...], object]) -> bool:
    """Whether the shop's photo policy is "not collected"; one query per shop in a batch."""
    key = ("no_photo", str(shop_id))
    if key not in cache:
        policy = (
            CustomsSettings.objects.filter(shop_id=shop_id)
            .values_list("photo_policy", flat=True)
            .first()
        )
        cache[key] = policy == PhotoPolicy.NOT_COLLECTED
    return bool(cache[key])


def build_customer_email(
    *,
    kind: str,
    upload_request: UploadRequest,
    link_url: str,
    cache: dict[tuple[str, ...], object] | None = None,
) -> EmailMultiAlternatives:
    """The customer's email of this kind in the order's language: the staff-written text, then the
    order's facts (seller, order number, deadline) and three short steps, as plain text and as a
    one-column table HTML that phones and old mail clients show alike.

    ``cache`` keeps the templates and rendered frames across a batch (``send_reminders`` builds
    thousands of emails; rendering each through the template engine would dominate its time).
    Values are HTML-escaped when they go into the HTML part.
    """
    cache = {} if cache is None else cache
    order = upload_request.order
    language = order.email_language
    with translation.override(language):
        no_photo = _shop_takes_no_photo(order.shop_id, cache)
        key = (kind, language, str(order.deadline is not None), str(no_photo))
        frame = cast(_Frame | None, cache.get(key))
        if frame is None:
            template = EmailTemplate.objects.get(kind=kind)
            frame = cache[key] = _customer_frame(
                kind=kind,
                template=template,
                has_deadline=order.deadline is not None,
                no_photo=no_photo,
            )
        values = {
            "customer_name": order.customer_name,
            "shop": order.shop.name,
            "order_number": order.number,
            "link": link_url,
            "expires": _date_text(timezone.localdate(upload_request.expires_at), language, cache),
            "reason": upload_request.rejection_message,
            "deadline": _date_text(order.deadline, language, cache) if order.deadline else "",
        }
    subject = " ".join(_fill(frame.subject, values, html=False).split())
    message = EmailMultiAlternatives(
        subject=subject, body=_fill(frame.text, values, html=False), to=[order.email]
    )
    message.attach_alternative(_fill(frame.html, values, html=True), "text/html")
    return message
