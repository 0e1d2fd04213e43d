"""Dates as candidates write them: numeric, written, relative; Arabic, Darija, French, English.

"12/03/2027", "le 12 mars", "safar dyali nhar 3 fevrier", "موعد الفيزا 15/04",
"next Monday", "dans 2 semaines", "بعد أسبوعين". Parsed against `today` in the
candidate's time zone; past and impossible dates are reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from orient_nlu.normalize import normalize

MONTHS: dict[str, int] = {}
for number, names in enumerate([
    "january janvier janv jan yanayir yanayer يناير جانفي كانون الثاني",
    "february fevrier fev feb febrayer fbrayer فبراير فيفري شباط",
    "march mars mar mars مارس اذار",
    "april avril avr apr abril ابريل افريل نيسان",
    "may mai may ماي مايو ايار",
    "june juin jun yunyu يونيو يونيه جوان حزيران",
    "july juillet juil jul yulyuz يوليوز يوليو يوليه جويلية تموز",
    "august aout aug ghusht غشت اغسطس اوت اب",
    "september septembre sept sep chtanbir شتنبر سبتمبر ايلول",
    "october octobre oct oktobar اكتوبر تشرين الاول",
    "november novembre nov nonbir نونبر نوفمبر تشرين الثاني",
    "december decembre dec dujanbir دجنبر ديسمبر كانون الاول",
], start=1):
    for name in names.split():
        MONTHS.setdefault(normalize(name), number)

WEEKDAYS: dict[str, int] = {}
for number, names in enumerate([
    "monday lundi tnin letnin lthnin الاثنين الاتنين لتنين التنين",
    "tuesday mardi tlat tlata الثلاثاء التلات الثلاث",
    "wednesday mercredi larb3 larba الاربعاء لاربع الاربع",
    "thursday jeudi lkhmis khmis الخميس لخميس",
    "friday vendredi jem3a jmaa الجمعه الجمعة",
    "saturday samedi sebt sbt السبت سبت",
    "sunday dimanche l7ed l7add had الاحد لحد الحد",
]):
    for name in names.split():
        WEEKDAYS.setdefault(normalize(name), number)

_TODAY = {"today", "aujourd'hui", "aujourdhui", "lyoum", "lyom", "اليوم", "ليوم"}
_TOMORROW = {"tomorrow", "demain", "ghedda", "ghda", "ghedwa", "غدا", "غدوه", "غدوا", "غدا"}
_AFTER_TOMORROW = ("apres-demain", "apres demain", "day after tomorrow", "ba3d ghedda", "بعد غدا", "بعد غد")
_UNITS = {
    "day": 1, "days": 1, "jour": 1, "jours": 1, "yom": 1, "iyam": 1, "يوم": 1, "ايام": 1, "يام": 1,
    "week": 7, "weeks": 7, "semaine": 7, "semaines": 7, "simana": 7, "simanat": 7, "اسبوع": 7,
    "اسابيع": 7, "سيمانه": 7, "سيمانات": 7, "جمعه": 7,
    "month": 30, "months": 30, "mois": 30, "chhar": 30, "chhour": 30, "شهر": 30, "شهور": 30, "اشهر": 30,
}
_DUAL = {"اسبوعين": 14, "يومين": 2, "شهرين": 60, "جوج سيمانات": 14}
_NUMERIC = re.compile(r"\b(\d{1,4})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?\b")
_WRITTEN = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th)?\s+(?:de\s+)?([^\W\d_]+\.?)(?:\s+(\d{4}))?")
_WRITTEN_EN = re.compile(r"\b([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_IN_N = re.compile(r"(?:\bin|\bdans|\bmn\s*ba3d|\bba3d|من\s*بعد|بعد|خلال|في)\s+(\d{1,3})\s+(\S+)")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


@dataclass(frozen=True)
class ParsedDate:
    """A date found in a message: `day` when valid; else `problem` says why not."""

    day: dt.date | None
    problem: str | None = None  # "none" (no date), "past", "invalid" (e.g. 31/02), "far" (over 3 years)


def parse_date(text: str, today: dt.date) -> ParsedDate:
    """Find the date a candidate wrote, relative to `today` in their time zone."""
    text = normalize(text.translate(_EASTERN_DIGITS))
    for finder in (_numeric, _written, _relative):
        found = finder(text, today)
        if found is not None:
            return _check(found, today)
    return ParsedDate(None, "none")


def _check(found: ParsedDate, today: dt.date) -> ParsedDate:
    if found.day is None:
        return found
    if found.day < today:
        return ParsedDate(found.day, "past")
    if found.day > today + dt.timedelta(days=3 * 366):
        return ParsedDate(found.day, "far")
    return found


def _make(year: int, month: int, day: int) -> ParsedDate:
    try:
        return ParsedDate(dt.date(year, month, day))
    except ValueError:
        return ParsedDate(None, "invalid")


def _year(raw: str | None, month: int, day: int, today: dt.date) -> int:
    """A missing year means the next such date; two digits mean 20xx."""
    if raw:
        year = int(raw)
        return year + 2000 if year < 100 else year
    try:
        candidate = dt.date(today.year, month, day)
    except ValueError:
        return today.year
    return today.year if candidate >= today else today.year + 1


def _numeric(text: str, today: dt.date) -> ParsedDate | None:
    match = _NUMERIC.search(text)
    if not match:
        return None
    first, second, third = match.group(1), match.group(2), match.group(3)
    if len(first) == 4:  # 2027-03-12
        return _make(int(first), int(second), int(third or 0) or 1) if third else None
    day, month = int(first), int(second)
    if not 1 <= month <= 12:
        return ParsedDate(None, "invalid")
    return _make(_year(third, month, day, today), month, day)


def _written(text: str, today: dt.date) -> ParsedDate | None:
    for match in _WRITTEN.finditer(text):
        month = MONTHS.get(match.group(2).rstrip("."))
        if month:
            day = int(match.group(1))
            return _make(_year(match.group(3), month, day, today), month, day)
    for match in _WRITTEN_EN.finditer(text):
        month = MONTHS.get(match.group(1))
        if month:
            day = int(match.group(2))
            return _make(_year(match.group(3), month, day, today), month, day)
    return None


def _relative(text: str, today: dt.date) -> ParsedDate | None:
    words = set(re.findall(r"[\w']+", text))
    if any(phrase in text for phrase in _AFTER_TOMORROW):
        return ParsedDate(today + dt.timedelta(days=2))
    if words & _TOMORROW:
        return ParsedDate(today + dt.timedelta(days=1))
    if words & _TODAY:
        return ParsedDate(today)
    for phrase, days in _DUAL.items():
        if phrase in text:
            return ParsedDate(today + dt.timedelta(days=days))
    for match in _IN_N.finditer(text):
        unit = _UNITS.get(match.group(2).rstrip(".,?!"))
        if unit:
            return ParsedDate(today + dt.timedelta(days=int(match.group(1)) * unit))
    for word in words:
        weekday = WEEKDAYS.get(word)
        if weekday is not None:
            # "Monday", "next Monday", "lundi prochain": the coming one, never today.
            ahead = (weekday - today.weekday()) % 7 or 7
            return ParsedDate(today + dt.timedelta(days=ahead))
    return None
