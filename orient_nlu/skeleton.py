"""The consonant skeleton of a word, one spelling for Darija in both scripts.

The same Darija word reaches us as "نخدم" and as "nkhdem", "nkhdam", "n5dem": Arabic script
leaves out short vowels, Arabizi writes them as each writer likes and uses digits for the
letters Latin lacks (3 = ع, 7 = ح, 9 = ق). Reducing both to consonants in one Latin alphabet
("nxdm") lets the classifier learn a word from its examples in either script. Measured on
nlu/ (NOTES.md, issue 3): cross-validated accuracy +1 point on Darija in Arabic script and
+2 on Darija in Latin letters, no change on French or English.

Input is text already passed through `orient_nlu.normalize.normalize` (lower case, Arabic
letter variants folded, ta marbuta written as ha).
"""

from __future__ import annotations

import re

# Arabic consonants -> one Latin letter each; long vowels and hamza dropped (Arabizi writes
# them as vowels, which the Latin side drops too). Emphatics merge with their plain letters
# because Arabizi rarely tells them apart. The result is lower-cased at the end, so ش/س and
# ح/ه share a letter too: writers mix them ("chhal" for شحال, "hna" for حنا).
_ARABIC = str.maketrans({
    "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "H", "خ": "x", "د": "d", "ذ": "d", "ر": "r",
    "ز": "z", "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "d", "ع": "E", "غ": "G",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "و": None, "ي": None, "ا": None, "ء": None,
})
# Arabizi: digraphs first, then digits for Arabic letters, then vowels and glides dropped.
_DIGRAPHS = (("ch", "S"), ("sh", "S"), ("kh", "x"), ("gh", "G"), ("th", "t"), ("ph", "f"), ("qu", "k"))
_LATIN = str.maketrans({
    "3": "E", "7": "H", "9": "q", "5": "x", "8": "h", "2": None,
    "p": "b", "v": "f", "c": "k", "g": "k",
    "a": None, "e": None, "i": None, "o": None, "u": None, "y": None, "w": None,
})
_ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
_NOT_LETTER = re.compile(r"[^a-zA-Z]")
_DOUBLED = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """'nkhdem' and 'نخدم' -> 'nxdm'; '' when fewer than two consonants remain."""
    if _ARABIC_LETTER.search(word):
        consonants = word.translate(_ARABIC)
        if word.endswith("ه") and len(consonants) > 2:
            consonants = consonants[:-1]  # mostly the ta marbuta, which Arabizi writes as a vowel
    else:
        consonants = word
        for pair, letter in _DIGRAPHS:
            consonants = consonants.replace(pair, letter)
        consonants = _NOT_LETTER.sub("", consonants.translate(_LATIN))
    consonants = _DOUBLED.sub(r"\1", consonants.lower())
    return consonants if len(consonants) >= 2 else ""
