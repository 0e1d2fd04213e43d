#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed, reusing models across clones.
#
# The key hashes everything training reads (config.yml, nlu/domain.yml, nlu/data,
# nlu/rules, nlu/lookups, our components in orient_nlu/ and the Rasa requirements);
# a model trained from the same inputs in any clone is copied from the cache
# instead of trained again.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${ORIENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orient}/models
key=$( { sha256sum requirements-rasa.txt config.yml nlu/domain.yml;
         find nlu/data nlu/rules nlu/lookups orient_nlu -name '*.yml' -o -name '*.py' -path 'orient_nlu/*' | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)

if [ -f models/orient.tar.gz ] && [ "$(cat models/orient.key 2>/dev/null)" = "$key" ]; then
  echo "Model up to date ($key)."
  exit 0
fi
mkdir -p models "$cache"
if [ -f "$cache/$key.tar.gz" ]; then
  cp "$cache/$key.tar.gz" models/orient.tar.gz
  echo "Model reused from the cache ($key)."
else
  PYTHONPATH=$PWD TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore .venv-rasa/bin/python scripts/check-rasa-config.py config.yml
  echo "Training the model ($key); a few minutes the first time..."
  start=$(date +%s)
  PYTHONPATH=$PWD TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 .venv-rasa/bin/rasa train \
    --config config.yml --domain nlu/domain.yml --data nlu/data nlu/rules nlu/lookups \
    --out models --fixed-model-name orient --quiet
  echo "Trained in $(( $(date +%s) - start )) s."
  cp models/orient.tar.gz "$cache/$key.tar.gz.tmp"
  mv "$cache/$key.tar.gz.tmp" "$cache/$key.tar.gz"
fi
echo "$key" > models/orient.key
