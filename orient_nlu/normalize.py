"""Text normalisation for understanding: the same function runs on training data and on messages.

Phone-typed Arabic and Darija spell one word many ways; folding the variants
lets the classifier see them as one. Only for understanding: users always see
their own text.
"""

from __future__ import annotations

import re
import unicodedata

# Hamza carriers and alef forms -> bare alef; ta marbuta -> ha; alef maqsura -> ya;
# Persian/Urdu look-alikes typed on some keyboards -> Arabic letters; tatweel dropped.
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ی": "ي", "ڭ": "ك", "گ": "ك", "ڤ": "ف", "پ": "ب", "ـ": None,
})
_ARABIC_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")
_REPEATS = re.compile(r"(\w)\1{2,}")  # "bzzzzaf", "شكراااا": elongation, not spelling
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, fold Arabic letter variants and Latin accents, squeeze repeated letters."""
    if text.startswith("/"):
        return text  # a button payload ('/intent{...}') must reach Rasa untouched
    text = unicodedata.normalize("NFKC", text).lower()
    text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not (unicodedata.category(ch) == "Mn" and ch < "\u0600"))
    text = _REPEATS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()
