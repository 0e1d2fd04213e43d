"""Rasa graph components: text normalisation, consonant-skeleton counts and a tunable linear
intent classifier.

Referenced from config.yml as `orient_nlu.components.TextNormalizer`,
`orient_nlu.components.SkeletonCountVectorsFeaturizer` and
`orient_nlu.components.IntentClassifier`; Rasa imports them with the project
root on PYTHONPATH (the Makefile, scripts/train-model.sh and bot/servers.py set it).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from orient_nlu.normalize import normalize
from orient_nlu.skeleton import skeleton


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    """Rewrites the message text with `normalize` before tokenisation, in training and at run time."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TextNormalizer":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            if example.get(TEXT) and not example.get("entities"):
                example.set(TEXT, normalize(example.get(TEXT)))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT):
                message.set(TEXT, normalize(message.get(TEXT)))
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SkeletonCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer on the consonant skeleton of each token (orient_nlu.skeleton).

    A second view of the same message, so that Darija in Arabic script and in Latin letters
    share features. The message text is left as it is: actions and entity extraction read it.
    One skeleton per token (possibly empty) keeps the sequence features aligned with the tokens.
    """

    def _get_message_tokens_by_attribute(self, message: Message, attribute: Text) -> List[Text]:
        tokens = super()._get_message_tokens_by_attribute(message, attribute)
        return [skeleton(token) for token in tokens] if attribute == TEXT else tokens


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentClassifier(LogisticRegressionClassifier):
    """Rasa's linear classifier on TF-IDF-weighted n-gram counts, with its model and `C` exposed.

    Rasa's own classifier uses raw counts and a logistic regression with C=1. Weighting rare
    n-grams up helps; so does `model: svm`, a linear SVM whose scores become probabilities
    either by one softmax with a cross-validated temperature (`calibration: softmax`, see
    orient_nlu.calibration) or by per-topic Platt scaling (`calibration: platt`). Confidences
    that separate right from wrong answers let the fallback threshold pass more right answers
    for the same rate of confident wrong ones (bench/nlu_accuracy.py; NOTES.md, issue 3).
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0, "tfidf": True,
                "model": "logistic", "calibration": "softmax", "temperature": None,
                "calibration_folds": 5}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.pipeline import Pipeline
        from sklearn.svm import LinearSVC

        from orient_nlu.calibration import TemperedLinearSVC

        folds = int(self.config["calibration_folds"])
        if self.config["model"] == "svm" and self.config["calibration"] == "softmax":
            self.clf = TemperedLinearSVC(C=float(self.config["C"]), temperature=self.config["temperature"],
                                         folds=folds)
        elif self.config["model"] == "svm" and self.config["calibration"] == "platt":
            self.clf = CalibratedClassifierCV(LinearSVC(C=float(self.config["C"])), method="sigmoid", cv=folds)
        elif self.config["model"] == "svm":
            raise ValueError("IntentClassifier calibration must be 'softmax' or 'platt', "
                             f"not {self.config['calibration']!r}")
        elif self.config["model"] == "logistic":
            self.clf.set_params(C=float(self.config["C"]))
        else:
            raise ValueError(f"IntentClassifier model must be 'logistic' or 'svm', not {self.config['model']!r}")
        if self.config["tfidf"]:
            self.clf = Pipeline([("tfidf", TfidfTransformer(sublinear_tf=True)), ("clf", self.clf)])

    def _create_X(self, messages: List[Message]) -> Any:
        """The same matrix as Rasa's, without its per-message cost.

        Rasa's version asks each message for its combined features, which also deep-copies and
        stacks the per-token (sequence) features the classifier never reads, then stacks the
        rows one by one (106 s against 16 s for this on 61,785 examples, bench/intent_matrix.py).
        This reads the sentence features of each featurizer, in pipeline order, into one sparse
        matrix.
        """
        import numpy as np
        from scipy.sparse import csr_matrix

        rows = [[f for f in message.features
                 if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE] for message in messages]
        if not rows or not rows[0] or any(not f.is_sparse() for row in rows for f in row):
            return super()._create_X(messages)  # dense features: Rasa's way handles them
        widths = [f.features.shape[1] for f in rows[0]]
        offsets = np.concatenate([[0], np.cumsum(widths)])
        data, columns, pointers = [], [], [0]
        for row in rows:
            if [f.features.shape[1] for f in row] != widths:
                return super()._create_X(messages)  # a message without some featurizer's output
            count = 0
            for offset, feature in zip(offsets, row):
                matrix = feature.features.tocsr()
                data.append(matrix.data)
                columns.append(matrix.indices + offset)
                count += len(matrix.data)
            pointers.append(pointers[-1] + count)
        X = csr_matrix((np.concatenate(data), np.concatenate(columns), pointers),
                       shape=(len(rows), int(offsets[-1])))
        X.sort_indices()
        return X

    def _create_training_matrix(self, training_data: TrainingData) -> Tuple[Any, Any]:
        """Labels as an array: scikit-learn 1.1's calibration counts classes with `y == label`,
        which on a list compares the whole list and finds no example at all."""
        import numpy as np

        X, y = super()._create_training_matrix(training_data)
        return X, np.asarray(y)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentClassifier":
        """Load what our own training wrote (a scikit-learn pipeline, which skops lists as untrusted)."""
        import skops.io as sio

        component = cls(config, execution_context.node_name, model_storage, resource)
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            component.clf = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        return component
