"""Interface strings: every one translated, placeholders kept, dates in the reader's locale."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import Catalogs, format_date
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_every_interface_string_is_translated(language: str) -> None:
    with (ROOT / "locales" / "orient.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "locales" / language / "LC_MESSAGES" / "orient.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {m.id: m.string for m in catalog if m.id}
    fuzzy = [m.id for m in catalog if m.id and "fuzzy" in m.flags]
    assert fuzzy == [], f"fuzzy (guessed, unreviewed) in {language}: {fuzzy}"
    missing = [m for m in template if not translated.get(m)]
    assert missing == [], f"untranslated in {language}: {missing}"
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(str(msgstr))), msgid


def test_the_template_is_up_to_date() -> None:
    """Strings added in code must reach the catalogs: run 'make i18n-update' after adding some."""
    from babel.messages.extract import extract_from_dir

    found = {m[2] for m in extract_from_dir(str(ROOT / "bot"), keywords={"_": None, "gettext": None, "N_": None})}
    with (ROOT / "locales" / "orient.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert found <= template, f"not in locales/orient.pot: {found - template}"


def test_catalogs_translate(catalogs: Catalogs) -> None:
    assert catalogs.gettext("fr", "Menu") == "Menu"
    assert catalogs.gettext("ar", "Menu") == "القائمة"
    assert catalogs.gettext("ar", "Sources:") == "المصادر:"


@pytest.mark.parametrize("language, expected", [
    ("fr", "24 novembre 2026"), ("en", "24 November 2026"), ("ar", "24 نونبر 2026"),
])
def test_dates_read_naturally(language: str, expected: str) -> None:
    assert format_date(dt.date(2026, 11, 24), language) == expected
