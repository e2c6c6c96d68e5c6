"""Text helpers of the sample portal: folding for sort order and slugs, escaping, noise."""

from __future__ import annotations

import html
import random
import re
import unicodedata

NBSP = "\u00a0"


def fold(text: str) -> str:
    """Case, accents and punctuation ignored: the directories' alphabetical order."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain.casefold()).strip()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def noisy(rng: random.Random, text: str, p: float = 0.08) -> str:
    r = rng.random()
    if r < p / 3 and " " in text:
        return text.replace(" ", NBSP, 1)
    if r < 2 * p / 3 and " " in text:
        return text.replace(" ", "  \t", 1)
    return f"\n\t\t{text} \n" if r < p else text

