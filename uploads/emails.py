"""Building and sending the portal's emails from templates in ``templates/emails/<name>/``.

Customer emails go out in the order's language, staff notifications in the shop's, whatever
language the person who triggered them uses. A failure to send is logged (without the address or
any passport data) and never breaks the action that triggered it.
"""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from uploads.models import UploadRequest

logger = logging.getLogger(__name__)


def _send(*, template: str, to: str, language: str, context: dict[str, object]) -> bool:
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("could not send the %s email: %s", template, type(error).__name__)
        return False
    return True


def _customer_context(upload_request: UploadRequest, link_url: str) -> dict[str, object]:
    order = upload_request.order
    return {
        "order": order,
        "shop": order.shop,
        "upload_request": upload_request,
        "link_url": link_url,
    }


def send_invitation(*, upload_request: UploadRequest, link_url: str) -> bool:
    order = upload_request.order
    return _send(
        template="invitation",
        to=order.email,
        language=order.language,
        context=_customer_context(upload_request, link_url),
    )


def send_rejection(*, upload_request: UploadRequest, link_url: str) -> bool:
    order = upload_request.order
    return _send(
        template="rejection",
        to=order.email,
        language=order.language,
        context=_customer_context(upload_request, link_url),
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
