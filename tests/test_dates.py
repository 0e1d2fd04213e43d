"""Dates as candidates write them, in four languages, against a fixed today."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dates import parse_date

TODAY = dt.date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize("text, expected", [
    ("mon rendez-vous au consulat est le 12 mars", dt.date(2027, 3, 12)),
    ("safar dyali nhar 3 fevrier", dt.date(2027, 2, 3)),
    ("موعد الفيزا ديالي 15/04", dt.date(2027, 4, 15)),
    ("موعد الفيزا يوم 12 مارس", dt.date(2027, 3, 12)),
    ("my visa appointment is on 12 March 2027", dt.date(2027, 3, 12)),
    ("interview on March 3rd", dt.date(2027, 3, 3)),
    ("le 1er décembre", dt.date(2026, 12, 1)),
    ("2027-01-15", dt.date(2027, 1, 15)),
    ("٣٠/١١", dt.date(2026, 11, 30)),
    ("nhar 12 dujanbir", dt.date(2026, 12, 12)),
    ("غادي نسافر 5 غشت 2027", dt.date(2027, 8, 5)),
    ("demain", dt.date(2026, 11, 25)),
    ("ghedda", dt.date(2026, 11, 25)),
    ("après-demain", dt.date(2026, 11, 26)),
    ("next Monday", dt.date(2026, 11, 30)),
    ("lundi prochain", dt.date(2026, 11, 30)),
    ("dans 2 semaines", dt.date(2026, 12, 8)),
    ("in 3 days", dt.date(2026, 11, 27)),
    ("بعد أسبوعين", dt.date(2026, 12, 8)),
])
def test_dates_people_write(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == type(parse_date(text, TODAY))(expected)


@pytest.mark.parametrize("text, problem", [
    ("31/02/2027", "invalid"), ("le 30 fevrier", "invalid"), ("12/03/2025", "past"),
    ("15/13/2027", "invalid"), ("01/01/2035", "far"), ("no date in here", "none"),
])
def test_impossible_past_or_missing_dates_are_reported(text: str, problem: str) -> None:
    assert parse_date(text, TODAY).problem == problem
