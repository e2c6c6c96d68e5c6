"""Comparing a published name with the names the register holds: the words they share.

Both names are folded (case, accents, punctuation) and stripped of their legal form the way
members' names are (normalise.text); then legal-form words the register writes inside names
(BVBA, VZW, SPRL, ...), French, Dutch, German and English articles and prepositions, and single
letters are dropped: "Institut de X" and "Centre de Y" share no word that says they are the same.
"""

from __future__ import annotations

from typing import Any

from cluster_etl.normalise.text import fold, split_legal_form

_LEGAL_FORM_WORDS = frozenset(
    "sa nv srl bv sprl bvba sprlu eblm scrl cvba scri cvoa sc cv asbl vzw aisbl ivzw fup son se "
    "snc vof scs gcv sca comm va cvba gie esv sagr lv".split())
_FUNCTION_WORDS = frozenset(
    "de du des la le les l d et en au aux sur a van der den het t en op voor und der die das von "
    "fur the of and".split())


def name_words(name: Any) -> set[str]:
    """The words of a name that can tell two organisations apart."""
    rest, _ = split_legal_form(name)
    return {w for w in fold(rest).split()
            if len(w) > 1 and w not in _LEGAL_FORM_WORDS and w not in _FUNCTION_WORDS}


def share_a_word(published: Any, registered: list[str]) -> bool | None:
    """Whether the published name shares a word with one of the registered names; None when
    either side has no word to compare."""
    words = name_words(published)
    other = set().union(*(name_words(n) for n in registered)) if registered else set()
    if not words or not other:
        return None
    return bool(words & other)
