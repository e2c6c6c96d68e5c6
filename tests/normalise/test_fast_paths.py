"""The cleaners' fast paths give exactly what the general code gives, on every input we can think
of and on many generated ones: each is checked against a reference written the plain way."""

from __future__ import annotations

import random
import re
import unicodedata

import phonenumbers
import pytest
from stdnum import exceptions as stdnum_errors
from stdnum.be import vat

from cluster_etl.normalise import contacts, identifiers, phones, text
from cluster_etl.normalise.text import collapse_whitespace, fold


def _collapse_reference(s: str) -> str:
    return text._WHITESPACE.sub(" ", s).strip()


def _fold_reference(s: str) -> str:
    folded = unicodedata.normalize("NFKD", _collapse_reference(s))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return text._NON_WORD.sub(" ", folded.casefold().translate(text._FOLD_EXTRA)).strip()


def test_every_collapsed_character_but_the_space_is_unprintable():
    # The premise of collapse_whitespace's fast path, over all of Unicode.
    printable = [hex(c) for c in range(0x110000)
                 if text._WHITESPACE.fullmatch(chr(c)) and chr(c) != " " and chr(c).isprintable()]
    assert printable == []


@pytest.mark.parametrize("seed", range(3))
def test_collapse_whitespace_matches_the_regular_expression(seed):
    rng = random.Random(seed)
    alphabet = "ab é  \t\n\r\x00\x1f\x7f\u00a0\u200b\u2060\ufeff\u3000\u2028."
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        assert collapse_whitespace(s) == _collapse_reference(s), repr(s)


def test_fold_matches_nfkd_folding_letter_by_letter_and_on_mixed_text():
    for code in range(0x20, 0x800):
        s = f"A{chr(code)}b"
        assert fold(s) == _fold_reference(s), hex(code)
    rng = random.Random(4)
    alphabet = "aZé ÉœŒßÆøĐłİǅ\u0301-'.ꭰᏸΣσς"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 10)))
        assert fold(s) == _fold_reference(s), repr(s)


