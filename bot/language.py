"""Which language a message is written in, and which language to answer in.

langdetect alone is wrong on short texts ("salut" -> fi, "merci" -> es) and
knows no Darija, so our own rules come first: the script, Arabizi digits and
frequent Darija words, then French and English marker words; langdetect,
seeded and restricted to fr/en, only settles long Latin texts that the rules
leave open.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0  # langdetect is random without a seed (langdetect #7, #105)

# Detected codes: ar (Arabic script, MSA), ary (Darija, Arabic script),
# ary_latn (Darija in Latin letters), fr, en. Reply languages: ar, fr, en.
REPLY_LANGUAGE = {"ar": "ar", "ary": "ar", "ary_latn": "ar", "fr": "fr", "en": "en"}

_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_WORD = re.compile(r"[\w']+", re.UNICODE)
# Arabizi: a digit standing for a letter inside a word (m3a, 7ta, 9bel, bi3, ch7al).
_ARABIZI_DIGIT = re.compile(r"(?<=[a-z])[2379]|[2379](?=[a-z])", re.IGNORECASE)

_DARIJA_ARABIC = {
    "واش", "بغيت", "بغا", "ديال", "ديالي", "دیال", "شنو", "شنا", "كيفاش", "فين", "دابا", "بزاف", "عافاك",
    "خاصني", "خاص", "نخدم", "نخدم", "كنبغي", "مزيان", "واخا", "هادشي", "هاد", "علاش", "شحال", "غادي",
    "نمشي", "كاين", "كاينة", "راه", "ماشي", "حتى", "ليا", "ليك", "معايا", "نتا", "نتي", "صافي", "بلا",
    "كونطرا", "لاجونس", "الباسبور", "نخلص", "نسافر", "نهار", "خويا", "شي",
}
_DARIJA_LATIN = {
    "bghit", "bghyt", "bgheet", "brit", "wach", "wash", "wesh", "kifach", "kifash", "kifch", "dyal",
    "dyali", "diali", "dial", "chno", "chnou", "achno", "shno", "fin", "fen", "daba", "bzaf", "bezaf",
    "bzf", "afak", "khasni", "khass", "khas", "nkhdem", "nkhdm", "nekhdem", "khdma", "khedma", "nmchi",
    "nemchi", "mzyan", "mzian", "wakha", "safi", "hadchi", "had", "3lach", "alach", "chhal", "ch7al",
    "ghadi", "kayn", "kayna", "kaynin", "rah", "machi", "bach", "bash", "hna", "lia", "lik", "m3aya",
    "nta", "nti", "khoya", "kho", "salam", "slm", "labas", "bslama", "chokran", "choukran", "shukran",
    "baraka", "chi", "chwiya", "wa7ed", "ana", "howa", "hiya", "l3arbia", "lmaghrib", "nkhelles",
    "nkhlss", "nkhalas", "flous", "lflouss", "mnin", "imta", "fach", "3afak", "almanya", "lalmanya",
    "sbanya", "spania", "kanada", "fransa", "beljika", "nsafer", "nsafr", "safar", "nhar", "tal",
    "mn", "f", "l", "m3a", "b", "dertha", "gal", "galo", "galia", "3tini", "tkhlass", "9bel",
}
_FRENCH = {
    "je", "j'ai", "jai", "tu", "il", "elle", "nous", "vous", "le", "la", "les", "un", "une", "des",
    "du", "de", "est", "et", "pour", "pr", "dans", "avec", "sur", "pas", "ne", "mon", "ma", "mes",
    "ton", "votre", "c'est", "cest", "qui", "que", "quoi", "comment", "pourquoi", "combien", "quand",
    "où", "ou", "bonjour", "salut", "slt", "merci", "bonsoir", "oui", "non", "travail", "travailler",
    "contrat", "emploi", "agence", "allemagne", "espagne", "belgique", "visa", "payer", "demande",
    "demandé", "veux", "voudrais", "jveux", "peux", "faut", "faire", "aller", "au", "aux", "ce",
    "cette", "ça", "ca", "on", "m'a", "me", "moi", "parle", "français", "francais", "svp", "stp",
    "normal", "arnaque", "offre", "aide", "passeport", "droits", "salaire", "partir", "quel", "quelle",
}
_ENGLISH = {
    "i", "i'm", "im", "you", "he", "she", "we", "they", "the", "a", "an", "is", "are", "am", "was",
    "to", "for", "in", "on", "with", "of", "my", "your", "what", "how", "why", "where", "when",
    "who", "can", "could", "do", "does", "want", "need", "hi", "hello", "hey", "thanks", "thank",
    "please", "pls", "yes", "no", "work", "job", "jobs", "contract", "agency", "germany", "spain",
    "belgium", "pay", "asked", "it", "this", "that", "should", "about", "speak", "english", "weather",
    "me", "and", "or", "bye", "help", "scam", "offer", "rights", "salary", "abroad", "there", "what's",
}


@dataclass(frozen=True)
class Detection:
    """The language a message was written in (None when there is no telling)."""

    language: str | None
    confident: bool

    @property
    def reply_language(self) -> str | None:
        return REPLY_LANGUAGE.get(self.language or "")


def detect(text: str) -> Detection:
    """Detect ar, ary, ary_latn, fr or en; None for emoji, numbers or one unknown word."""
    text = unicodedata.normalize("NFKC", text or "")
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if arabic == 0 and latin == 0:
        return Detection(None, False)
    words = [w.lower() for w in _WORD.findall(text)]
    if arabic >= latin:
        darija = sum(1 for w in words if w in _DARIJA_ARABIC or w.lstrip("و") in _DARIJA_ARABIC)
        return Detection("ary" if darija else "ar", True)
    return _detect_latin(text, words)


def _detect_latin(text: str, words: list[str]) -> Detection:
    latin_words = [w for w in words if _LATIN_LETTER.search(w)]
    arabizi = sum(1 for w in latin_words if _ARABIZI_DIGIT.search(w))
    darija = sum(1 for w in latin_words if w in _DARIJA_LATIN) + arabizi
    french = sum(1 for w in latin_words if w in _FRENCH or _has_french_accent(w))
    english = sum(1 for w in latin_words if w in _ENGLISH)
    # Darija words are short and some exist in French ("la", "fin"): Darija must
    # lead, or show an Arabizi digit, to win.
    if arabizi or (darija > french and darija > english and darija >= 1):
        return Detection("ary_latn", darija >= 2 or arabizi > 0)
    if french != english:
        winner = "fr" if french > english else "en"
        return Detection(winner, abs(french - english) >= 1)
    if len(latin_words) >= 4:
        guess = _langdetect_fr_en(text)
        if guess:
            return Detection(guess, False)
    return Detection(None, False)


def _has_french_accent(word: str) -> bool:
    return any(ch in "éèêàâçùûôîœ" for ch in word)


def _langdetect_fr_en(text: str) -> str | None:
    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return None
    for guess in ranked:
        if guess.lang in ("fr", "en"):
            return str(guess.lang)
    return None


def choose_reply_language(detection: Detection, chosen: str | None, last: str | None,
                          default: str) -> str:
    """The user's explicit choice wins; then what they wrote in; then what we last used."""
    if chosen:
        return chosen
    if detection.reply_language and (detection.confident or not last):
        return detection.reply_language
    return last or detection.reply_language or default


_LANGUAGE_NAMES = {
    "fr": ("francais", "français", "french", "fransawiya", "fransia", "lfrancais", "lfransi",
           "الفرنسية", "بالفرنسية", "فرنسية", "بالفرنساوية", "الفرنساوية", "فرونسي"),
    "en": ("english", "anglais", "inglizia", "nglizia", "lenglish", "الإنجليزية", "الانجليزية",
           "بالإنجليزية", "بالانجليزية", "بالنجليزية", "النجليزية", "الإنكليزية", "انجليزي"),
    "ar": ("arabe", "arabic", "l3arbia", "l3arabia", "3arbia", "arabia", "العربية", "بالعربية",
           "عربية", "بالعربي", "العربي", "عربي"),
}


def requested_language(text: str) -> str | None:
    """The language a user asks for by name ("parle français", "بالعربية"), if exactly one."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    found = {lang for lang, names in _LANGUAGE_NAMES.items() if any(n in lowered for n in names)}
    return found.pop() if len(found) == 1 else None
