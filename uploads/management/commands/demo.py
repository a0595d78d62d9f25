"""Load a demo shop with orders in every state, and print how to get in. Safe to run again."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from uploads.documents import selectors as document_selectors
from uploads.documents import services as document_services
from uploads.documents import specimens
from uploads.models import Order, Shop, UploadRequest
from uploads.papers import services as papers_services
from uploads.papers.operator import DEMO_OPERATOR
from uploads.requests import links
from uploads.requests import services as request_services
from uploads.shops import services as shops

SHOP_NAME = "Demo Shop 演示店"
STAFF_GROUP = "Shop staff"
STAFF_PERMISSIONS = [
    "view_shop", "change_shop",
    "view_order", "add_order", "change_order",
    "view_uploadrequest", "change_uploadrequest", "decide_uploadrequest",
    "view_auditevent", "view_transferrecord",
    "view_apitoken", "add_apitoken", "change_apitoken",
    "view_webhookendpoint", "add_webhookendpoint", "change_webhookendpoint",
    "view_webhookdelivery",
    "view_passport_image", "view_passport_fields", "export_passport", "purge_passport",
    "view_upload_link",
    "view_contactlogentry", "add_contactlogentry",
    "view_feedback",
]  # fmt: skip
SELLER = ("seller", "seller-demo-2026")
ADMIN = ("admin", "admin-demo-2026")

ORDERS = [
    # number, customer, email, language, days to deadline, state
    ("DEMO-1001", "Анна Смирнова", "anna@example.com", "ru", 10, "waiting"),
    ("DEMO-1002", "Ivan Petrov", "ivan@example.com", "en", -3, "waiting"),
    ("DEMO-1003", "Erik Eriksson", "erik@example.com", "ru", 7, "uploaded"),
    ("DEMO-1004", "Мария Иванова", "maria@example.com", "ru", 5, "accepted"),
    ("DEMO-1005", "Пётр Козлов", "petr@example.com", "ru", 2, "rejected"),
]


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo shop, users and orders and print the admin and upload links."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url", default=settings.SITE_URL, help="Base URL printed in the links."
        )
        parser.add_argument(
            "--send-invitations",
            action="store_true",
            help="Email the demo customers their invitations (off: their addresses are made up).",
        )

    def handle(self, *args: object, site_url: str, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo uses published passwords: it runs only with DEBUG on.")
        self.send_invitations = bool(options.get("send_invitations"))
        with transaction.atomic():
            shop = self._shop()
            requests = [self._order(shop, *row) for row in ORDERS]
        # A specimen page (a fictional person) to try the upload with.
        sample = settings.DATA_DIR / "demo-passport.jpg"
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(specimens.render_jpeg(specimens.PETROV, width=2400))
        site_url = site_url.rstrip("/")
        self.stdout.write(f"admin: {site_url}/admin/ {SELLER[0]} {SELLER[1]}")
        for upload_request in requests:
            if upload_request.status == UploadRequest.Status.EXPIRED:
                link = request_services.upload_link_issue(upload_request=upload_request)
            else:
                link = links.upload_link_current(upload_request=upload_request)
            self.stdout.write(f"upload link: {site_url}/u/{link.token}/")
        self.stderr.write(
            f"(superuser: {ADMIN[0]} {ADMIN[1]}; a specimen passport to upload: {sample}; statuses: "
            + ", ".join(f"{r.order.number}={r.status}" for r in requests)
            + ")"
        )

    def _shop(self) -> Shop:
        shop = shops.shop_ensure(
            name=SHOP_NAME,
            contact_email="shop@example.com",
            notification_language="zh-hans",
            operator=DEMO_OPERATOR,
        )
        seller = shops.staff_user_ensure(username=SELLER[0], password=SELLER[1])
        shops.shop_member_add(
            shop=shop, user=seller, group_name=STAFF_GROUP, permission_codenames=STAFF_PERMISSIONS
        )
        shops.staff_user_ensure(username=ADMIN[0], password=ADMIN[1], superuser=True)
        return shop

    def _order(
        self, shop: Shop, number: str, name: str, email: str, language: str, days: int, state: str
    ) -> UploadRequest:
        existing = Order.objects.filter(shop=shop, number=number).first()
        if existing is not None:
            return existing.upload_request
        link = request_services.order_create(
            shop_id=shop.pk,
            number=number,
            customer_name=name,
            email=email,
            language=language,
            deadline=timezone.localdate() + timedelta(days=days),
            send_invitation=self.send_invitations,
        )
        upload_request = link.upload_request
        if state != "waiting":
            self._upload(upload_request)
            decider = User.objects.get(username=SELLER[0])
            if state == "accepted":
                request_services.request_accept(upload_request=upload_request, actor=decider)
            elif state == "rejected":
                request_services.request_reject(
                    upload_request=upload_request,
                    actor=decider,
                    reason="The photo is blurred; please retake it in daylight.",
                )
        upload_request.refresh_from_db()
        return upload_request

    def _upload(self, upload_request: UploadRequest) -> None:
        document = document_services.document_submit(
            upload_request=upload_request,
            data=specimens.render_jpeg(specimens.ERIKSSON),
            consent_document_id=papers_services.consent_document_shown(
                shop=upload_request.order.shop, language=upload_request.order.email_language
            ).pk,
        )
        document_services.document_read_mrz(document_id=document.pk)
        document.refresh_from_db()
        fields = document_selectors.document_fields(document=document)
        document_services.document_confirm(document=document, fields=fields)
