"""The Django side of the load benchmark, run as ``python -m bench.load_site seed|verify ...`` with
the benchmark's environment: create the shop, staff, orders and photos; check the stored uploads."""

import hashlib
import io
import json
import secrets
import sys
from pathlib import Path

import django

django.setup()

import numpy as np
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone
from PIL import Image

from uploads.core import storage
from uploads.core.images import normalise_upload
from uploads.core.tokens import hash_token, new_token
from uploads.documents import selectors as document_selectors
from uploads.documents import specimens
from uploads.models import (
    BackupCode,
    BackupCodeDevice,
    Order,
    PassportDocument,
    Shop,
    UploadRequest,
)
from uploads.papers.operator import DEMO_OPERATOR
from uploads.requests import links
from uploads.requests import services as request_services

STAFF_PERMISSIONS = ["view_uploadrequest", "change_uploadrequest", "view_order", "view_shop"]
PHOTO_SIZE = (3000, 2250)


def phone_photo(specimen: specimens.Specimen, seed: int) -> bytes:
    """The specimen page on a 3000x2250 background with sensor noise, saved as a phone would
    (high JPEG quality): 3-4 MB, like the photos customers send."""
    page = specimens.render_page(specimen, width=PHOTO_SIZE[0] - 200)
    canvas = Image.new("RGB", PHOTO_SIZE, (128, 116, 104))
    canvas.paste(page, (100, (PHOTO_SIZE[1] - page.size[1]) // 2))
    pixels = np.asarray(canvas).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 12, pixels.shape)
    noisy = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    noisy.save(out, format="JPEG", quality=93)
    return out.getvalue()


def filler_requests(shop: Shop, count: int, *, batch: int = 5000) -> None:
    """``count`` more orders with their requests in every state, written in bulk for the admin list."""
    statuses = [choice for choice, _label in UploadRequest.Status.choices]
    now = timezone.now()
    made = 0
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(
                    shop=shop,
                    number=f"F-{made + i:07d}",
                    customer_name=f"Filler Customer {made + i}",
                    email=f"filler{made + i}@example.com",
                    language="ru",
                    created_at=now - timezone.timedelta(minutes=made + i),
                )
                for i in range(size)
            )
            tokens = [new_token() for _order in orders]
            requests = UploadRequest.objects.bulk_create(
                UploadRequest(
                    order=order,
                    token_hash=hash_token(token),
                    token_sealed=b"",
                    status=statuses[(made + i) % len(statuses)],
                    expires_at=now + timezone.timedelta(days=30),
                    created_at=order.created_at,
                )
                for i, (order, token) in enumerate(zip(orders, tokens, strict=True))
            )
            # Sealed once the requests have their ids, as order_create seals them.
            for request, token in zip(requests, tokens, strict=True):
                request.token_sealed = links.token_seal(token, upload_request=request)
            UploadRequest.objects.bulk_update(requests, ["token_sealed"], batch_size=1000)
        made += size


def backup_codes(user: User, count: int) -> list[str]:
    """One backup code per staff session: the admin lets nobody in on a password alone, and a
    backup code is the second factor a script can type (each works once)."""
    device = BackupCodeDevice.objects.create(
        user=user, name="backup codes", confirmed=True, salt=secrets.token_bytes(16)
    )
    codes = [BackupCodeDevice.random_code() for _ in range(count)]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, code_hash=device.code_hash(code)) for code in codes
    )
    return codes


def seed(orders: int, filler: int, photos: int, staff_sessions: int, out_dir: Path) -> dict:
    shop = Shop.objects.create(
        name="Bench Shop", contact_email="bench@example.com", **DEMO_OPERATOR
    )
    password = secrets.token_urlsafe(12)
    staff = User.objects.create_user(username="bench-staff", password=password, is_staff=True)
    group = Group.objects.create(name="bench staff")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="uploads", codename__in=STAFF_PERMISSIONS)
    )
    staff.groups.add(group)
    shop.members.add(staff)
    filler_requests(shop, filler)
    tokens = [
        request_services.order_create(
            shop_id=shop.pk, number=f"B-{index:05d}", customer_name=f"Bench Customer {index}",
            language="ru",
        ).token
        for index in range(orders)
    ]  # fmt: skip
    made = []
    for index in range(photos):
        specimen = (specimens.ERIKSSON, specimens.PETROV)[index % 2]
        data = phone_photo(specimen, seed=index)
        path = out_dir / f"photo-{index}.jpg"
        path.write_bytes(data)
        made.append(
            {
                "path": str(path),
                "bytes": len(data),
                # What the pipeline stores: the normalised JPEG (EXIF turned, metadata stripped).
                "stored_sha256": hashlib.sha256(normalise_upload(data).jpeg).hexdigest(),
                "surname": specimen.surname,
                "number": specimen.number,
            }
        )
    return {
        "tokens": tokens,
        "photos": made,
        "staff": {
            "username": "bench-staff",
            "password": password,
            "codes": backup_codes(staff, staff_sessions),
        },
    }


def verify(acknowledged_file: Path, photos_file: Path) -> dict:
    """Every acknowledged upload is stored and decrypts to the normalised photo that was sent."""
    acknowledged = json.loads(acknowledged_file.read_text())
    photos = json.loads(photos_file.read_text())
    result = {"checked": 0, "missing": 0, "mismatch": 0, "mrz": {}}
    for item in acknowledged:
        upload_request = UploadRequest.objects.get(token_hash=hash_token(item["token"]))
        document = (
            PassportDocument.objects.filter(upload_request=upload_request)
            .exclude(blob_name="")
            .order_by("-created_at")
            .first()
        )
        result["checked"] += 1
        if document is None or not storage.passport_storage().exists(document.blob_name):
            result["missing"] += 1
            continue
        plaintext = storage.blob_read(
            key=document_selectors.document_key(document), name=document.blob_name
        )
        if hashlib.sha256(plaintext).hexdigest() != photos[item["photo"]]["stored_sha256"]:
            result["mismatch"] += 1
        status = document.mrz_status
        if status == PassportDocument.MrzStatus.FOUND:
            surname = document_selectors.document_fields(document=document).get("surname")
            status = (
                "found, right" if surname == photos[item["photo"]]["surname"] else "found, wrong"
            )
        result["mrz"][status] = result["mrz"].get(status, 0) + 1
    return result


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        orders, filler, photos, staff_sessions, out_dir = args
        answer = seed(int(orders), int(filler), int(photos), int(staff_sessions), Path(out_dir))
    elif command == "verify":
        answer = verify(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(answer))
