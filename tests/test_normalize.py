"""Normalisation folds the spellings people type, and never touches button payloads."""

from __future__ import annotations

import pytest

from orient_nlu.normalize import normalize
from orient_nlu.skeleton import skeleton


@pytest.mark.parametrize("typed, folded", [
    ("أريد العمل في ألمانيا", "اريد العمل في المانيا"),
    ("السّلامُ عليكم", "السلام عليكم"),
    ("كـــونطرا", "كونطرا"),
    ("مدرسة", "مدرسه"),
    ("شكراااا بزاااف", "شكرا بزاف"),
    ("Travailler à l'ÉTRANGER", "travailler a l'etranger"),
    ("bzzzzaf   merciii", "bzaf merci"),
])
def test_variants_fold_to_one_spelling(typed: str, folded: str) -> None:
    assert normalize(typed) == folded


def test_button_payloads_are_untouched() -> None:
    assert normalize('/more_info{"topic":"Fraud_Report"}') == '/more_info{"topic":"Fraud_Report"}'


@pytest.mark.parametrize("arabic, latin", [
    ("نخدم", "nkhdem"),
    ("نخدم", "n5dam"),
    ("خاصني", "khassni"),
    ("نعرف", "n3ref"),
    ("مقبوله", "m9boula"),
    ("شحال", "chhal"),
    ("الخدمه", "lkhdma"),
])
def test_darija_in_both_scripts_shares_one_skeleton(arabic: str, latin: str) -> None:
    assert skeleton(normalize(arabic)) == skeleton(normalize(latin)) != ""


def test_skeleton_keeps_different_words_apart() -> None:
    assert skeleton("nkhdem") != skeleton("nkhles")
    assert skeleton(normalize("نخلص")) != skeleton(normalize("نخدم"))
    assert skeleton("a") == "" and skeleton("2026") == ""
