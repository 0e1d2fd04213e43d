"""Language of a message and of the reply: short texts, Arabizi, explicit choices."""

from __future__ import annotations

import pytest

from bot.language import Detection, choose_reply_language, detect, requested_language


@pytest.mark.parametrize("text, language", [
    ("salam, bghit nmchi nkhdem f almanya", "ary_latn"),
    ("kifach n3ref wach l'agence m9boula", "ary_latn"),
    ("wach khasni nkhlss bach nmchi l spania", "ary_latn"),
    ("واش خاصني نخلص باش نخدم فبلجيكا", "ary"),
    ("هل يجب أن أدفع مقابل عقد عمل؟", "ar"),
    ("on me demande 20000 dh pour un contrat en Espagne", "fr"),
    ("slt on ma demandé 3 mille euro pr un contrat f lalmanya c normal?", "fr"),
    ("salut", "fr"),  # langdetect says Finnish
    ("merci", "fr"),  # langdetect says Spanish
    ("hi", "en"),  # langdetect says Swahili
    ("what's the weather", "en"),
    ("cancel my appointment", "en"),  # langdetect says Italian
    ("سلام", "ar"),  # langdetect says Urdu
])
def test_detects_the_language_people_write_in(text: str, language: str) -> None:
    assert detect(text).language == language


@pytest.mark.parametrize("text", ["👍", "12345", "", "?!"])
def test_no_language_without_words(text: str) -> None:
    assert detect(text).language is None


@pytest.mark.parametrize("text, reply", [
    ("salam bghit nkhdem f almanya", "ar"),
    ("واش خاصني نخلص", "ar"),
    ("bonjour je veux travailler", "fr"),
    ("hello i want to work abroad", "en"),
])
def test_darija_is_answered_in_arabic(text: str, reply: str) -> None:
    assert detect(text).reply_language == reply


def test_an_explicit_choice_always_wins() -> None:
    arabic = detect("السلام عليكم")
    assert choose_reply_language(arabic, chosen="fr", last="ar", default="ar") == "fr"


def test_a_confident_detection_beats_the_last_language() -> None:
    assert choose_reply_language(detect("bonjour je veux travailler"), None, "en", "ar") == "fr"


def test_no_signal_keeps_the_last_language() -> None:
    assert choose_reply_language(Detection(None, False), None, "en", "ar") == "en"
    assert choose_reply_language(Detection(None, False), None, None, "ar") == "ar"


@pytest.mark.parametrize("text, language", [
    ("parle moi en français", "fr"), ("english please", "en"), ("بالعربية عافاك", "ar"),
    ("hder m3aya b l3arbia", "ar"), ("change the language", None),
])
def test_requested_language(text: str, language: str | None) -> None:
    assert requested_language(text) == language
