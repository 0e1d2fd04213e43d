"""Confidences of the intent classifier: clear messages pass the fallback threshold, torn ones are less sure."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline

from orient_nlu.calibration import TemperedLinearSVC

THRESHOLD = 0.65  # config.yml's FallbackClassifier threshold

TOPICS = {
    "fraud_recruitment_fees": ["on me demande de payer pour un contrat", "agent wants money for the visa",
                               "khassni nkhelles 20000 dh bach nakhod kontra", "simsar bgha flous 3la lkhedma",
                               "they ask 3000 euros for a work contract", "payer pour avoir un travail",
                               "wach normal nkhelles bach nkhdem", "pay a recruiter for a job abroad"],
    "germany_nursing": ["infirmiere en allemagne", "nurse job in germany", "bghit nkhdem infirmier f almanya",
                        "soins infirmiers allemagne reconnaissance", "care worker germany triple win",
                        "aide soignante allemagne", "nursing diploma germany", "infirmier almanya"],
    "greet": ["salam", "bonjour", "hello", "salut", "slm", "hi there", "salam alikom", "bonsoir"],
}


@pytest.fixture(scope="module")
def classifier():
    texts = [t for lines in TOPICS.values() for t in lines]
    labels = [topic for topic, lines in TOPICS.items() for _ in lines]
    return make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
                         TemperedLinearSVC(C=2, folds=4)).fit(texts, labels)


def test_a_clear_message_is_answered_with_its_topic(classifier) -> None:
    probabilities = classifier.predict_proba(["bghit nkhdem infirmiere f almanya"])[0]
    assert classifier.classes_[probabilities.argmax()] == "germany_nursing"
    assert probabilities.max() >= THRESHOLD


def test_a_message_between_two_topics_is_less_sure_than_a_clear_one(classifier) -> None:
    clear, torn = classifier.predict_proba(["infirmier allemagne", "payer pour un travail d infirmiere en allemagne"])
    assert torn.max() < clear.max()
    assert np.sort(torn)[-2] > 0.05  # the second topic keeps a share: it is offered as a button


def test_probabilities_rank_like_the_svm_scores(classifier) -> None:
    texts = ["payer un agent", "salam khoya", "nurse"]
    probabilities = classifier.predict_proba(texts)
    assert np.allclose(probabilities.sum(axis=1), 1)
    assert list(classifier.predict(texts)) == list(classifier.classes_[probabilities.argmax(axis=1)])


def test_the_temperature_is_fitted_on_the_training_data(classifier) -> None:
    assert classifier[-1].temperature_ > 0
    fixed = TemperedLinearSVC(temperature=3.0).fit(np.eye(4), ["a", "b", "a", "b"])
    assert fixed.temperature_ == 3.0
    assert fixed.predict_proba(np.eye(4)).shape == (4, 2)  # two topics still give one column each


def test_a_new_topic_with_few_examples_keeps_confidences_usable() -> None:
    """Staff may add a topic with one example: other answers must not all become certain."""
    texts = [t for lines in TOPICS.values() for t in lines] + ["supprime mes donnees"]
    labels = [topic for topic, lines in TOPICS.items() for _ in lines] + ["delete_my_data"]
    classifier = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
                               TemperedLinearSVC(C=2, folds=4)).fit(texts, labels)
    assert classifier.predict(["supprime toutes mes donnees"])[0] == "delete_my_data"
    torn = classifier.predict_proba(["payer pour un travail d infirmiere en allemagne"])[0]
    assert torn.max() < 0.99


def test_one_example_per_topic_falls_back_to_plain_softmax() -> None:
    with pytest.warns(UserWarning, match="temperature 1.0"):
        single = TemperedLinearSVC().fit(np.eye(3), ["a", "b", "c"])
    assert single.temperature_ == 1.0
