"""Phone numbers to E.164: phonenumbers decides, with a fast path for plainly written numbers.

phonenumbers costs about 55 µs a number, most of it in parsing text it must be ready to find
anything in. A number written plainly in the region's own way (`081 23 45 67`, `04/123.45.67`,
`+32 475 12 34 56`, `+32 (0)81 23 45 67`: digits and ` ./-`) needs none of that: its digits after the national
prefix `0` (or after `+32`) are the national significant number, and whether that is a valid
number is a matter of phonenumbers' own metadata for the region, read here once. The fast path
only ever answers "valid, this E.164 form"; any other text, and any number it does not find valid,
goes to phonenumbers, so the result is phonenumbers' result in every case.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata

from cluster_etl.normalise.text import collapse_whitespace

PHONE_REGION = "BE"  # numbers written without a country code are Belgian

# The kinds of number phonenumbers' number-type check tries after the general description: a
# national number of any of them is valid (phonenumberutil._number_type_helper).
_NUMBER_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
                 "uan", "voicemail", "fixed_line", "mobile")
_SEPARATORS = str.maketrans("", "", " ./-+()")


def _desc_matcher(desc: Any) -> tuple[frozenset[int], re.Pattern[str]] | None:
    if desc is None or desc.national_number_pattern is None:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


def _matches(matcher: tuple[frozenset[int], re.Pattern[str]] | None, number: str) -> bool:
    if matcher is None:
        return False
    lengths, pattern = matcher
    return (not lengths or len(number) in lengths) and pattern.fullmatch(number) is not None


@cache
def _region_rules(region: str) -> tuple[re.Pattern[str], str, str, Any, list[Any]]:
    """(plain-text pattern, country code, national prefix, general matcher, type matchers)."""
    meta = PhoneMetadata.metadata_for_region(region)
    country = str(meta.country_code)
    prefix = meta.national_prefix_for_parsing or meta.national_prefix or ""
    if not prefix.isdigit():  # a prefix pattern, not a plain prefix: no fast path
        prefix = "\0"
    national = re.escape(prefix)
    plain = re.compile(rf"(?:\+{country}(?: ?\({national}\))?|{national})[0-9 ./-]*[0-9]")
    types = [m for m in (_desc_matcher(getattr(meta, t, None)) for t in _NUMBER_TYPES) if m]
    return plain, country, prefix, _desc_matcher(meta.general_desc), types


def fast_e164(text: str, region: str = PHONE_REGION) -> str | None:
    """E.164 form of a plainly written valid number of `region`; None for anything else."""
    plain, country, prefix, general, types = _region_rules(region)
    if plain.fullmatch(text) is None:
        return None
    digits = text.translate(_SEPARATORS)
    if text[0] == "+":
        national = digits[len(country):]
        # `+32 (0)81 ...`: phonenumbers drops a national prefix after the country code when
        # what is left is a possible number, as it is when it is valid (checked below).
        if national.startswith(prefix):
            national = national[len(prefix):]
    else:
        national = digits[len(prefix):]
    # A leading 0 left would be a second national prefix or an Italian-style zero: slow path.
    if national[:1] in ("", "0") or not _matches(general, national):
        return None
    if any(_matches(m, national) for m in types):
        return f"+{country}{national}"
    return None


def normalise_phone(raw: Any) -> tuple[str, bool]:
    """(E.164 form, True) for a valid number, Belgian unless it says otherwise: `081/23.45.67`
    -> `+3281234567`; (the text as published, whitespace collapsed, False) when phonenumbers
    cannot read one valid number in it (the caller reports it); ("", True) for no text."""
    text = collapse_whitespace(raw)
    if not text:
        return "", True
    fast = fast_e164(text)
    if fast is not None:
        return fast, True
    try:
        number = phonenumbers.parse(text, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return text, False
    if number.extension or not phonenumbers.is_valid_number(number):
        return text, False  # E.164 has no extension: keep what was published
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True
