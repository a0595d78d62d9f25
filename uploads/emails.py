"""Building and sending the portal's emails.

Customer emails come from staff-editable ``EmailTemplate`` rows (one text per language) and go out
in the order's language; staff notifications come from ``templates/emails/<name>/`` in the shop's
language; neither depends on the language of whoever triggered them. A failure to send is logged
(without the address or any passport data) and never breaks the action that triggered it.
"""

import logging
import re
import smtplib
from dataclasses import dataclass
from html import escape as html_escape
from typing import cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from uploads.models import EmailTemplate, UploadRequest

logger = logging.getLogger(__name__)


def _deliver(*, subject: str, text: str, html: str, to: str, kind: str) -> bool:
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("could not send the %s email: %s", kind, type(error).__name__)
        return False
    return True


def _send(*, template: str, to: str, language: str, context: dict[str, object]) -> bool:
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    return _deliver(subject=subject, text=text, html=html, to=to, kind=template)


PLACEHOLDER_PATTERN = re.compile(r"\{(\w+)\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` with its value; anything else (unknown names, stray braces) stays as written.

    Deliberately not ``str.format``: staff-written text must not reach attributes of the values.
    """
    return PLACEHOLDER_PATTERN.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def send_customer_email(*, kind: str, upload_request: UploadRequest, link_url: str) -> bool:
    """Send the customer the email of this kind from its (staff-editable) template, in the order's language."""
    message = build_customer_email(kind=kind, upload_request=upload_request, link_url=link_url)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("could not send the %s email: %s", kind, type(error).__name__)
        return False
    return True


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


def _customer_frame(*, kind: str, template: EmailTemplate, has_deadline: bool) -> _Frame:
    values = {name: _marker(name) for name in EmailTemplate.PLACEHOLDERS}
    values["link"] = _LINK_MARKER
    context = {
        "body": fill_placeholders(template.body, values),
        "link_url": _LINK_MARKER,
        "shop_name": _marker("shop"),
        "order_number": _marker("order_number"),
        "deadline": _marker("deadline") if has_deadline else "",
        "with_steps": kind != EmailTemplate.Kind.REJECTION,
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
        key = (kind, language, str(order.deadline is not None))
        frame = cast(_Frame | None, cache.get(key))
        if frame is None:
            template = EmailTemplate.objects.get(kind=kind)
            frame = cache[key] = _customer_frame(
                kind=kind, template=template, has_deadline=order.deadline is not None
            )
        values = {
            "customer_name": order.customer_name,
            "shop": order.shop.name,
            "order_number": order.number,
            "link": link_url,
            "expires": formats.date_format(
                timezone.localtime(upload_request.expires_at), "DATE_FORMAT"
            ),
            "reason": upload_request.rejection_reason,
            "deadline": formats.date_format(order.deadline, "DATE_FORMAT")
            if order.deadline
            else "",
        }
    subject = " ".join(_fill(frame.subject, values, html=False).split())
    message = EmailMultiAlternatives(
        subject=subject, body=_fill(frame.text, values, html=False), to=[order.email]
    )
    message.attach_alternative(_fill(frame.html, values, html=True), "text/html")
    return message


def send_invitation(*, upload_request: UploadRequest, link_url: str) -> bool:
    return send_customer_email(
        kind=EmailTemplate.Kind.INVITATION, upload_request=upload_request, link_url=link_url
    )


def send_rejection(*, upload_request: UploadRequest, link_url: str) -> bool:
    return send_customer_email(
        kind=EmailTemplate.Kind.REJECTION, upload_request=upload_request, link_url=link_url
    )


def send_upload_notification(*, upload_request: UploadRequest) -> bool:
    """Tell the shop a customer has uploaded. Only the order number goes out, no passport data."""
    shop = upload_request.order.shop
    if not shop.contact_email:
        return False
    admin_url = settings.SITE_URL + reverse(
        "admin:uploads_uploadrequest_change", args=[upload_request.pk]
    )
    return _send(
        template="upload_notification",
        to=shop.contact_email,
        language=shop.notification_language,
        context={"order": upload_request.order, "shop": shop, "admin_url": admin_url},
    )
