"""Interface strings (gettext catalogs in locales/) and locale-aware formatting with Babel."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from io import BytesIO

from bot.settings import LANGUAGES

log = logging.getLogger(__name__)
DOMAIN = "orient"

# Babel has no Darija ('ary'); ar_MA gives Moroccan conventions with Latin digits.
_BABEL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en_GB"}


def babel_locale(language: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES.get(language, "en_GB"))


def format_date(day: dt.date, language: str, fmt: str = "long") -> str:
    """A date as a reader of `language` expects it, e.g. '24 novembre 2026'."""
    return _babel_format_date(day, format=fmt, locale=babel_locale(language))


def format_datetime(moment: dt.datetime, language: str, zone: dt.tzinfo) -> str:
    """A moment in the reader's time zone and locale, e.g. '12 mars 2027, 10:00'."""
    local = moment.astimezone(zone)
    return _babel_format_datetime(local, format="d MMMM y, HH:mm", locale=babel_locale(language))


class Catalogs:
    """Compiled translations per language, loaded once."""

    def __init__(self, locales_dir: Path) -> None:
        self._translations: dict[str, NullTranslations] = {
            lang: _load(locales_dir, lang) for lang in LANGUAGES
        }

    def get(self, language: str) -> NullTranslations:
        return self._translations.get(language) or self._translations["en"]

    def gettext(self, language: str, message: str) -> str:
        return self.get(language).gettext(message)


def _load(locales_dir: Path, language: str) -> NullTranslations:
    """The .mo catalog, or the .po compiled in memory when the .mo is missing or older."""
    folder = locales_dir / language / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po.exists():
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    log.warning("no catalog for %s in %s; showing source strings", language, folder)
    return NullTranslations()
