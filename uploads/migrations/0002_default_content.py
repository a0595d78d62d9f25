"""The content the portal ships with, in every customer language: the first consent text, the photo
guidance, the FAQ and the customer email templates. Staff edit it in admin afterwards.

The English texts below are marked for translation, so translators keep them in the same ``.po``
files as the rest of the site; this migration fills each language's field from its catalogue.
"""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext_noop

CONSENT_VERSION = "2026-11"
CONSENT = gettext_noop(
    "I allow the seller named above to process my passport data (surname, given names, document "
    "number, nationality, date of birth, sex, expiry date and a photo of the passport page) for the "
    "customs clearance of this order. The data is stored encrypted, is seen only by the seller's staff "
    "who handle customs, and is deleted within the period stated above after the order is completed. "
    "I can withdraw this consent by writing to the seller."
)

GUIDANCE = [
    gettext_noop("Open the passport at the page with your photo."),
    gettext_noop("Lay it flat on a plain, dark surface in good light, without glare or shadows."),
    gettext_noop("Hold the phone straight above the page so that the whole page fits in the frame."),
    gettext_noop("Check that the two lines of letters and <<< at the bottom of the page are sharp."),
]

FAQ = [
    (
        gettext_noop("Which files can I send?"),
        gettext_noop(
            "A photo (JPEG, PNG, or HEIC as iPhones save it) or a PDF, up to 20 MB and 50 megapixels. "
            "Only the first page of a PDF is used."
        ),
    ),
    (
        gettext_noop("Why does the seller need my passport?"),
        gettext_noop(
            "Customs requires the recipient's passport details to clear a parcel from abroad. Without "
            "them the parcel can be held at customs or sent back."
        ),
    ),
    (
        gettext_noop("What is stored, and for how long?"),
        gettext_noop(
            "The photo of the passport page and the details you confirm. They are stored encrypted and "
            "deleted after the order is completed, within the period stated on this page."
        ),
    ),
    (
        gettext_noop("Who can see my passport?"),
        gettext_noop(
            "Only the seller's staff who handle customs for your order; the details go to customs "
            "through the carrier. Every time staff open your passport, it is recorded."
        ),
    ),
    (
        gettext_noop("Can I change the photo after sending it?"),
        gettext_noop("Yes. Open the same link and upload a new photo until the seller has accepted it."),
    ),
]

EMAILS = {
    "invitation": (
        gettext_noop("{shop}: passport needed for order {order_number}"),
        gettext_noop(
            "Hello, {customer_name}!\n\n"
            "{shop} needs a photo of your passport for order {order_number}: customs asks for the "
            "recipient's passport details to clear a parcel from abroad.\n\n"
            "Upload it here, from your phone or computer:\n{link}\n\n"
            "The link works until {expires}. Do not forward it: anyone with the link can upload a "
            "passport for this order."
        ),
    ),
    "reminder": (
        gettext_noop("Reminder: passport needed for order {order_number}"),
        gettext_noop(
            "Hello, {customer_name}!\n\n"
            "{shop} is still waiting for a photo of your passport for order {order_number}. Without it "
            "the parcel cannot clear customs.\n\n"
            "It takes a minute from your phone:\n{link}\n\n"
            "The link works until {expires}."
        ),
    ),
    "rejection": (
        gettext_noop("Order {order_number}: please upload your passport again"),
        gettext_noop(
            "Hello, {customer_name}!\n\n"
            "{shop} could not use the passport you uploaded for order {order_number}. The reason:\n"
            "{reason}\n\n"
            "Please upload it again here:\n{link}"
        ),
    ),
}


def _each_language(text: str) -> dict[str, str]:
    values = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values[code.replace("-", "_")] = translation.gettext(text)
    return values


def _translated(field: str, text: str) -> dict[str, str]:
    values = {f"{field}_{language}": value for language, value in _each_language(text).items()}
    values[field] = values[f"{field}_ru"]
    return values


def publish(apps, schema_editor):
    ConsentText = apps.get_model("uploads", "ConsentText")
    GuidanceStep = apps.get_model("uploads", "GuidanceStep")
    FaqEntry = apps.get_model("uploads", "FaqEntry")
    EmailTemplate = apps.get_model("uploads", "EmailTemplate")
    if not ConsentText.objects.filter(version=CONSENT_VERSION).exists():
        ConsentText.objects.create(version=CONSENT_VERSION, **_translated("body", CONSENT))
    if not GuidanceStep.objects.exists():
        for position, text in enumerate(GUIDANCE, start=1):
            GuidanceStep.objects.create(position=position, **_translated("text", text))
    if not FaqEntry.objects.exists():
        for position, (question, answer) in enumerate(FAQ, start=1):
            FaqEntry.objects.create(position=position, **_translated("question", question), **_translated("answer", answer))
    for kind, (subject, body) in EMAILS.items():
        if not EmailTemplate.objects.filter(kind=kind).exists():
            EmailTemplate.objects.create(kind=kind, **_translated("subject", subject), **_translated("body", body))


class Migration(migrations.Migration):
    dependencies = [("uploads", "0001_initial")]
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
