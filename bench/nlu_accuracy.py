"""How well Orient understands, per language group, next to plain baselines in the same run.

Figures printed (never asserted), on the held-out split nlu/test/ (never trained on):
  - intent accuracy and macro F1 of the trained Rasa model (with its fallback);
  - out-of-scope messages caught (answered out_of_scope or with the fallback);
  - confident wrong answers (a wrong topic answered above the fallback threshold);
  - the same for a plain baseline: TF-IDF + logistic regression, argmax, no fallback;
  - reply-language accuracy of our detector next to langdetect alone;
  - optionally (--cv) 5-fold cross-validation with `rasa test nlu` on the training data.

    .venv/bin/python bench/nlu_accuracy.py [--cv] [--model models/orient.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import free_port  # noqa: E402

from bot.language import detect  # noqa: E402
from bot.nlu_client import RasaClient  # noqa: E402
from bot.nlu_files import training_examples  # noqa: E402
from bot.servers import running_servers  # noqa: E402
from bot.settings import Settings  # noqa: E402

OOS, FALLBACK = "out_of_scope", "nlu_fallback"
GROUP_REPLY = {"ar": "ar", "ary": "ar", "ary_latn": "ar", "fr": "fr", "en": "en"}
GOALS = "goals: accuracy >= 0.92 per group, out-of-scope caught >= 0.85, confident wrong <= 0.03"


def flatten(per_language: dict[str, dict[str, list[str]]]) -> list[tuple[str, str, str]]:
    return [(lang, intent, text) for lang, per in per_language.items() for intent, lines in per.items()
            for text in lines]


def scores(rows: list[tuple[str, str]]) -> dict[str, float]:
    """rows of (true intent, predicted intent) -> accuracy, macro F1, OOS caught, confident wrong."""
    from sklearn.metrics import f1_score

    def correct(true: str, pred: str) -> bool:
        return pred == true or (true == OOS and pred == FALLBACK)

    def confident_wrong(true: str, pred: str) -> bool:
        return pred != FALLBACK and not correct(true, pred)

    oos = [(t, p) for t, p in rows if t == OOS]
    normalised = [(t, OOS if t == OOS and p == FALLBACK else p) for t, p in rows]
    labels = sorted({t for t, _ in rows})
    return {
        "n": len(rows),
        "accuracy": sum(correct(t, p) for t, p in rows) / len(rows),
        "macro_f1": float(f1_score([t for t, _ in normalised], [p for _, p in normalised], labels=labels,
                                   average="macro", zero_division=0)),
        "oos_caught": sum(correct(t, p) for t, p in oos) / len(oos) if oos else float("nan"),
        "confident_wrong": sum(confident_wrong(t, p) for t, p in rows) / len(rows),
    }


def print_table(title: str, per_group: dict[str, list[tuple[str, str]]]) -> None:
    print(f"\n{title}")
    print(f"  {'group':<10}{'n':>6}{'accuracy':>10}{'macro F1':>10}{'OOS caught':>12}{'conf. wrong':>13}")
    for group in sorted(per_group) + ["all"]:
        rows = [r for g in per_group for r in per_group[g]] if group == "all" else per_group[group]
        s = scores(rows)
        print(f"  {group:<10}{s['n']:>6}{s['accuracy']:>10.3f}{s['macro_f1']:>10.3f}"
              f"{s['oos_caught']:>12.3f}{s['confident_wrong']:>13.3f}")


async def rasa_predictions(settings: Settings,
                           test: list[tuple[str, str, str]]) -> list[tuple[str, str, float]]:
    """(intent after the fallback, top intent before it, its confidence) per message."""
    client = RasaClient(settings.rasa_url, timeout=30)
    out = []
    for _, _, text in test:
        parsed = await client.parse(text)
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != FALLBACK]
        top = ranking[0] if ranking else {"name": FALLBACK, "confidence": 0.0}
        out.append((str(parsed["intent"]["name"]), str(top["name"]), float(top["confidence"])))
    await client.close()
    return out


def threshold_table(test: list[tuple[str, str, str]], predicted: list[tuple[str, str, float]]) -> None:
    """What each fallback threshold would give: the trade-off between answering and being right."""
    print("\nfallback threshold trade-off (all groups; the model's threshold is in config.yml):")
    print(f"  {'threshold':>9}{'accuracy':>10}{'OOS caught':>12}{'conf. wrong':>13}{'fallback rate':>15}")
    for threshold in (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        rows = [(intent, top if confidence >= threshold else FALLBACK)
                for (_, intent, _), (_, top, confidence) in zip(test, predicted)]
        s = scores(rows)
        rate = sum(p == FALLBACK for _, p in rows) / len(rows)
        print(f"  {threshold:>9.2f}{s['accuracy']:>10.3f}{s['oos_caught']:>12.3f}"
              f"{s['confident_wrong']:>13.3f}{rate:>15.3f}")


def baseline_predictions(train: list[tuple[str, str, str]], test: list[tuple[str, str, str]]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(TfidfVectorizer(analyzer="word"), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        LogisticRegression(max_iter=1000),
    )
    model.fit([t for _, _, t in train], [i for _, i, _ in train])
    return [str(p) for p in model.predict([t for _, _, t in test])]


def language_table(test: list[tuple[str, str, str]]) -> None:
    from langdetect import DetectorFactory, detect as langdetect_detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    ours: dict[str, list[bool]] = defaultdict(list)
    plain: dict[str, list[bool]] = defaultdict(list)
    for group, _, text in test:
        expected = GROUP_REPLY.get(group)
        if expected is None:
            continue  # mixed messages have no single right answer
        ours[group].append(detect(text).reply_language == expected)
        try:
            guess = langdetect_detect(text)
        except LangDetectException:
            guess = ""
        plain[group].append(guess == expected)
    print("\nreply language (ar for Arabic, Darija in both scripts; fr; en) on held-out messages:")
    print(f"  {'group':<10}{'n':>6}{'orient':>10}{'langdetect alone':>18}")
    for group in sorted(ours):
        print(f"  {group:<10}{len(ours[group]):>6}{sum(ours[group]) / len(ours[group]):>10.3f}"
              f"{sum(plain[group]) / len(plain[group]):>18.3f}")


def cross_validation(folds: int, train: list[tuple[str, str, str]]) -> None:
    """`rasa test nlu --cross-validation`, then every prediction sorted back into language groups.

    Rasa's report undoes the fallback (it scores the top intent); the per-group table applies
    config.yml's fallback threshold to each prediction's confidence, like the held-out table.
    """
    from orient_nlu.normalize import normalize

    with tempfile.TemporaryDirectory() as out:
        subprocess.run([str(ROOT / ".venv-rasa/bin/rasa"), "test", "nlu", "--nlu", "nlu/data", "--config",
                        "config.yml", "--cross-validation", "--folds", str(folds), "--out", out,
                        "--successes", "--no-plot", "--quiet"], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)})
        report = json.loads((Path(out) / "intent_report.json").read_text())
        results = [r for name in ("intent_errors.json", "intent_successes.json")  # absent when empty
                   if (Path(out) / name).exists() for r in json.loads((Path(out) / name).read_text())]
    print(f"\n{folds}-fold cross-validation (rasa test nlu) on nlu/data, top intent without fallback: "
          f"accuracy {report['accuracy']:.3f}, macro F1 {report['macro avg']['f1-score']:.3f}")
    threshold = fallback_threshold()
    predicted: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for r in results:
        prediction = r["intent_prediction"]
        predicted[(normalize(r["text"]), r["intent"])].append((prediction["name"], prediction["confidence"] or 0))
    top: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with_fallback: dict[str, list[tuple[str, str]]] = defaultdict(list)
    missing = 0
    for group, intent, text in train:
        found = predicted.get((normalize(text), intent))
        missing += not found
        name, confidence = found.pop() if found else (FALLBACK, 0.0)
        top[group].append((intent, name))
        with_fallback[group].append((intent, name if confidence >= threshold else FALLBACK))
    print_table(f"{folds}-fold cross-validation per group, top intent as `rasa test nlu` scores it "
                f"({missing} training lines without a prediction, counted as fallback):", top)
    print_table(f"{folds}-fold cross-validation per group, fallback at {threshold} applied:", with_fallback)


def fallback_threshold() -> float:
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return float(next(step["threshold"] for step in pipeline if step["name"] == "FallbackClassifier"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cv", action="store_true", help="also run 5-fold cross-validation (minutes)")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "orient.tar.gz")
    args = parser.parse_args()

    train_data, _ = training_examples(ROOT / "nlu" / "data")
    test_data, _ = training_examples(ROOT / "nlu" / "test")
    train, test = flatten(train_data), flatten(test_data)
    print(f"{len(train)} training and {len(test)} held-out examples; {GOALS}")

    settings = replace(Settings.from_env(), model_path=args.model, rasa_url=f"http://127.0.0.1:{free_port()}",
                       action_port=free_port())
    with running_servers(settings):
        predicted = asyncio.run(rasa_predictions(settings, test))
    per_group: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (group, intent, _), (pred, _, _) in zip(test, predicted):
        per_group[group].append((intent, pred))
    print_table("Orient (Rasa, config.yml, with fallback) on the held-out split:", per_group)
    threshold_table(test, predicted)

    base: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (group, intent, _), pred in zip(test, baseline_predictions(train, test)):
        base[group].append((intent, pred))
    print_table("Baseline (TF-IDF word + char 2-5, logistic regression, argmax, no fallback):", base)

    language_table(test)
    if args.cv:
        cross_validation(5, train)


if __name__ == "__main__":
    main()
