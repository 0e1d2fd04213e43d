"""How long the intent classifier takes to build its feature matrix: Rasa's way and ours.

Rasa's LogisticRegressionClassifier asks every message for its combined features, which also
copies and stacks the per-token features it never reads; orient_nlu.components.IntentClassifier
reads the sentence features straight into one sparse matrix. Both run here on the training data
featurised by config.yml's own featurizers, in the same run. Prints figures; asserts nothing
(tests/test_intent_matrix.py checks that both matrices are equal).

    PYTHONPATH=. .venv-rasa/bin/python bench/intent_matrix.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier  # noqa: E402
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer  # noqa: E402
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402

from orient_nlu.components import IntentClassifier, SkeletonCountVectorsFeaturizer, TextNormalizer  # noqa: E402

FEATURIZERS = {"CountVectorsFeaturizer": CountVectorsFeaturizer,
               "orient_nlu.components.SkeletonCountVectorsFeaturizer": SkeletonCountVectorsFeaturizer}


def main() -> None:
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    context = ExecutionContext(GraphSchema({}), "bench")
    data = load_data(str(ROOT / "nlu" / "data"))
    TextNormalizer().process_training_data(data)
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(data)
    start = time.perf_counter()
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    for n, step in enumerate(s for s in pipeline if s["name"] in FEATURIZERS):
        cls = FEATURIZERS[step["name"]]
        options = {k: v for k, v in step.items() if k != "name"}
        featurizer = cls.create({**cls.get_default_config(), **options}, storage, Resource(f"f{n}"), context)
        featurizer.train(data)
        featurizer.process_training_data(data)
    examples = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    print(f"{len(examples)} training examples featurised by config.yml's featurizers in "
          f"{time.perf_counter() - start:.0f} s")
    ours = IntentClassifier.create(IntentClassifier.get_default_config(), storage, Resource("c"), context)
    rasa = LogisticRegressionClassifier.create(LogisticRegressionClassifier.get_default_config(), storage,
                                               Resource("r"), context)
    timings = {}
    for name, component in (("Rasa's _create_X", rasa), ("ours", ours)):
        start = time.perf_counter()
        X = component._create_X(examples)
        timings[name] = time.perf_counter() - start
        print(f"  {name:<18} {timings[name]:7.1f} s   matrix {X.shape[0]} x {X.shape[1]}, {X.nnz} non-zeros")
    ratio = timings["Rasa's _create_X"] / timings["ours"]
    print(f"  ours is {ratio:.0f}x faster")


if __name__ == "__main__":
    main()
