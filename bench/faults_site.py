"""The Django side of the fault benchmark and test, run as ``python -m bench.faults_site
seed|verify ...`` with the stack's environment (straight to PostgreSQL and S3, not through the
proxies the faults are made with)."""

import json
import sys
from pathlib import Path

import django

django.setup()

from django.contrib.auth.models import Group, Permission

from bench import load_site
from uploads.core import storage
from uploads.documents import services as document_services
from uploads.documents import specimens
from uploads.models import PassportDocument, UploadRequest
from uploads.papers import services as papers_services


def seed(orders: int, photos: int, out_dir: Path) -> dict:
    """The load benchmark's shop, staff and orders; staff may see images; and one request whose
    passport the customer already confirmed (what the seller opens during the faults)."""
    seeded = load_site.seed(orders, 0, photos, 4, out_dir)
    Group.objects.get(name="bench staff").permissions.add(
        Permission.objects.get(codename="view_passport_image")
    )
    confirmed = UploadRequest.objects.get(order__number="B-00000")
    document = document_services.document_submit(
        upload_request=confirmed,
        data=specimens.render_jpeg(specimens.ERIKSSON),
        consent_document_id=papers_services.consent_document_shown(
            shop=confirmed.order.shop, language="ru"
        ).pk,
    )
    PassportDocument.objects.filter(pk=document.pk).update(mrz_status="not_found")
    document.refresh_from_db()
    document_services.document_confirm(document=document, fields={"surname": "ERIKSSON"})
    seeded["confirmed_request"] = confirmed.pk
    seeded["tokens"] = seeded["tokens"][1:]
    return seeded


def verify(acknowledged_file: Path, photos_file: Path) -> dict:
    """Every acknowledged upload stored and decrypting (load_site.verify), and the stored files
    no document refers to (the orphans the daily sweep deletes after an hour)."""
    result = load_site.verify(acknowledged_file, photos_file)
    referenced = set(
        PassportDocument.objects.exclude(blob_name="").values_list("blob_name", flat=True)
    )
    stored = {name for folder in storage.blob_folders() for name in storage.blob_names_in(folder)}
    result["orphans"] = len(stored - referenced)
    result["stored"] = len(stored)
    return result


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        answer = seed(int(args[0]), int(args[1]), Path(args[2]))
    elif command == "verify":
        answer = verify(Path(args[0]), Path(args[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(answer))
