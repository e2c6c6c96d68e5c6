"""Scalar cleaners for free text: whitespace, matching keys, names with legal forms, cities, types.

Every function is pure and total: it takes what the portal published (str, None, or a pandas
missing value) and returns a str, "" meaning "no value".
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

# Python's \s already covers NBSP (U+00A0) and the narrow NBSP (U+202F); zero-width characters
# are not whitespace for Python but are invisible on the page, so they go too.
# Control characters count as whitespace: a page may carry them, and no spreadsheet or XML
# file can hold most of them.
_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]+")
# Letters that NFKD does not decompose into a base letter plus accents.
_FOLD_EXTRA = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ß": "ss"})
_NON_WORD = re.compile(r"[\W_]+")


def is_missing(value: Any) -> bool:
    """None, pandas NA/NaT or a float NaN (pandas 3 fills str columns with NaN)."""
    if value is None:
        return True
    if type(value) is str:
        return False
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def collapse_whitespace(s: Any) -> str:
    """Runs of any whitespace (NBSP, tabs, newlines, control characters included) -> one space;
    stripped."""
    if type(s) is not str:
        if is_missing(s):
            return ""
        s = str(s)
    if s.isprintable():
        # Every character _WHITESPACE matches, but the space, is unprintable: only runs of
        # spaces and spaces at the ends can be left to fix (the common case, done cheaply).
        return " ".join(s.split()) if "  " in s or s[:1] == " " or s[-1:] == " " else s
    return _WHITESPACE.sub(" ", s).strip()


def normalise_text(s: Any) -> str:
    """Free text kept as published (phone, activities, street): whitespace collapsed only."""
    return collapse_whitespace(s)


def _fold_letters(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold().translate(_FOLD_EXTRA)


# The Latin letters of Western European names (U+00C0-U+024F), each folded on its own. Per
# character is the same as per text: NFKD only reorders combining marks, which fold drops, and
# casefold and the table work character by character.
_LATIN_FOLDED = str.maketrans({
    chr(code): folded for code in range(0xC0, 0x250)
    if (folded := _fold_letters(chr(code))).isascii()})


def fold(s: Any) -> str:
    """Matching key: lowercase, accents removed, punctuation -> space, whitespace collapsed."""
    text = collapse_whitespace(s)
    if text.isascii():
        text = text.lower()  # ASCII's casefold
    else:
        latin = text.translate(_LATIN_FOLDED)
        text = latin.lower() if latin.isascii() else _fold_letters(text)
    return _NON_WORD.sub(" ", text).strip()


# --- legal forms -------------------------------------------------------------------------------

# Longest first so that SCRL is not read as SC.
_LEGAL_FORMS = ("ASBL", "SCRL", "SPRL", "SRL", "SA", "SC", "SE", "NV", "BV")


def _form_pattern(letters: str) -> str:
    # Each letter may be followed by a dot, and a dot by spaces: SA, S.A., s.a, S. A., SCRL.
    return "".join(c + r"(?:\.\s*)?" for c in letters[:-1]) + letters[-1] + r"\.?"


_FORM = "(?P<form>" + "|".join(_form_pattern(f) for f in _LEGAL_FORMS) + ")"
# The form is its own token: preceded by a space, a comma or an opening parenthesis.
_FORM_AT_END = re.compile(
    rf"^(?P<rest>.*?\S)(?:\s*,\s*|\s+|\s*\(\s*){_FORM}(?:\s*\))?[\s,;]*$", re.IGNORECASE)
_FORM_AT_START = re.compile(
    rf"^(?:\(\s*)?{_FORM}(?:\s*\))?(?:\s*,\s*|\s+)(?P<rest>\S.*)$", re.IGNORECASE)
_TRIM = " ,;-–—"


def _canonical_form(text: str) -> str:
    return re.sub(r"[^A-Za-z]", "", text).upper()


# Every form starts with one of these letters and ends with one of those (before its dot).
_FORM_FIRST = frozenset("ASNBasnb")
_FORM_LAST = frozenset("ALCEValcev")


def _may_hold_form(text: str) -> bool:
    """False when neither pattern can match: the name's last letter before trailing `.,;)` and
    spaces cannot end a form, and its first letter after `(` and spaces cannot start one."""
    head = text.lstrip("( ")
    tail = text.rstrip(" ,;")
    tail = tail[:-1].rstrip(" ") if tail.endswith(")") else tail
    tail = tail[:-1] if tail.endswith(".") else tail
    return head[:1] in _FORM_FIRST or tail[-1:] in _FORM_LAST


def split_legal_form(name: Any) -> tuple[str, str]:
    """(name without its legal form, canonical legal form or "").

    The form is recognised as a separate token at the end of the name (`Thales SA`,
    `Thales, s.a.`, `Thales (SPRL)`) or at its start (`NV Bekaert`, `S.A. Thales`). At the start, an
    undotted two-letter form must be in capitals: `Sa Majesté` or `Se former` are words. Unknown
    forms (BVBA, SARL, SPRLU, ...) stay in the name.
    """
    text = collapse_whitespace(name)
    if not _may_hold_form(text):
        return text, ""
    match = _FORM_AT_END.match(text)
    if match and match["rest"].rstrip(_TRIM):
        return match["rest"].rstrip(_TRIM), _canonical_form(match["form"])
    match = _FORM_AT_START.match(text)
    if match and match["rest"].lstrip(_TRIM):
        form = match["form"]
        if len(form) > 2 or "." in form or form.isupper():
            return match["rest"].lstrip(_TRIM), _canonical_form(form)
    return text, ""


# --- cities ------------------------------------------------------------------------------------

# French particles written in lowercase inside place names: Braine-le-Comte, Louvain-la-Neuve,
# Marche-en-Famenne, Braine-l'Alleud, Écaussinnes-d'Enghien, Sart-lez-Spa.
_PARTICLES = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "sur", "sous", "en", "lez", "lès", "aux", "au",
     "à", "et"})
_LETTER_RUNS = re.compile(r"[^\W\d_]+|[\W\d_]+")


def _title_case_french(text: str) -> str:
    parts: list[str] = []
    first_word = True
    for token in _LETTER_RUNS.findall(text):
        if not token[0].isalpha():
            parts.append(token)
            continue
        low = token.lower()
        parts.append(low if not first_word and low in _PARTICLES else low[0].upper() + low[1:])
        first_word = False
    return "".join(parts)


@lru_cache(maxsize=1 << 14)  # a few thousand places: cities repeat across members
def normalise_city(raw: Any) -> str:
    """Whitespace collapsed; an ALL-CAPS or all-lowercase name is title-cased the French way.

    Every word is capitalised except French particles after the first word:
    `LIÈGE` -> `Liège`, `la louvière` -> `La Louvière`, `BRAINE-L'ALLEUD` -> `Braine-l'Alleud`,
    `OTTIGNIES-LOUVAIN-LA-NEUVE` -> `Ottignies-Louvain-la-Neuve`. Mixed case is kept as published.
    """
    text = collapse_whitespace(raw)
    if text.isupper() or text.islower():
        return _title_case_french(text)
    return text


# --- member types ------------------------------------------------------------------------------

# SPEC.md's table of published labels; keys are folded, so case, accents and punctuation variants
# (`ENTREPRISE (PME)`, `Universite/Haute Ecole`) match too.
_MEMBER_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "PME": ("company", "sme"),
    "Entreprise (PME)": ("company", "sme"),
    "Petite ou moyenne entreprise": ("company", "sme"),
    "Grande entreprise": ("company", "large"),
    "GE": ("company", "large"),
    "Entreprise (grande)": ("company", "large"),
    "Centre de recherche": ("research_centre", ""),
    "Centre de recherche agréé": ("research_centre", ""),
    "Université": ("higher_education", ""),
    "Haute école": ("higher_education", ""),
    "Université / Haute école": ("higher_education", ""),
    "Centre de formation": ("training_centre", ""),
    "Autre": ("other", ""),
    "Fédération": ("other", ""),
    "Organisme public": ("other", ""),
}
MEMBER_TYPE_BY_LABEL: dict[str, tuple[str, str]] = {
    fold(label): value for label, value in _MEMBER_TYPE_LABELS.items()}


@lru_cache(maxsize=1 << 12)  # a handful of labels, each spelt a few ways
def normalise_member_type(label: Any) -> tuple[str, str] | None:
    """(member_type, size_class) for a published label; None when empty or unknown.

    size_class is "sme" or "large" for companies and "" otherwise. An unknown label never becomes
    a new category: the caller reports it as a finding.
    """
    return MEMBER_TYPE_BY_LABEL.get(fold(label))
