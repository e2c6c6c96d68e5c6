"""Scalar cleaners for identifiers and places: enterprise numbers, postal codes, provinces, regions."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.be import vat

from cluster_etl.normalise.text import collapse_whitespace

ENTERPRISE_NUMBER_MISSING = "missing"


def format_enterprise_number(digits: str) -> str:
    """`0123456749` -> `0123.456.749`."""
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


_STDNUM_SEPARATORS = str.maketrans("", "", " -./")


def _plain_valid(text: str) -> str | None:
    """The 10 digits of a valid number written in ASCII, as stdnum.be.vat.compact reads it, with
    SPEC.md's check digits; None for anything else (stdnum then decides, and says why). stdnum
    spends ~10 µs a number mapping Unicode look-alikes, which ASCII text cannot hold."""
    if not text.isascii():
        return None
    digits = text.translate(_STDNUM_SEPARATORS).upper()
    if digits.startswith("BE"):
        digits = digits[2:]
    if len(digits) == 9:
        digits = "0" + digits
    if len(digits) != 10 or not digits.isdigit() or digits[0] not in "01" or int(digits) <= 0:
        return None
    return digits if int(digits[8:]) == 97 - int(digits[:8]) % 97 else None


def normalise_enterprise_number(raw: Any) -> tuple[str, str]:
    """(canonical `0123.456.749` or "", problem): problem is "", "missing" or "invalid: <why>".

    Accepts `0123.456.749`, `BE 0123 456 749`, `BE0123456749`, `be 0123.456.749` and the old
    nine-digit form `123456749`. stdnum.be.vat does the cleaning and the checks, except one: it
    accepts check digits `00` when the first eight digits are a multiple of 97, where SPEC.md's
    rule `97 - (first eight mod 97)` requires `97`; that case is checked here.
    """
    text = collapse_whitespace(raw)
    if not text:
        return "", ENTERPRISE_NUMBER_MISSING
    plain = _plain_valid(text)
    if plain:
        return format_enterprise_number(plain), ""
    digits = vat.compact(text)
    try:
        digits = vat.validate(text)
    except stdnum_errors.InvalidChecksum:
        pass  # reported below with the expected digits
    except stdnum_errors.InvalidLength:
        return "", f"invalid: {len(digits)} digits, expected 10 (or 9 in the old form)"
    except stdnum_errors.InvalidComponent:
        return "", f"invalid: first digit {digits[0]}, expected 0 or 1"
    except stdnum_errors.ValidationError:
        return "", "invalid: not an enterprise number"
    expected = 97 - int(digits[:8]) % 97
    if int(digits[8:]) != expected:
        return "", f"invalid: check digits {digits[8:]}, expected {expected:02d}"
    return format_enterprise_number(digits), ""


# `4000`, `B-4000`, `B 4000`, `B4000`, `BE-4000`; Belgian codes run from 1000 to 9999.
_POSTAL_CODE = re.compile(r"(?:BE?\s*[-‐–]?\s*)?(?P<code>[1-9]\d{3})", re.IGNORECASE)


@lru_cache(maxsize=1 << 14)  # postal codes repeat across members
def normalise_postal_code(raw: Any) -> str:
    """Four digits (`B-4000`, `B 4000`, `B4000`, NBSP -> `4000`); "" for anything else."""
    match = _POSTAL_CODE.fullmatch(collapse_whitespace(raw))
    return match["code"] if match else ""


# (first code, last code, province, region), from SPEC.md.
_RANGES = (
    (1000, 1299, "", "Bruxelles-Capitale"),
    (1300, 1499, "Brabant wallon", "Wallonie"),
    (4000, 4999, "Liège", "Wallonie"),
    (5000, 5999, "Namur", "Wallonie"),
    (6000, 6599, "Hainaut", "Wallonie"),
    (6600, 6999, "Luxembourg", "Wallonie"),
    (7000, 7999, "Hainaut", "Wallonie"),
)


@lru_cache(maxsize=1 << 14)
def _place(postal: Any) -> tuple[str, str]:
    code = normalise_postal_code(postal)
    if not code:
        return "", ""
    number = int(code)
    for first, last, province, region in _RANGES:
        if first <= number <= last:
            return province, region
    return "", "Flandre"  # 1500-3999 and 8000-9999


def province_for(postal: Any) -> str:
    """Walloon province of a postal code; "" outside Wallonia or for no code."""
    return _place(postal)[0]


def region_for(postal: Any) -> str:
    """`Wallonie`, `Bruxelles-Capitale` or `Flandre`; "" for no code."""
    return _place(postal)[1]
