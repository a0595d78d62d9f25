"""Every catalogue is sound and complete, and each language really renders."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from portal.i18n_report import catalogues, check


@pytest.mark.parametrize("po", catalogues(), ids=lambda path: path.parts[-3])
def test_it_has_a_sound_and_complete_catalogue(po):
    status = check(po)
    assert status.errors == "", status.errors
    assert status.fuzzy == 0, f"{po}: {status.fuzzy} fuzzy entries need a translator's review"
    assert status.untranslated == 0, f"{po}: {status.untranslated} entries are not translated"
    assert status.translated > 100


def test_it_ships_a_catalogue_for_every_language_but_the_source(settings):
    shipped = {path.parts[-3] for path in catalogues()}
    expected = {translation.to_locale(code) for code, _ in settings.LANGUAGES} - {"en"}
    assert shipped == expected


@pytest.mark.parametrize("language", ["ru", "zh-hans", "en"])
def test_it_renders_the_customer_page_in_each_language(client, link, language):
    client.get(f"/u/{link.token}/")
    client.post("/i18n/setlang/", {"language": language, "next": "/upload/"})
    page = client.get("/upload/").content.decode()
    assert f'<html lang="{language}">' in page
    with translation.override(language):
        assert gettext("Why it is needed") in page
        assert gettext("Take a photo") in page
