#!/usr/bin/env bash
# Builds Zou's own virtualenv (the real Kitsu server the Kitsu tests run against), once per version.
#
# Zou pins its own dependencies (Flask, SQLAlchemy, pydantic...), so it lives apart from the
# toolkit's .venv. The venv is reused while it holds the pinned version: a second run is instant.
#   ZOU_VENV     where to build it (default: .zou at the repo root; CI points it at a cache dir)
#   ZOU_VERSION  the Zou release the Kitsu tests were verified against
#   PYTHON       the interpreter to build it with (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."

ZOU_VERSION="${ZOU_VERSION:-1.0.97}"
ZOU_VENV="${ZOU_VENV:-.zou}"
PYTHON="${PYTHON:-python3}"
STAMP="$ZOU_VENV/.zou-version"

if [ -x "$ZOU_VENV/bin/zou" ] && [ -x "$ZOU_VENV/bin/gunicorn" ] \
    && [ "$(cat "$STAMP" 2>/dev/null)" = "$ZOU_VERSION" ]; then
    echo "zou $ZOU_VERSION already installed in $ZOU_VENV"
    exit 0
fi

start=$(date +%s)
rm -rf "$ZOU_VENV"
"$PYTHON" -m venv "$ZOU_VENV"
"$ZOU_VENV/bin/pip" install --quiet --disable-pip-version-check "zou==$ZOU_VERSION"
"$ZOU_VENV/bin/zou" version >/dev/null
echo "$ZOU_VERSION" > "$STAMP"
echo "zou $ZOU_VERSION installed in $ZOU_VENV in $(( $(date +%s) - start ))s"
