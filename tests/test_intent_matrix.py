"""The classifier's fast feature matrix equals Rasa's own, so a model predicts what it learned.

orient_nlu.components.IntentClassifier builds its matrix without Rasa's per-message copies
(106 s against 16 s on 61,785 examples, bench/intent_matrix.py). Runs in Rasa's environment, on messages
featurised by the real featurizers of config.yml.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = r"""
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from orient_nlu.components import IntentClassifier, SkeletonCountVectorsFeaturizer
import sys, tempfile
from pathlib import Path

storage = LocalModelStorage(Path(tempfile.mkdtemp()))
context = ExecutionContext(GraphSchema({}), "test")
texts = ["bghit nkhdem f almanya", "واش خاصني نخلص باش نخدم فبلجيكا", "salam", "on me demande 3000 euros",
         "kifach n3ref wach l'agence m9boula", "ok"]
data = TrainingData([Message(data={"text": t, "intent": f"i{n % 2}"}) for n, t in enumerate(texts)])
WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
for n, (cls, extra) in enumerate([(CountVectorsFeaturizer, {}), (CountVectorsFeaturizer, {"analyzer": "char_wb", "max_ngram": 4}),
                                  (SkeletonCountVectorsFeaturizer, {})]):
    featurizer = cls.create({**cls.get_default_config(), **extra}, storage, Resource(f"f{n}"), context)
    featurizer.train(data)
    featurizer.process_training_data(data)
ours = IntentClassifier.create(IntentClassifier.get_default_config(), storage, Resource("c"), context)
rasa = LogisticRegressionClassifier.create(LogisticRegressionClassifier.get_default_config(), storage, Resource("r"), context)
a, b = ours._create_X(data.training_examples), rasa._create_X(data.training_examples)
assert a.shape == b.shape and a.shape[1] > 100, (a.shape, b.shape)
assert (a != b).nnz == 0, "matrices differ"
print("same", a.shape)
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="Rasa's environment is built by `make setup`")
def test_fast_feature_matrix_equals_rasas() -> None:
    done = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], check=False, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore",
                               "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("same")
