from io import StringIO

from django.core.management import call_command

from uploads.models import ConsentText


def test_it_has_a_migration_for_every_model_change(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_it_publishes_a_consent_text_in_every_shipped_language(db):
    consent = ConsentText.objects.get()
    assert consent.body_ru and consent.body_en and consent.body_zh_hans
