#!/usr/bin/env bash
# Rebuilds the translation catalogues from the code (`make messages`): every string marked for
# translation goes into locale/<language>/LC_MESSAGES/django.po (Python and templates) and
# djangojs.po (static/js), translations already made are kept, and the .mo files Django reads
# are compiled. Needs GNU gettext (Debian's gettext package). Translate by editing the .po
# files, then run this again; tests/test_translations.py fails on a patient-facing string left
# untranslated or fuzzy, and on a .mo older than its .po.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export SECRET_KEY="${SECRET_KEY:-messages-only-not-secret}"
export DEBUG=false

exec 9>locale/.messages.lock
flock 9

IGNORE=(--ignore='tests/*' --ignore='bench/*' --ignore='test-artifacts/*' --ignore='staticfiles/*'
        --ignore='static/vendor/*' --ignore='locale/*' --ignore='scripts/*' --ignore='docs/*')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for language in $(ls locale | grep -v '\.'); do
  "$PY" manage.py makemessages --locale "$language" --keep-pot --no-wrap "${IGNORE[@]}" \
    --verbosity 0
  "$PY" manage.py makemessages --domain djangojs --locale "$language" --keep-pot --no-wrap \
    "${IGNORE[@]}" --verbosity 0
  for domain in django djangojs; do
    po="locale/$language/LC_MESSAGES/$domain.po"
    pot="locale/$domain.pot"
    [ -f "$pot" ] || continue  # nothing marked in this domain yet
    # Spanish and the languages like it: one form for 1, another for the rest.
    cat >"$work/header.po" <<HEADER
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: $language\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
HEADER
    sources=("$work/header.po")
    [ -f "$po" ] || cp "$work/header.po" "$po"
    msgattrib --translated --no-fuzzy --no-obsolete "$po" >"$work/kept.po"
    sources+=("$work/kept.po")
    msgcat --use-first --no-wrap "${sources[@]}" -o "$work/known.po"
    [ -s "$work/known.po" ] || cp "$work/header.po" "$work/known.po"  # nothing translated yet
    msgmerge --quiet --no-fuzzy-matching --no-wrap "$work/known.po" "$pot" -o "$po"
    rm -f "$pot"
  done
done
"$PY" manage.py compilemessages --verbosity 0
