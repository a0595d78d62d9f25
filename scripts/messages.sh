#!/usr/bin/env bash
# Update the translation catalogues from the code: the English source catalogue first, then each
# language's file is merged with it (new strings appear untranslated, changed ones marked fuzzy).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

"$PY" manage.py makemessages --locale en --no-location --no-obsolete \
    --ignore '.venv/*' --ignore 'data/*' --ignore 'tests/*' >/dev/null
source=locale/en/LC_MESSAGES/django.po
# A language added to settings.LANGUAGES gets its catalogue here, empty, ready for a translator.
for locale in $("$PY" manage.py shell -v 0 -c \
        "from django.conf import settings; from django.utils.translation import to_locale; print(*[to_locale(code) for code, _ in settings.LANGUAGES if code != 'en'])"); do
    po=locale/$locale/LC_MESSAGES/django.po
    if [ ! -f "$po" ]; then
        mkdir -p "$(dirname "$po")"
        msginit --no-translator --no-wrap --locale "$locale" --input "$source" --output-file "$po" 2>/dev/null
    fi
done
for po in locale/*/LC_MESSAGES/django.po; do
    [ "$po" = "$source" ] && continue
    msgmerge --quiet --update --backup=none --no-location --no-wrap "$po" "$source"
    msgattrib --no-obsolete --no-wrap -o "$po" "$po"
done
"$PY" -m portal.i18n_report