def _phone_reference(t: str) -> tuple[str, bool]:
    t = collapse_whitespace(t)
    if not t:
        return "", True
    try:
        number = phonenumbers.parse(t, phones.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return t, False
    if number.extension or not phonenumbers.is_valid_number(number):
        return t, False
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True


def _phone_texts(rng: random.Random, n: int) -> list[str]:
    starts = ["0", "0", "+32", "+32 ", "+32 (0)", "+32(0)", "+32 0", "00", "0032 ", "+", "", "+33 ",
              "+320", "0 0"]
    texts = []
    for _ in range(n):
        digits = rng.choice(["4", "8", "2", "6", "7", "9", "1", "5", "3", "0"]) + "".join(
            rng.choice("0123456789") for _ in range(rng.randrange(4, 11)))
        body = "".join(d + (rng.choice(["", "", " ", ".", "/", "-"]) if i < len(digits) - 1 else "")
                       for i, d in enumerate(digits))
        texts.append(rng.choice(starts) + body)
    return texts


def test_phone_fast_path_agrees_with_phonenumbers_and_is_taken():
    rng = random.Random(5)
    texts = _phone_texts(rng, 20000) + ["081 23 45 67", "+32 (0)65 12 34 56", "0475/12.34.56",
                                        "+32 475 12 34 56", "080012345", "+3200475123456"]
    fast = 0
    for t in texts:
        assert phones.normalise_phone(t) == _phone_reference(t), t
        fast += phones.fast_e164(t) is not None
    assert fast > 1000  # the fast path answers a good share of them


def _number_reference(t: str) -> tuple[str, str]:
    # normalise_enterprise_number without its fast path
    t = collapse_whitespace(t)
    digits = vat.compact(t)
    try:
        digits = vat.validate(t)
    except stdnum_errors.InvalidChecksum:
        pass
    except stdnum_errors.ValidationError:
        return "", "error"
    if int(digits[8:]) != 97 - int(digits[:8]) % 97:
        return "", "error"
    return identifiers.format_enterprise_number(digits), ""


def test_enterprise_number_fast_path_agrees_with_stdnum():
    rng = random.Random(6)
    cases = ["0200.000.007 ", "BE 0123.456.749", "be0123456749", "123456749", "0000.000.097",
             "0000000000", "BE (0)123.456.749", "2123.456.749", "1123 456 749"]
    for _ in range(20000):
        first8 = rng.randrange(0, 2 * 10**7) if rng.random() < 0.9 else rng.randrange(0, 10**8)
        check = 97 - first8 % 97 if rng.random() < 0.8 else rng.randrange(0, 100)
        digits = f"{first8:08d}{check:02d}"
        cases.append(rng.choice([digits, digits[1:], f"BE{digits}", f"BE {digits}",
                                 f"{digits[:4]}.{digits[4:7]}.{digits[7:]}",
                                 f"{digits[:4]} {digits[4:7]} {digits[7:]}", f"be-{digits}",
                                 f"{digits[:4]}.{digits[4:7]}.{digits[7:]}x", digits + "1"]))
    taken = 0
    for t in cases:
        got = identifiers.normalise_enterprise_number(t)
        assert (got[0], "error" if got[1] else "") == _number_reference(t), t
        taken += identifiers._plain_valid(collapse_whitespace(t)) is not None
    assert taken > 1000


def _website_reference(t: str) -> str:
    for token in collapse_whitespace(t).split(" "):
        url = contacts._website(token) if token else ""
        if url:
            return url
    return ""


def test_website_fast_path_agrees_with_urlsplit():
    rng = random.Random(7)
    parts = ["www", "Example", "x-y", "be", "COM", "1", "", "_a", "é"]
    cases = ["www.example.be", "HTTPS://WWW.X.BE/Fr/", "www.x.be.", "x.be/a.b", "http://x", "x.be;",
             "ftp://x.be", "http://x.be:80", "user@x.be", "x..be", "//x.be", "https://x.be/~a/b-c_d"]
    for _ in range(5000):
        host = ".".join(rng.choice(parts) for _ in range(rng.randrange(1, 4)))
        cases.append(rng.choice(["", "http://", "HTTPS://", "https:/"]) + host
                     + rng.choice(["", "/", "/fr/", "/a.b", ".", ",", "/A_b~c"]))
    for t in cases:
        assert contacts.normalise_website(t) == _website_reference(t), t
    assert sum(bool(contacts._PLAIN_SITE.fullmatch(t)) for t in cases) > 500


def test_fast_path_premises_hold_for_the_region_metadata():
    # A valid Belgian national number never starts with the national prefix: the fast path's
    # reading of `0` as the prefix, and not a digit of the number, relies on it.
    plain, country, prefix, general, types = phones._region_rules(phones.PHONE_REGION)
    assert (country, prefix) == ("32", "0")
    assert not re.fullmatch(general[1], "0" + "1" * 8)


def _email_texts(rng: random.Random, n: int) -> list[str]:
    locals_ = ["info", "j.dupont", "a_b", "x-y", "é", "a..b", ".a", "a.", "1", "A+B", "o'neil"]
    ats = ["@", " @ ", " [at] ", "(at)", " (AT) ", "[@]", " {arobase} ", "<a>", " at ", "[at", "@@"]
    domains = ["example.be", "Ex-Ample.BE", "x.y.com", "-x.be", "x-.be", "x.b", "x.b2", "x_y.be",
               "x..be", "x.be.", "ex.be [dot] be", "x [dot] be", "é.be", "123.be"]
    return [rng.choice(["", "", "mailto:", "Mail : "]) + rng.choice(locals_) + rng.choice(ats)
            + rng.choice(domains) + rng.choice(["", "", " ", ".", " (info)", "@x.be"])
            for _ in range(n)]


def test_email_fast_path_agrees_with_the_general_reading():
    texts = _email_texts(random.Random(8), 20000)
    for t in texts:
        assert contacts.normalise_email(t) == contacts._general_email(collapse_whitespace(t)), t
    assert sum(bool(contacts._PLAIN_EMAIL.fullmatch(collapse_whitespace(t))) for t in texts) > 200


def _split_reference(name: str) -> tuple[str, str]:
    t = collapse_whitespace(name)
    match = text._FORM_AT_END.match(t)
    if match and match["rest"].rstrip(text._TRIM):
        return match["rest"].rstrip(text._TRIM), text._canonical_form(match["form"])
    match = text._FORM_AT_START.match(t)
    if match and match["rest"].lstrip(text._TRIM):
        form = match["form"]
        if len(form) > 2 or "." in form or form.isupper():
            return match["rest"].lstrip(text._TRIM), text._canonical_form(form)
    return t, ""


def test_legal_form_prefilter_never_skips_a_form():
    rng = random.Random(9)
    words = ["Thales", "sa", "SA", "S.A.", "s. a.", "SPRL", "sprl", "ASBL", "a.s.b.l.", "NV", "BV",
             "SCRL", "SC", "SE", "SRL", "Bekaert", "Majesté", "(SA)", "( SPRL )", ",", ";", ")",
             "(", "Nova", "Lumière", "x", "Sa", "Se", "nv.", "B.V.", "-"]
    names = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 5))) for _ in range(20000)]
    for name in names + ["Thales SA", "Thales, s.a.", "Thales (SPRL)", "NV Bekaert", "S.A. Thales",
                         "Sa Majesté", "Thales SA ,;", "Thales (SA ) ,"]:
        assert text.split_legal_form(name) == _split_reference(name), name
    assert sum(not text._may_hold_form(collapse_whitespace(n)) for n in names) > 1000
