"""Normalisation folds the spellings people type, and never touches button payloads."""

from __future__ import annotations

import pytest

from orient_nlu.normalize import normalize


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
