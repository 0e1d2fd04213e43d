#!/usr/bin/env bash
# Make .venv-rasa: Rasa 3.6.21 on Python 3.10, reused across clones.
#
# The environment takes about 5 minutes and 2.7 GB to build, so it lives in a
# cache keyed by requirements-rasa.txt and the interpreter's version, and
# .venv-rasa is a symlink to it. A second clone with the same inputs links in
# a second. Set RASA_PYTHON to any Python 3.10 if pyenv's is not there.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if [ -n "${RASA_PYTHON:-}" ]; then echo "$RASA_PYTHON"; return; fi
  for candidate in "$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python" python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 || [ -x "$candidate" ]; then
      if "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
        echo "$candidate"; return
      fi
    fi
  done
  echo "Error: Rasa 3.6 needs Python 3.10. Install it (e.g. 'pyenv install 3.10.13') or set RASA_PYTHON=/path/to/python3.10." >&2
  exit 1
}

py=$(find_python)
cache=${ORIENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orient}
key=$( { "$py" --version 2>&1; cat requirements-rasa.txt; } | sha256sum | cut -c1-16)
target="$cache/venv-rasa-$key"

mkdir -p "$cache"
exec 9>"$cache/venv-rasa.lock"
flock 9  # two clones building at once would corrupt one environment
if [ ! -f "$target/.complete" ]; then
  echo "Building the Rasa environment in $target (first time: about 5 minutes, 2.7 GB)..."
  # venvs hard-code their own path in their scripts, so build in place;
  # .complete marks a finished build, anything else is rebuilt.
  rm -rf "$target"
  "$py" -m venv "$target"
  "$target/bin/pip" install --quiet --upgrade "pip<25" wheel
  "$target/bin/pip" install --quiet -r requirements-rasa.txt
  touch "$target/.complete"
fi
if [ "$(readlink .venv-rasa 2>/dev/null)" != "$target" ]; then
  rm -rf .venv-rasa
  ln -s "$target" .venv-rasa
fi
